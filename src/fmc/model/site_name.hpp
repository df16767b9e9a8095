#pragma once
// A site's name (a data center or an access network), interned: the number
// of the one copy of its text, so that every endpoint's home and location
// carry 4 bytes instead of a 32-byte string (millions of endpoints, a few
// thousand sites), and two names compare as numbers. It reads as the
// `const std::string&` of its text.
//
// The numbers are dense from 0 ("") in the order names were first made, so
// that a table of sites can be an array indexed by one (NetworkModel::site).
//
// The names interned are the network model's sites (callers check a name
// against the model before making one of it); the table is bounded
// (kMaxNames) so that a bug cannot grow it without end.
#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace fmc {

class SiteName {
 public:
  static constexpr std::size_t kMaxNames = 1 << 20;

  SiteName();  // ""
  SiteName(std::string_view text);  // NOLINT: a name reads as its text; throws std::length_error past kMaxNames
  SiteName(const std::string& text) : SiteName(std::string_view(text)) {}  // NOLINT
  SiteName(const char* text) : SiteName(std::string_view(text)) {}  // NOLINT

  const std::string& str() const { return text(number_); }
  operator const std::string&() const { return str(); }  // NOLINT
  operator std::string_view() const { return str(); }  // NOLINT
  bool empty() const { return number_ == 0; }
  const char* c_str() const { return str().c_str(); }
  std::uint32_t number() const { return number_; }

  friend bool operator==(SiteName a, SiteName b) { return a.number_ == b.number_; }
  friend bool operator==(SiteName a, std::string_view b) { return a.str() == b; }
  friend bool operator==(SiteName a, const std::string& b) { return a.str() == b; }
  friend bool operator==(SiteName a, const char* b) { return a.str() == b; }
  friend std::strong_ordering operator<=>(SiteName a, SiteName b) { return a.str() <=> b.str(); }
  friend std::string operator+(const std::string& a, SiteName b) { return a + b.str(); }
  friend std::string operator+(SiteName a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, SiteName b) { return a + b.str(); }
  friend std::string operator+(SiteName a, const char* b) { return a.str() + b; }
  friend std::ostream& operator<<(std::ostream& os, SiteName s) { return os << s.str(); }

 private:
  friend struct SiteNames;  // the table that interns them (site_name.cpp)
  static constexpr std::size_t kBlockBits = 10, kBlock = std::size_t{1} << kBlockBits;
  // The texts, in blocks that never move once made (a name's text is read without a lock;
  // a block is published before any name in it is handed out).
  static std::atomic<const std::string*> blocks[kMaxNames / kBlock];
  static const std::string& text(std::uint32_t number) {
    return blocks[number >> kBlockBits].load(std::memory_order_acquire)[number & (kBlock - 1)];
  }
  std::uint32_t number_ = 0;  // every constructor interns "" first (0), so it always has a text
};

}  // namespace fmc

template <>
struct std::hash<fmc::SiteName> {
  std::size_t operator()(fmc::SiteName s) const { return std::hash<std::uint32_t>()(s.number()); }
};

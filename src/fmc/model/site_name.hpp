#pragma once
// A site's name (a data center or an access network), interned: one pointer
// to the one copy of its text, so that every endpoint's home and location
// carry 8 bytes instead of a 32-byte string (millions of endpoints, a few
// thousand sites), and two names compare by address. It reads as the
// `const std::string&` of its text.
//
// Each name also has a number, dense from 0 ("") in the order names were
// first made, so that a table of sites can be an array indexed by it
// (NetworkModel::site).
//
// The names interned are the network model's sites (callers check a name
// against the model before making one of it); the table is bounded
// (kMaxNames) so that a bug cannot grow it without end.
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

  const std::string& str() const { return text_->text; }
  operator const std::string&() const { return text_->text; }  // NOLINT
  operator std::string_view() const { return text_->text; }  // NOLINT
  bool empty() const { return text_->text.empty(); }
  const char* c_str() const { return text_->text.c_str(); }
  std::uint32_t number() const { return text_->number; }

  // The one copy of a name's text, with its number.
  struct Interned {
    std::string text;
    std::uint32_t number;
  };

  friend bool operator==(SiteName a, SiteName b) { return a.text_ == b.text_; }
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
  const Interned* text_;
};

}  // namespace fmc

template <>
struct std::hash<fmc::SiteName> {
  std::size_t operator()(fmc::SiteName s) const { return std::hash<const std::string*>()(&s.str()); }
};

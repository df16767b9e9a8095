#pragma once
// Link- and network-layer addresses as strong value types.
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace fmc::net {

struct MacAddr {
  std::array<std::uint8_t, 6> octets{};

  static std::optional<MacAddr> parse(std::string_view text);
  static constexpr MacAddr broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  bool is_multicast() const { return (octets[0] & 1) != 0; }
  std::uint64_t as_u64() const {
    std::uint64_t v = 0;
    for (auto o : octets) v = v << 8 | o;
    return v;
  }
  static MacAddr from_u64(std::uint64_t v) {
    MacAddr m;
    for (int i = 5; i >= 0; --i, v >>= 8) m.octets[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    return m;
  }
  std::string to_string() const;
  auto operator<=>(const MacAddr&) const = default;
};

struct Ipv4Addr {
  std::uint32_t value = 0;  // host byte order

  static std::optional<Ipv4Addr> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const Ipv4Addr&) const = default;
};

// Reads six octets; a short read leaves the reader failed and returns zeros.
inline MacAddr read_mac(ByteReader& r) {
  MacAddr m;
  const Bytes b = r.bytes(6);
  for (std::size_t i = 0; i < b.size(); ++i) m.octets[i] = b[i];
  return m;
}

}  // namespace fmc::net

template <>
struct std::hash<fmc::net::MacAddr> {
  std::size_t operator()(const fmc::net::MacAddr& m) const noexcept {
    return std::hash<std::uint64_t>{}(m.as_u64());
  }
};

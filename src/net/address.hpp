#pragma once
// Link- and network-layer addresses as strong value types.
#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
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
  // The six octets as one number, the first octet highest (one load: the move path compares and
  // hashes MACs a few dozen times a move).
  std::uint64_t as_u64() const {
    std::uint64_t v = 0;
    std::memcpy(&v, octets.data(), octets.size());
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v) >> 16;
    else return v >> 16;
  }
  static MacAddr from_u64(std::uint64_t v) {
    MacAddr m;
    for (int i = 5; i >= 0; --i, v >>= 8) m.octets[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    return m;
  }
  std::string to_string() const;
  bool operator==(const MacAddr& o) const { return as_u64() == o.as_u64(); }
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

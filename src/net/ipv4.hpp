#pragma once
// IPv4 header view and prefixes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/address.hpp"
#include "util/bytes.hpp"

namespace fmc::net {

namespace ip_proto {
inline constexpr std::uint8_t kIcmp = 1, kTcp = 6, kUdp = 17;
}

struct Ipv4View {
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 0;
  Ipv4Addr src;
  Ipv4Addr dst;
  Bytes payload;  // up to total_length, without options

  // nullopt for a truncated header, a bad version/IHL or a length that overruns.
  static std::optional<Ipv4View> parse(Bytes packet);
};

struct Ipv4Prefix {
  Ipv4Addr network;
  int length = 32;

  static std::optional<Ipv4Prefix> parse(std::string_view text);  // "10.1.0.0/24"
  std::uint32_t mask() const { return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length); }
  bool contains(Ipv4Addr a) const { return (a.value & mask()) == network.value; }
  bool overlaps(const Ipv4Prefix& o) const {
    const int shorter = length < o.length ? length : o.length;
    const std::uint32_t m = shorter == 0 ? 0 : ~std::uint32_t{0} << (32 - shorter);
    return (network.value & m) == (o.network.value & m);
  }
  std::string to_string() const { return network.to_string() + "/" + std::to_string(length); }
  bool operator==(const Ipv4Prefix&) const = default;
};

}  // namespace fmc::net

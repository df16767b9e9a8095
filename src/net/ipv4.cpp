#include "net/ipv4.hpp"

#include <charconv>

namespace fmc::net {

std::optional<Ipv4View> Ipv4View::parse(Bytes packet) {
  ByteReader r(packet);
  const std::uint8_t vihl = r.u8();
  r.skip(1);
  const std::uint16_t total = r.u16();
  r.skip(4);
  Ipv4View v;
  v.ttl = r.u8();
  v.protocol = r.u8();
  r.skip(2);
  v.src = Ipv4Addr{r.u32()};
  v.dst = Ipv4Addr{r.u32()};
  const std::size_t ihl = static_cast<std::size_t>(vihl & 0x0f) * 4;
  if (!r.ok() || (vihl >> 4) != 4 || ihl < 20 || total < ihl || total > packet.size()) return std::nullopt;
  v.payload = packet.subspan(ihl, total - ihl);
  return v;
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4Addr::parse(text.substr(0, slash));
  int len = -1;
  const auto digits = text.substr(slash + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
  if (!addr || ec != std::errc{} || end != digits.data() + digits.size() || len < 0 || len > 32) return std::nullopt;
  Ipv4Prefix p{*addr, len};
  if ((addr->value & p.mask()) != addr->value) return std::nullopt;  // host bits set
  return p;
}

}  // namespace fmc::net

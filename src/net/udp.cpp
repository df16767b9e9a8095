#include "net/udp.hpp"

#include "net/ethernet.hpp"
#include "net/ipv4.hpp"

namespace fmc::net {

std::optional<UdpView> UdpView::parse(Bytes ip_payload) {
  ByteReader r(ip_payload);
  UdpView v;
  v.src_port = r.u16();
  v.dst_port = r.u16();
  const std::uint16_t len = r.u16();
  r.skip(2);  // checksum
  if (!r.ok() || len < 8 || len > ip_payload.size()) return std::nullopt;
  v.payload = ip_payload.subspan(8, len - 8u);
  return v;
}

std::optional<UdpDatagram> parse_udp(const EthernetView& eth) {
  if (eth.ethertype != ethertype::kIpv4) return std::nullopt;
  auto ip = Ipv4View::parse(eth.payload);
  if (!ip || ip->protocol != ip_proto::kUdp) return std::nullopt;
  auto udp = UdpView::parse(ip->payload);
  if (!udp) return std::nullopt;
  return UdpDatagram{*ip, *udp};
}

bool is_dhcp_to_server(const EthernetView& eth) {
  constexpr std::uint16_t kServerPort = 67;
  const auto d = parse_udp(eth);
  return d && d->udp.dst_port == kServerPort;
}

std::uint16_t internet_checksum(Bytes data, std::uint32_t sum) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (data.size() % 2) sum += static_cast<std::uint32_t>(data.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> build_udp_frame(const UdpEndpoints& e, Bytes payload, std::uint8_t ttl) {
  const auto udp_len = static_cast<std::uint16_t>(8 + payload.size());
  std::vector<std::uint8_t> ip;
  ip.reserve(20 + udp_len);
  ByteWriter w(ip);
  w.u8(0x45);
  w.u8(0);
  w.u16(static_cast<std::uint16_t>(20 + udp_len));
  w.u16(0);       // identification
  w.u16(0x4000);  // don't fragment
  w.u8(ttl);
  w.u8(ip_proto::kUdp);
  w.u16(0);  // header checksum, below
  w.u32(e.src_ip.value);
  w.u32(e.dst_ip.value);
  w.patch_u16(10, internet_checksum(Bytes(ip.data(), 20)));
  w.u16(e.src_port);
  w.u16(e.dst_port);
  w.u16(udp_len);
  w.u16(0);  // UDP checksum, below
  w.bytes(payload);
  // Pseudo-header: addresses, protocol, UDP length.
  const std::uint32_t pseudo = (e.src_ip.value >> 16) + (e.src_ip.value & 0xffff) + (e.dst_ip.value >> 16) +
                               (e.dst_ip.value & 0xffff) + ip_proto::kUdp + udp_len;
  std::uint16_t csum = internet_checksum(Bytes(ip.data() + 20, udp_len), pseudo);
  if (csum == 0) csum = 0xffff;  // zero means "no checksum" in UDP
  w.patch_u16(26, csum);
  return build_ethernet(e.dst_mac, e.src_mac, ethertype::kIpv4, ip);
}

}  // namespace fmc::net

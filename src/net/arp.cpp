#include "net/arp.hpp"

#include "net/ethernet.hpp"

namespace fmc::net {

namespace {
constexpr std::uint16_t kHtypeEthernet = 1;
constexpr std::size_t kMinFrameLen = 60;
}  // namespace

std::optional<ArpView> ArpView::parse(Bytes payload) {
  ByteReader r(payload);
  const std::uint16_t htype = r.u16();
  const std::uint16_t ptype = r.u16();
  const std::uint8_t hlen = r.u8();
  const std::uint8_t plen = r.u8();
  if (!r.ok() || htype != kHtypeEthernet || ptype != ethertype::kIpv4 || hlen != 6 || plen != 4) return std::nullopt;
  ArpView v;
  v.op = r.u16();
  v.sha = read_mac(r);
  v.spa = Ipv4Addr{r.u32()};
  v.tha = read_mac(r);
  v.tpa = Ipv4Addr{r.u32()};
  if (!r.ok()) return std::nullopt;
  return v;
}

std::vector<std::uint8_t> build_arp_frame(std::uint16_t op, MacAddr eth_dst, MacAddr sha, Ipv4Addr spa,
                                          MacAddr tha, Ipv4Addr tpa) {
  // Written in place into a buffer of the minimum frame size, its padding zeroed (a probe and an
  // announcement per move).
  std::vector<std::uint8_t> frame(kMinFrameLen);
  SpanWriter w(frame);
  write_ethernet_header(w, eth_dst, sha, ethertype::kArp);
  w.u16(kHtypeEthernet);
  w.u16(ethertype::kIpv4);
  w.u8(6);
  w.u8(4);
  w.u16(op);
  w.bytes(sha.octets);
  w.u32(spa.value);
  w.bytes(tha.octets);
  w.u32(tpa.value);
  return frame;
}

std::vector<std::uint8_t> build_arp_reply(const ArpView& request, MacAddr mac) {
  return build_arp_frame(arp_op::kReply, request.sha, mac, request.tpa, request.sha, request.spa);
}

std::vector<std::uint8_t> build_gratuitous_arp(MacAddr mac, Ipv4Addr ip) {
  return build_arp_frame(arp_op::kRequest, MacAddr::broadcast(), mac, ip, MacAddr{}, ip);
}

}  // namespace fmc::net

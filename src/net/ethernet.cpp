#include "net/ethernet.hpp"

namespace fmc::net {

namespace {
constexpr std::size_t kEthernetHeaderLen = 14;  // destination, source, EtherType
}  // namespace

std::optional<EthernetView> EthernetView::parse(Bytes frame) {
  ByteReader r(frame);
  EthernetView v;
  v.dst = read_mac(r);
  v.src = read_mac(r);
  v.ethertype = r.u16();
  if (v.ethertype == ethertype::kVlan) {
    v.vlan_tci = r.u16();
    v.ethertype = r.u16();
  }
  if (!r.ok()) return std::nullopt;
  v.payload = r.rest();
  return v;
}

std::vector<std::uint8_t> build_ethernet(MacAddr dst, MacAddr src, std::uint16_t ethertype,
                                         Bytes payload) {
  std::vector<std::uint8_t> out;
  out.reserve(kEthernetHeaderLen + payload.size());
  ByteWriter w(out);
  write_ethernet_header(w, dst, src, ethertype);
  w.bytes(payload);
  return out;
}

}  // namespace fmc::net

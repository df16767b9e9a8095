#include "net/ethernet.hpp"

namespace fmc::net {

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
  out.reserve(14 + payload.size());
  ByteWriter w(out);
  w.bytes(dst.octets);
  w.bytes(src.octets);
  w.u16(ethertype);
  w.bytes(payload);
  return out;
}

}  // namespace fmc::net

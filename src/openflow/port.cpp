// Port descriptions (ofp_port / ofp_phy_port) and PORT_STATUS.
#include <algorithm>

#include "openflow/wire.hpp"

namespace fmc::of::wire {

void encode_port(const Port& p, Version v, ByteWriter& w) {
  if (v == Version::V13) {
    w.u32(p.port_no.value);
    w.zeros(4);
    w.bytes(p.hw_addr.octets);
    w.zeros(2);
  } else {
    w.u16(port_to_wire10(p.port_no));
    w.bytes(p.hw_addr.octets);
  }
  w.fixed_string(p.name, 16);
  for (std::uint32_t x : {p.config, p.state, p.curr, p.advertised, p.supported, p.peer}) w.u32(x);
  if (v == Version::V13) {
    w.u32(p.curr_speed);
    w.u32(p.max_speed);
  }
}

Port decode_port(Version v, ByteReader& r) {
  Port p;
  if (v == Version::V13) {
    p.port_no = PortNo{r.u32()};
    r.skip(4);
  } else {
    p.port_no = port_from_wire10(r.u16());
  }
  p.hw_addr = net::read_mac(r);
  if (v == Version::V13) r.skip(2);
  p.name = std::string(r.fixed_string(16));
  p.config = r.u32();
  p.state = r.u32();
  p.curr = r.u32();
  p.advertised = r.u32();
  p.supported = r.u32();
  p.peer = r.u32();
  if (v == Version::V13) {
    p.curr_speed = r.u32();
    p.max_speed = r.u32();
  }
  return p;
}

OfResult<Message> decode_port_status(Version v, ByteReader& r) {
  PortStatus s;
  s.reason = r.u8();
  r.skip(7);
  s.desc = decode_port(v, r);
  return Message{std::move(s)};
}

EncodeResult encode_msg(const PortStatus& m, Version v, ByteWriter& w) {
  w.u8(m.reason);
  w.zeros(7);
  encode_port(m.desc, v, w);
  return type::kPortStatus;
}

}  // namespace fmc::of::wire

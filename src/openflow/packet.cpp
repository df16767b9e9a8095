// PACKET_IN and PACKET_OUT.
#include "openflow/wire.hpp"

namespace fmc::of::wire {

OfResult<Message> decode_packet(std::uint8_t type, Version v, ByteReader& r) {
  if (type == type::kPacketIn) {
    PacketIn p;
    p.buffer_id = r.u32();
    p.total_len = r.u16();
    if (v == Version::V13) {
      p.reason = r.u8();
      p.table_id = r.u8();
      p.cookie = r.u64();
      auto match = decode_match13(r);
      if (!match) return Unexpected<OfError>{match.error()};
      p.match = std::move(*match);
      p.in_port = p.match.in_port.value_or(port::kAny);
      r.skip(2);
    } else {
      p.in_port = port_from_wire10(r.u16());
      p.match.in_port = p.in_port;
      p.reason = r.u8();
      r.skip(1);
    }
    p.data = r.rest();
    return Message{p};
  }
  PacketOut p;
  p.buffer_id = r.u32();
  p.in_port = v == Version::V13 ? PortNo{r.u32()} : port_from_wire10(r.u16());
  const std::uint16_t actions_len = r.u16();
  if (v == Version::V13) r.skip(6);
  if (!r.ok() || !r.has(actions_len)) return bad_len("packet-out actions overrun message");
  auto actions = decode_actions(r.bytes(actions_len), v);
  if (!actions) return Unexpected<OfError>{actions.error()};
  p.actions = std::move(*actions);
  p.data = r.rest();
  return Message{std::move(p)};
}

EncodeResult encode_msg(const PacketIn& m, Version v, ByteWriter& w) {
  w.u32(m.buffer_id);
  w.u16(m.total_len);
  if (v == Version::V13) {
    w.u8(m.reason);
    w.u8(m.table_id);
    w.u64(m.cookie);
    Match match = m.match;
    match.in_port = m.in_port;
    encode_match13(match, w);
    w.zeros(2);
  } else {
    w.u16(port_to_wire10(m.in_port));
    w.u8(m.reason);
    w.u8(0);
  }
  w.bytes(m.data);
  return type::kPacketIn;
}

EncodeResult encode_msg(const PacketOut& m, Version v, ByteWriter& w) {
  w.u32(m.buffer_id);
  std::size_t len_at;
  if (v == Version::V13) {
    w.u32(m.in_port.value);
    len_at = w.position();
    w.u16(0);
    w.zeros(6);
  } else {
    w.u16(port_to_wire10(m.in_port));
    len_at = w.position();
    w.u16(0);
  }
  const std::size_t actions_start = w.position();
  auto r = encode_actions(m.actions, v, w);
  if (!r) return Unexpected<OfError>{r.error()};
  w.patch_u16(len_at, static_cast<std::uint16_t>(w.position() - actions_start));
  w.bytes(m.data);
  return type::kPacketOut;
}

}  // namespace fmc::of::wire

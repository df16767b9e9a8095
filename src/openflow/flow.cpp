// FLOW_MOD and FLOW_REMOVED.
#include "openflow/wire.hpp"

namespace fmc::of::wire {

namespace {

OfResult<Message> decode_flow_mod(Version v, ByteReader& r) {
  FlowMod f;
  if (v == Version::V13) {
    f.cookie = r.u64();
    f.cookie_mask = r.u64();
    f.table_id = r.u8();
    const std::uint8_t command = r.u8();
    if (command > 4) return fail(code::kBadFlowModCommand, "unknown flow-mod command");
    f.command = static_cast<FlowModCommand>(command);
    f.idle_timeout = r.u16();
    f.hard_timeout = r.u16();
    f.priority = r.u16();
    f.buffer_id = r.u32();
    f.out_port = PortNo{r.u32()};
    f.out_group = r.u32();
    f.flags = r.u16();
    r.skip(2);
    auto match = decode_match13(r);
    if (!match) return Unexpected<OfError>{match.error()};
    f.match = std::move(*match);
    auto ins = decode_instructions(r.rest());
    if (!ins) return Unexpected<OfError>{ins.error()};
    f.instructions = std::move(*ins);
    return Message{std::move(f)};
  }
  auto match = decode_match10(r);
  if (!match) return Unexpected<OfError>{match.error()};
  f.match = std::move(*match);
  f.cookie = r.u64();
  const std::uint16_t command = r.u16();
  if (command > 4) return fail(code::kBadType, "unknown flow-mod command");
  f.command = static_cast<FlowModCommand>(command);
  f.idle_timeout = r.u16();
  f.hard_timeout = r.u16();
  f.priority = r.u16();
  f.buffer_id = r.u32();
  f.out_port = port_from_wire10(r.u16());
  f.flags = r.u16();
  auto actions = decode_actions(r.rest(), v);
  if (!actions) return Unexpected<OfError>{actions.error()};
  f.instructions = instructions_from_v10(std::move(*actions));
  return Message{std::move(f)};
}

OfResult<Message> decode_flow_removed(Version v, ByteReader& r) {
  FlowRemoved f;
  if (v == Version::V10) {
    auto match = decode_match10(r);
    if (!match) return Unexpected<OfError>{match.error()};
    f.match = std::move(*match);
  }
  f.cookie = r.u64();
  f.priority = r.u16();
  f.reason = r.u8();
  if (v == Version::V13) f.table_id = r.u8();
  else r.skip(1);
  f.duration_sec = r.u32();
  f.duration_nsec = r.u32();
  f.idle_timeout = r.u16();
  if (v == Version::V13) f.hard_timeout = r.u16();
  else r.skip(2);
  f.packet_count = r.u64();
  f.byte_count = r.u64();
  if (v == Version::V13) {
    auto match = decode_match13(r);
    if (!match) return Unexpected<OfError>{match.error()};
    f.match = std::move(*match);
  }
  return Message{std::move(f)};
}

}  // namespace

OfResult<Message> decode_flow(std::uint8_t type, Version v, ByteReader& r) {
  return type == type::kFlowMod ? decode_flow_mod(v, r) : decode_flow_removed(v, r);
}

EncodeResult encode_msg(const FlowMod& m, Version v, ByteWriter& w) {
  if (v == Version::V13) {
    w.u64(m.cookie);
    w.u64(m.cookie_mask);
    w.u8(m.table_id);
    w.u8(static_cast<std::uint8_t>(m.command));
    w.u16(m.idle_timeout);
    w.u16(m.hard_timeout);
    w.u16(m.priority);
    w.u32(m.buffer_id);
    w.u32(m.out_port.value);
    w.u32(m.out_group);
    w.u16(m.flags);
    w.zeros(2);
    encode_match13(m.match, w);
    auto r = encode_instructions(m.instructions, w);
    if (!r) return Unexpected<OfError>{r.error()};
    return type::kFlowMod;
  }
  auto actions = actions_for_v10(m.instructions);
  if (!actions) return Unexpected<OfError>{actions.error()};
  auto matched = encode_match10(m.match, w);
  if (!matched) return Unexpected<OfError>{matched.error()};
  w.u64(m.cookie);
  w.u16(static_cast<std::uint16_t>(m.command));
  w.u16(m.idle_timeout);
  w.u16(m.hard_timeout);
  w.u16(m.priority);
  w.u32(m.buffer_id);
  w.u16(port_to_wire10(m.out_port));
  w.u16(m.flags);
  auto r = encode_actions(**actions, v, w);
  if (!r) return Unexpected<OfError>{r.error()};
  return type::kFlowMod;
}

EncodeResult encode_msg(const FlowRemoved& m, Version v, ByteWriter& w) {
  if (v == Version::V10) {
    auto matched = encode_match10(m.match, w);
    if (!matched) return Unexpected<OfError>{matched.error()};
  }
  w.u64(m.cookie);
  w.u16(m.priority);
  w.u8(m.reason);
  w.u8(v == Version::V13 ? m.table_id : 0);
  w.u32(m.duration_sec);
  w.u32(m.duration_nsec);
  w.u16(m.idle_timeout);
  w.u16(v == Version::V13 ? m.hard_timeout : 0);
  w.u64(m.packet_count);
  w.u64(m.byte_count);
  if (v == Version::V13) encode_match13(m.match, w);
  return type::kFlowRemoved;
}

}  // namespace fmc::of::wire

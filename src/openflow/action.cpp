#include "openflow/action.hpp"

namespace fmc::of {

std::optional<SetField> SetField::of(const Match& m) {
  using enum OxmField;
  if (m.field_count() != 1) return std::nullopt;
  const auto mac = [](OxmField f, const Masked<net::MacAddr>& v) {
    return v.mask ? std::nullopt : std::optional{SetField::mac(f, v.value)};
  };
  const auto ip = [](OxmField f, const Masked<net::Ipv4Addr>& v) {
    return v.mask ? std::nullopt : std::optional{SetField::ipv4(f, v.value)};
  };
  if (m.in_port) return SetField{kInPort, m.in_port->value};
  if (m.eth_dst) return mac(kEthDst, *m.eth_dst);
  if (m.eth_src) return mac(kEthSrc, *m.eth_src);
  if (m.eth_type) return SetField{kEthType, *m.eth_type};
  if (m.vlan_vid) return SetField{kVlanVid, *m.vlan_vid};
  if (m.ip_proto) return SetField{kIpProto, *m.ip_proto};
  if (m.ipv4_src) return ip(kIpv4Src, *m.ipv4_src);
  if (m.ipv4_dst) return ip(kIpv4Dst, *m.ipv4_dst);
  if (m.tcp_src) return SetField{kTcpSrc, *m.tcp_src};
  if (m.tcp_dst) return SetField{kTcpDst, *m.tcp_dst};
  if (m.udp_src) return SetField{kUdpSrc, *m.udp_src};
  if (m.udp_dst) return SetField{kUdpDst, *m.udp_dst};
  if (m.arp_op) return SetField{kArpOp, *m.arp_op};
  if (m.arp_spa) return ip(kArpSpa, *m.arp_spa);
  if (m.arp_tpa) return ip(kArpTpa, *m.arp_tpa);
  if (m.arp_sha) return SetField::mac(kArpSha, *m.arp_sha);
  return SetField::mac(kArpTha, *m.arp_tha);
}

Match SetField::as_match() const {
  using enum OxmField;
  Match m;
  const auto mac = net::MacAddr::from_u64(value);
  const Masked<net::Ipv4Addr> ip{net::Ipv4Addr{static_cast<std::uint32_t>(value)}, std::nullopt};
  const auto u16 = static_cast<std::uint16_t>(value);
  switch (field) {
    case kInPort: m.in_port = PortNo{static_cast<std::uint32_t>(value)}; break;
    case kEthDst: m.eth_dst = Masked<net::MacAddr>{mac, std::nullopt}; break;
    case kEthSrc: m.eth_src = Masked<net::MacAddr>{mac, std::nullopt}; break;
    case kEthType: m.eth_type = u16; break;
    case kVlanVid: m.vlan_vid = u16; break;
    case kIpProto: m.ip_proto = static_cast<std::uint8_t>(value); break;
    case kIpv4Src: m.ipv4_src = ip; break;
    case kIpv4Dst: m.ipv4_dst = ip; break;
    case kTcpSrc: m.tcp_src = u16; break;
    case kTcpDst: m.tcp_dst = u16; break;
    case kUdpSrc: m.udp_src = u16; break;
    case kUdpDst: m.udp_dst = u16; break;
    case kArpOp: m.arp_op = u16; break;
    case kArpSpa: m.arp_spa = ip; break;
    case kArpTpa: m.arp_tpa = ip; break;
    case kArpSha: m.arp_sha = mac; break;
    case kArpTha: m.arp_tha = mac; break;
  }
  return m;
}

namespace {

namespace at13 {
constexpr std::uint16_t kOutput = 0, kPushVlan = 17, kPopVlan = 18, kGroup = 22, kSetField = 25;
}
namespace at10 {
constexpr std::uint16_t kOutput = 0, kSetVlanVid = 1, kStripVlan = 3, kSetDlSrc = 4, kSetDlDst = 5,
                        kSetNwSrc = 6, kSetNwDst = 7, kSetTpSrc = 9, kSetTpDst = 10;
}
namespace it {
constexpr std::uint16_t kGotoTable = 1, kWriteActions = 3, kApplyActions = 4, kClearActions = 5, kMeter = 6;
}

OfResult<Ok> encode_action13(const Action& a, ByteWriter& w) {
  const std::size_t start = w.position();
  if (const auto* o = std::get_if<Output>(&a)) {
    w.u16(at13::kOutput);
    w.u16(16);
    w.u32(o->port.value);
    w.u16(o->max_len);
    w.zeros(6);
  } else if (const auto* s = std::get_if<SetField>(&a)) {
    const Match field = s->as_match();
    if (field.field_count() != 1) return fail(code::kBadSetType, "set_field of a field not modelled");
    w.u16(at13::kSetField);
    w.u16(0);
    encode_oxm_fields(field, w);
    w.pad_to(start, 8);
    w.patch_u16(start + 2, static_cast<std::uint16_t>(w.position() - start));
  } else if (const auto* p = std::get_if<PushVlan>(&a)) {
    w.u16(at13::kPushVlan);
    w.u16(8);
    w.u16(p->ethertype);
    w.zeros(2);
  } else if (std::holds_alternative<PopVlan>(a)) {
    w.u16(at13::kPopVlan);
    w.u16(8);
    w.zeros(4);
  } else if (const auto* g = std::get_if<GroupAction>(&a)) {
    w.u16(at13::kGroup);
    w.u16(8);
    w.u32(g->group_id);
  }
  return Ok{};
}

OfResult<Ok> encode_set_field10(const Match& f, ByteWriter& w) {
  auto u16_action = [&](std::uint16_t type, std::uint16_t v) {
    w.u16(type);
    w.u16(8);
    w.u16(v);
    w.zeros(2);
  };
  auto mac_action = [&](std::uint16_t type, const net::MacAddr& m) {
    w.u16(type);
    w.u16(16);
    w.bytes(m.octets);
    w.zeros(6);
  };
  auto ip_action = [&](std::uint16_t type, const Masked<net::Ipv4Addr>& ip) {
    w.u16(type);
    w.u16(8);
    w.u32(ip.value.value);
  };
  if (f.field_count() != 1) return fail(code::kBadSetType, "set_field needs exactly one field");
  if (f.eth_src) mac_action(at10::kSetDlSrc, f.eth_src->value);
  else if (f.eth_dst) mac_action(at10::kSetDlDst, f.eth_dst->value);
  else if (f.ipv4_src) ip_action(at10::kSetNwSrc, *f.ipv4_src);
  else if (f.ipv4_dst) ip_action(at10::kSetNwDst, *f.ipv4_dst);
  else if (f.tcp_src || f.udp_src) u16_action(at10::kSetTpSrc, f.tcp_src ? *f.tcp_src : *f.udp_src);
  else if (f.tcp_dst || f.udp_dst) u16_action(at10::kSetTpDst, f.tcp_dst ? *f.tcp_dst : *f.udp_dst);
  else if (f.vlan_vid) u16_action(at10::kSetVlanVid, *f.vlan_vid & 0x0fff);
  else return fail(code::kBadSetType, "field cannot be set in OpenFlow 1.0");
  return Ok{};
}

OfResult<Ok> encode_action10(const Action& a, ByteWriter& w) {
  if (const auto* o = std::get_if<Output>(&a)) {
    w.u16(at10::kOutput);
    w.u16(8);
    w.u16(port_to_wire10(o->port));
    w.u16(o->max_len);
    return Ok{};
  }
  if (const auto* s = std::get_if<SetField>(&a)) return encode_set_field10(s->as_match(), w);
  if (std::holds_alternative<PopVlan>(a)) {
    w.u16(at10::kStripVlan);
    w.u16(8);
    w.zeros(4);
    return Ok{};
  }
  return fail(code::kBadActionType, "action not available in OpenFlow 1.0");
}

OfResult<Action> decode_action13(std::uint16_t type, ByteReader& body) {
  switch (type) {
    case at13::kOutput: {
      Output o{PortNo{body.u32()}, body.u16()};
      return Action{o};
    }
    case at13::kPushVlan: return Action{PushVlan{body.u16()}};
    case at13::kPopVlan: return Action{PopVlan{}};
    case at13::kGroup: return Action{GroupAction{body.u32()}};
    case at13::kSetField: {
      // One OXM TLV followed by padding.
      if (!body.has(4)) break;
      const Bytes all = body.rest();
      const std::size_t tlv_len = 4u + all[3];
      if (tlv_len > all.size()) break;
      const auto field = decode_oxm_fields(all.first(tlv_len));
      if (!field) return Unexpected<OfError>{field.error()};
      const auto set = SetField::of(*field);
      if (!set) return fail(code::kBadSetType, "set_field with an unsupported or masked field");
      return Action{*set};
    }
    default:
      return fail(code::kBadActionType, "unknown action type");
  }
  return fail(code::kBadActionLen, "action too short");
}

OfResult<Action> decode_action10(std::uint16_t type, ByteReader& body) {
  Match f;
  switch (type) {
    case at10::kOutput: {
      const PortNo port = port_from_wire10(body.u16());
      return Action{Output{port, body.u16()}};
    }
    case at10::kSetVlanVid: f.vlan_vid = static_cast<std::uint16_t>(kVlanPresent | (body.u16() & 0x0fff)); break;
    case at10::kStripVlan: return Action{PopVlan{}};
    case at10::kSetDlSrc:
    case at10::kSetDlDst: {
      (type == at10::kSetDlSrc ? f.eth_src : f.eth_dst) = Masked<net::MacAddr>{net::read_mac(body), std::nullopt};
      break;
    }
    case at10::kSetNwSrc: f.ipv4_src = Masked<net::Ipv4Addr>{net::Ipv4Addr{body.u32()}, std::nullopt}; break;
    case at10::kSetNwDst: f.ipv4_dst = Masked<net::Ipv4Addr>{net::Ipv4Addr{body.u32()}, std::nullopt}; break;
    // 1.0 does not say whether a transport port is TCP or UDP; read as TCP.
    case at10::kSetTpSrc: f.tcp_src = body.u16(); break;
    case at10::kSetTpDst: f.tcp_dst = body.u16(); break;
    default: return fail(code::kBadActionType, "unknown action type");
  }
  return Action{*SetField::of(f)};
}

}  // namespace

OfResult<Ok> encode_actions(const ActionList& actions, Version v, ByteWriter& w) {
  for (const auto& a : actions) {
    auto r = v == Version::V13 ? encode_action13(a, w) : encode_action10(a, w);
    if (!r) return r;
  }
  return Ok{};
}

OfResult<ActionList> decode_actions(Bytes data, Version v) {
  ActionList out;
  ByteReader r(data);
  while (r.remaining() > 0) {
    const std::uint16_t type = r.u16();
    const std::uint16_t len = r.u16();
    if (!r.ok() || len < 8 || len % 8 != 0 || !r.has(len - 4u))
      return fail(code::kBadActionLen, "action length invalid");
    ByteReader body(r.bytes(len - 4u));
    auto a = v == Version::V13 ? decode_action13(type, body) : decode_action10(type, body);
    if (!a) return Unexpected<OfError>{a.error()};
    if (!body.ok()) return fail(code::kBadActionLen, "action too short");
    out.push_back(std::move(*a));
  }
  return out;
}

OfResult<Ok> encode_instructions(const InstructionList& list, ByteWriter& w) {
  for (const auto& ins : list) {
    const std::size_t start = w.position();
    if (const auto* g = std::get_if<GotoTable>(&ins)) {
      w.u16(it::kGotoTable);
      w.u16(8);
      w.u8(g->table_id);
      w.zeros(3);
      continue;
    }
    if (const auto* m = std::get_if<MeterInstruction>(&ins)) {
      w.u16(it::kMeter);
      w.u16(8);
      w.u32(m->meter_id);
      continue;
    }
    if (std::holds_alternative<ClearActions>(ins)) {
      w.u16(it::kClearActions);
      w.u16(8);
      w.zeros(4);
      continue;
    }
    const auto* apply = std::get_if<ApplyActions>(&ins);
    const ActionList& actions = apply ? apply->actions : std::get<WriteActions>(ins).actions;
    w.u16(apply ? it::kApplyActions : it::kWriteActions);
    w.u16(0);
    w.zeros(4);
    auto r = encode_actions(actions, Version::V13, w);
    if (!r) return r;
    w.patch_u16(start + 2, static_cast<std::uint16_t>(w.position() - start));
  }
  return Ok{};
}

OfResult<InstructionList> decode_instructions(Bytes data) {
  InstructionList out;
  ByteReader r(data);
  while (r.remaining() > 0) {
    const std::uint16_t type = r.u16();
    const std::uint16_t len = r.u16();
    if (!r.ok() || len < 8 || len % 8 != 0 || !r.has(len - 4u))
      return fail(code::kBadInstructionLen, "instruction length invalid");
    ByteReader body(r.bytes(len - 4u));
    switch (type) {
      case it::kGotoTable: out.emplace_back(GotoTable{body.u8()}); break;
      case it::kClearActions: out.emplace_back(ClearActions{}); break;
      case it::kMeter:
        if (len != 8) return fail(code::kBadInstructionLen, "meter instruction length invalid");
        out.emplace_back(MeterInstruction{body.u32()});
        break;
      case it::kApplyActions:
      case it::kWriteActions: {
        body.skip(4);
        auto actions = decode_actions(body.rest(), Version::V13);
        if (!actions) return Unexpected<OfError>{actions.error()};
        if (type == it::kApplyActions) out.emplace_back(ApplyActions{std::move(*actions)});
        else out.emplace_back(WriteActions{std::move(*actions)});
        break;
      }
      default:
        return fail(code::kUnknownInstruction, "unknown instruction type");
    }
  }
  return out;
}

OfResult<const ActionList*> actions_for_v10(const InstructionList& list) {
  static const ActionList kNone;
  if (list.empty()) return &kNone;
  if (list.size() == 1) {
    if (const auto* apply = std::get_if<ApplyActions>(&list.front())) return &apply->actions;
  }
  return fail(code::kUnknownInstruction,
              "OpenFlow 1.0 supports only one apply-actions list");
}

InstructionList instructions_from_v10(ActionList actions) {
  InstructionList list;
  if (!actions.empty()) list.emplace_back(ApplyActions{std::move(actions)});
  return list;
}

}  // namespace fmc::of

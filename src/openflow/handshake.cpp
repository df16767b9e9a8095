// Session-level messages: hello, error, echo, features, config, barrier, role
// (and ONF's role status, the one experimenter message we model).
#include <algorithm>

#include "openflow/wire.hpp"

namespace fmc::of::wire {

namespace {
constexpr std::uint16_t kHelloElemVersionBitmap = 1;

OfResult<Message> decode_hello(ByteReader& r) {
  Hello hello;
  // Elements are optional; unknown ones are skipped (OF1.3 §7.5.1).
  while (r.remaining() >= 4) {
    const std::uint16_t type = r.u16();
    const std::uint16_t len = r.u16();
    if (len < 4 || !r.has(len - 4u)) return fail(code::kHelloIncompatible, "hello element overruns message");
    ByteReader body(r.bytes(len - 4u));
    if (type == kHelloElemVersionBitmap && body.remaining() >= 4) hello.version_bitmap = body.u32();
    r.skip(std::min<std::size_t>((8 - len % 8) % 8, r.remaining()));
  }
  r.skip(r.remaining());  // a trailing partial element is tolerated, as 1.0 peers may pad
  return Message{hello};
}
}  // namespace

OfResult<Message> decode_handshake(std::uint8_t type, Version v, ByteReader& r) {
  switch (type) {
    case type::kHello: return decode_hello(r);
    case type::kError: {
      ErrorMsg e{r.u16(), r.u16(), {}};
      e.data = r.rest();
      return Message{e};
    }
    case type::kEchoRequest: return Message{EchoRequest{r.rest()}};
    case type::kEchoReply: return Message{EchoReply{r.rest()}};
    case type::kFeaturesRequest: return Message{FeaturesRequest{}};
    case type::kFeaturesReply: {
      FeaturesReply f;
      f.datapath_id = Dpid{r.u64()};
      f.n_buffers = r.u32();
      f.n_tables = r.u8();
      if (v == Version::V13) {
        f.auxiliary_id = r.u8();
        r.skip(2);
        f.capabilities = r.u32();
        r.skip(4);
      } else {
        r.skip(3);
        f.capabilities = r.u32();
        r.skip(4);  // supported actions bitmap
        if (r.remaining() % port_len(v) != 0) return bad_len("features reply port list misaligned");
        while (r.remaining() > 0) f.ports.push_back(decode_port(v, r));
      }
      return Message{std::move(f)};
    }
    case type::kGetConfigRequest: return Message{GetConfigRequest{}};
    case type::kGetConfigReply:
    case type::kSetConfig: {
      SwitchConfig c{r.u16(), r.u16()};
      if (type == type::kSetConfig) return Message{SetConfig{c}};
      return Message{GetConfigReply{c}};
    }
    case type::kBarrierRequest: return Message{BarrierRequest{}};
    case type::kBarrierReply: return Message{BarrierReply{}};
    case type::kRoleRequest:
    case type::kRoleReply: {
      const auto role = static_cast<ControllerRole>(r.u32());
      r.skip(4);
      const std::uint64_t gen = r.u64();
      if (type == type::kRoleRequest) return Message{RoleRequest{role, gen}};
      return Message{RoleReply{role, gen}};
    }
    case type::kExperimenter: {
      const std::uint32_t experimenter = r.u32();
      const std::uint32_t exp_type = r.u32();
      if (experimenter != onf::kExperimenterId || exp_type != onf::kRoleStatus)
        return fail(code::kBadExperimenter, "unknown experimenter message");
      RoleStatus s{static_cast<ControllerRole>(r.u32()), r.u8(), 0};
      r.skip(3);
      s.generation_id = r.u64();
      r.skip(r.remaining());  // properties (experimenter data): none we use
      return Message{s};
    }
    default: return fail(code::kBadType, "unsupported message type");
  }
}

EncodeResult encode_msg(const Hello& m, Version, ByteWriter& w) {
  if (m.version_bitmap != 0) {
    w.u16(kHelloElemVersionBitmap);
    w.u16(8);
    w.u32(m.version_bitmap);
  }
  return type::kHello;
}

EncodeResult encode_msg(const ErrorMsg& m, Version, ByteWriter& w) {
  w.u16(m.type);
  w.u16(m.code);
  w.bytes(m.data);
  return type::kError;
}

EncodeResult encode_msg(const EchoRequest& m, Version, ByteWriter& w) {
  w.bytes(m.data);
  return type::kEchoRequest;
}

EncodeResult encode_msg(const EchoReply& m, Version, ByteWriter& w) {
  w.bytes(m.data);
  return type::kEchoReply;
}

EncodeResult encode_msg(const FeaturesRequest&, Version, ByteWriter&) { return type::kFeaturesRequest; }

EncodeResult encode_msg(const FeaturesReply& m, Version v, ByteWriter& w) {
  w.u64(m.datapath_id.value);
  w.u32(m.n_buffers);
  w.u8(m.n_tables);
  if (v == Version::V13) {
    w.u8(m.auxiliary_id);
    w.zeros(2);
    w.u32(m.capabilities);
    w.u32(0);
  } else {
    w.zeros(3);
    w.u32(m.capabilities);
    w.u32(0);
    for (const auto& p : m.ports) encode_port(p, v, w);
  }
  return type::kFeaturesReply;
}

EncodeResult encode_msg(const GetConfigRequest&, Version, ByteWriter&) { return type::kGetConfigRequest; }

EncodeResult encode_msg(const GetConfigReply& m, Version, ByteWriter& w) {
  w.u16(m.config.flags);
  w.u16(m.config.miss_send_len);
  return type::kGetConfigReply;
}

EncodeResult encode_msg(const SetConfig& m, Version, ByteWriter& w) {
  w.u16(m.config.flags);
  w.u16(m.config.miss_send_len);
  return type::kSetConfig;
}

EncodeResult encode_msg(const BarrierRequest&, Version, ByteWriter&) { return type::kBarrierRequest; }
EncodeResult encode_msg(const BarrierReply&, Version, ByteWriter&) { return type::kBarrierReply; }

namespace {
EncodeResult encode_role(std::uint8_t type, ControllerRole role, std::uint64_t gen, Version v, ByteWriter& w) {
  if (v != Version::V13) return not_in_version();
  w.u32(static_cast<std::uint32_t>(role));
  w.zeros(4);
  w.u64(gen);
  return type;
}
}  // namespace

EncodeResult encode_msg(const RoleRequest& m, Version v, ByteWriter& w) {
  return encode_role(type::kRoleRequest, m.role, m.generation_id, v, w);
}
EncodeResult encode_msg(const RoleReply& m, Version v, ByteWriter& w) {
  return encode_role(type::kRoleReply, m.role, m.generation_id, v, w);
}
EncodeResult encode_msg(const RoleStatus& m, Version v, ByteWriter& w) {
  if (v != Version::V13) return not_in_version();
  w.u32(onf::kExperimenterId);
  w.u32(onf::kRoleStatus);
  w.u32(static_cast<std::uint32_t>(m.role));
  w.u8(m.reason);
  w.zeros(3);
  w.u64(m.generation_id);
  return type::kExperimenter;
}

}  // namespace fmc::of::wire

#include "openflow/codec.hpp"

#include <algorithm>
#include <bit>

#include "openflow/wire.hpp"

namespace fmc::of {

namespace {

// Maps a 1.0 message type onto 1.3's numbering (nullopt: not modelled).
std::optional<std::uint8_t> normalise_type10(std::uint8_t t) {
  if (t <= 14) return t == 4 ? std::nullopt : std::optional<std::uint8_t>(t);
  switch (t) {
    case 16: return wire::type::kMultipartRequest;
    case 17: return wire::type::kMultipartReply;
    case 18: return wire::type::kBarrierRequest;
    case 19: return wire::type::kBarrierReply;
    default: return std::nullopt;
  }
}

std::uint8_t wire_type10(std::uint8_t t13) {
  switch (t13) {
    case wire::type::kMultipartRequest: return 16;
    case wire::type::kMultipartReply: return 17;
    case wire::type::kBarrierRequest: return 18;
    case wire::type::kBarrierReply: return 19;
    default: return t13;
  }
}

}  // namespace

OfResult<Header> read_header(Bytes data) {
  ByteReader r(data);
  Header h{r.u8(), r.u8(), r.u16(), Xid{r.u32()}};
  if (!r.ok()) return bad_len("shorter than an OpenFlow header");
  if (h.length < kHeaderLen) return bad_len("header length below 8");
  return h;
}

OfResult<Envelope> decode(Bytes frame) {
  auto header = read_header(frame);
  if (!header) return Unexpected<OfError>{header.error()};
  const Header& h = *header;
  if (h.length != frame.size()) return bad_len("header length differs from frame size");
  ByteReader r(frame.subspan(kHeaderLen));

  if (h.type == wire::type::kHello) {
    // Any version may say hello; negotiation decides what happens next.
    auto msg = wire::decode_handshake(h.type, Version::V13, r);
    if (!msg) return Unexpected<OfError>{msg.error()};
    const Version v = h.version == 0x01 ? Version::V10 : Version::V13;
    return Envelope{v, h.xid, std::move(*msg)};
  }
  if (!is_supported(h.version)) return fail(code::kBadVersion, "unsupported OpenFlow version");
  const auto v = static_cast<Version>(h.version);
  const auto type = v == Version::V13 ? std::optional<std::uint8_t>(h.type) : normalise_type10(h.type);
  if (!type) return fail(code::kBadType, "unsupported message type");

  OfResult<Message> msg = fail(code::kBadType, "unsupported message type");
  switch (*type) {
    case wire::type::kPacketIn:
    case wire::type::kPacketOut: msg = wire::decode_packet(*type, v, r); break;
    case wire::type::kFlowMod:
    case wire::type::kFlowRemoved: msg = wire::decode_flow(*type, v, r); break;
    case wire::type::kPortStatus: msg = wire::decode_port_status(v, r); break;
    case wire::type::kMultipartRequest:
    case wire::type::kMultipartReply: msg = wire::decode_multipart(*type, v, r); break;
    case wire::type::kMeterMod: msg = wire::decode_meter_mod(v, r); break;
    default: msg = wire::decode_handshake(*type, v, r); break;
  }
  if (!msg) return Unexpected<OfError>{msg.error()};
  if (!r.ok()) return bad_len("message body truncated");
  if (r.remaining() != 0) return bad_len("trailing bytes after message body");
  return Envelope{v, h.xid, std::move(*msg)};
}

OfResult<Ok> encode(const Message& msg, Version v, Xid xid, std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(v));
  w.u8(0);  // type, patched below
  w.u16(0);
  w.u32(xid.value);
  auto type = std::visit([&](const auto& m) { return wire::encode_msg(m, v, w); }, msg);
  if (!type || out.size() - start > kMaxMessageLen) {
    out.resize(start);
    if (!type) return Unexpected<OfError>{type.error()};
    return bad_len("message exceeds 65535 bytes");
  }
  out[start + 1] = v == Version::V13 ? *type : wire_type10(*type);
  w.patch_u16(start + 2, static_cast<std::uint16_t>(out.size() - start));
  return Ok{};
}

std::vector<std::uint8_t> encode_or_empty(const Message& msg, Version v, Xid xid) {
  std::vector<std::uint8_t> out;
  if (!encode(msg, v, xid, out)) out.clear();
  return out;
}

void encode_error_reply(const OfError& err, Version v, Xid xid, Bytes offending,
                        std::vector<std::uint8_t>& out) {
  ErrorCode c = err.code;
  // 1.0 has no instruction/match error types: report a bad request.
  if (v == Version::V10 && c.type > ErrorType::kBadAction) c = code::kBadLen;
  const Bytes data = offending.first(std::min<std::size_t>(offending.size(), 64));
  (void)encode(ErrorMsg{static_cast<std::uint16_t>(c.type), c.value, data}, v, xid, out);
}

std::optional<Version> negotiate(std::uint8_t peer_header_version, const Hello& peer_hello,
                                 std::uint32_t our_bitmap) {
  if (peer_hello.version_bitmap != 0) {
    const std::uint32_t common = peer_hello.version_bitmap & our_bitmap;
    if (common == 0) return std::nullopt;
    return static_cast<Version>(31 - std::countl_zero(common));
  }
  // No bitmap: the lower of the two highest versions, if we support it.
  const int ours = 31 - std::countl_zero(our_bitmap);
  const int chosen = std::min<int>(ours, peer_header_version);
  if (chosen < 0 || chosen > 31 || !(our_bitmap >> chosen & 1u)) return std::nullopt;
  return static_cast<Version>(chosen);
}

const char* message_name(const Message& msg) {
  static constexpr const char* kNames[] = {
      "HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "FEATURES_REQUEST", "FEATURES_REPLY",
      "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN", "PACKET_OUT",
      "FLOW_MOD", "FLOW_REMOVED", "PORT_STATUS", "BARRIER_REQUEST", "BARRIER_REPLY",
      "ROLE_REQUEST", "ROLE_REPLY", "ROLE_STATUS", "DESC_REQUEST", "DESC_REPLY", "FLOW_STATS_REQUEST",
      "FLOW_STATS_REPLY", "AGGREGATE_STATS_REQUEST", "AGGREGATE_STATS_REPLY",
      "TABLE_STATS_REQUEST", "TABLE_STATS_REPLY", "PORT_STATS_REQUEST", "PORT_STATS_REPLY",
      "PORT_DESC_REQUEST", "PORT_DESC_REPLY", "METER_MOD"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[msg.index()];
}

}  // namespace fmc::of

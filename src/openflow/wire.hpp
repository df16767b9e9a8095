#pragma once
// Internal to the codec: per-message body encoders/decoders. Each decoder
// reads the body (after the 8-byte header); each encoder writes it.
#include "openflow/codec.hpp"

namespace fmc::of::wire {

// Message type numbers in OpenFlow 1.3's numbering; 1.0 is mapped onto it.
namespace type {
inline constexpr std::uint8_t kHello = 0, kError = 1, kEchoRequest = 2, kEchoReply = 3,
                              kExperimenter = 4, kFeaturesRequest = 5, kFeaturesReply = 6,
                              kGetConfigRequest = 7, kGetConfigReply = 8, kSetConfig = 9,
                              kPacketIn = 10, kFlowRemoved = 11, kPortStatus = 12,
                              kPacketOut = 13, kFlowMod = 14, kMultipartRequest = 18,
                              kMultipartReply = 19, kBarrierRequest = 20, kBarrierReply = 21,
                              kRoleRequest = 24, kRoleReply = 25, kMeterMod = 29;
}
// Experimenter messages we model (1.3): ONF's role status.
namespace onf {
inline constexpr std::uint32_t kExperimenterId = 0x4F4E4600;
inline constexpr std::uint32_t kRoleStatus = 1911;
}
namespace mp {
inline constexpr std::uint16_t kDesc = 0, kFlow = 1, kAggregate = 2, kTable = 3, kPort = 4,
                               kPortDesc = 13;
}

OfResult<Message> decode_handshake(std::uint8_t type, Version v, ByteReader& r);
OfResult<Message> decode_packet(std::uint8_t type, Version v, ByteReader& r);
OfResult<Message> decode_flow(std::uint8_t type, Version v, ByteReader& r);
OfResult<Message> decode_port_status(Version v, ByteReader& r);
OfResult<Message> decode_multipart(std::uint8_t type, Version v, ByteReader& r);
OfResult<Message> decode_meter_mod(Version v, ByteReader& r);

// Body encoders, one per message; each returns the 1.3-numbered message
// type it wrote, or an error if the version cannot express the message.
using EncodeResult = OfResult<std::uint8_t>;
EncodeResult encode_msg(const Hello& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const ErrorMsg& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const EchoRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const EchoReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const FeaturesRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const FeaturesReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const GetConfigRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const GetConfigReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const SetConfig& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PacketIn& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PacketOut& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const FlowMod& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const FlowRemoved& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PortStatus& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const BarrierRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const BarrierReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const RoleRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const RoleReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const RoleStatus& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const DescRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const DescReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const FlowStatsRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const FlowStatsReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const AggregateStatsRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const AggregateStatsReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const TableStatsRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const TableStatsReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PortStatsRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PortStatsReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PortDescRequest& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const PortDescReply& m, Version v, ByteWriter& w);
EncodeResult encode_msg(const MeterMod& m, Version v, ByteWriter& w);

void encode_port(const Port& p, Version v, ByteWriter& w);
Port decode_port(Version v, ByteReader& r);
inline constexpr std::size_t port_len(Version v) { return v == Version::V13 ? 64 : 48; }

inline Unexpected<OfError> not_in_version() {
  return fail(code::kBadType, "message not available in this OpenFlow version");
}

}  // namespace fmc::of::wire

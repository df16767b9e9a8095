// Every message each version can express survives encode -> decode ->
// encode byte for byte, and decodes to the fields it was built from.
#include <gtest/gtest.h>

#include "openflow/codec.hpp"
#include "support/sample_messages.hpp"

using namespace fmc;
using namespace fmc::of;

namespace {

class RoundTrip : public ::testing::TestWithParam<Version> {};

TEST_P(RoundTrip, EveryMessageIsByteStable) {
  const Version v = GetParam();
  for (const auto& sample : test_support::sample_messages(v)) {
    SCOPED_TRACE(sample.name);
    std::vector<std::uint8_t> first;
    auto enc = encode(sample.message, v, Xid{0x1234}, first);
    ASSERT_TRUE(enc) << enc.error().reason;
    auto dec = decode(first);
    ASSERT_TRUE(dec) << dec.error().reason;
    EXPECT_EQ(dec->version, v);
    EXPECT_EQ(dec->xid, Xid{0x1234});
    EXPECT_EQ(dec->message.index(), sample.message.index()) << message_name(dec->message);
    std::vector<std::uint8_t> second;
    ASSERT_TRUE(encode(dec->message, v, Xid{0x1234}, second));
    EXPECT_EQ(first, second);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, RoundTrip, ::testing::Values(Version::V10, Version::V13),
                         [](const auto& info) { return info.param == Version::V10 ? "OF10" : "OF13"; });

const Message& find(const std::vector<test_support::Sample>& samples, const std::string& name) {
  for (const auto& s : samples)
    if (s.name == name) return s.message;
  throw std::runtime_error("no sample " + name);
}

Envelope round_trip(const Message& m, Version v) {
  static std::vector<std::vector<std::uint8_t>> keep;  // decoded spans point into these
  keep.push_back(encode_or_empty(m, v));
  auto dec = decode(keep.back());
  EXPECT_TRUE(dec);
  return std::move(*dec);
}

}  // namespace

TEST(RoundTripFields, FlowModKeepsMatchAndInstructions13) {
  const auto samples = test_support::sample_messages(Version::V13);
  const auto& orig = std::get<FlowMod>(find(samples, "flow_mod_vlan_modify"));
  const auto env = round_trip(orig, Version::V13);
  const auto& got = std::get<FlowMod>(env.message);
  EXPECT_EQ(got.match, orig.match);
  EXPECT_EQ(got.instructions, orig.instructions);
  EXPECT_EQ(got.command, FlowModCommand::kModify);
}

TEST(RoundTripFields, FlowModKeepsMatchAndActions10) {
  const auto samples = test_support::sample_messages(Version::V10);
  const auto& orig = std::get<FlowMod>(find(samples, "flow_mod_add_rewrite"));
  const auto env = round_trip(orig, Version::V10);
  const auto& got = std::get<FlowMod>(env.message);
  EXPECT_EQ(got.match, orig.match);
  EXPECT_EQ(got.instructions, orig.instructions);
  EXPECT_EQ(got.idle_timeout, 60);
  EXPECT_EQ(got.hard_timeout, 300);
  EXPECT_EQ(got.flags, flow_mod_flags::kSendFlowRem);
}

TEST(RoundTripFields, PacketInCarriesPortAndData) {
  for (Version v : {Version::V10, Version::V13}) {
    const auto samples = test_support::sample_messages(v);
    const auto& orig = std::get<PacketIn>(find(samples, "packet_in"));
    const auto env = round_trip(orig, v);
    const auto& got = std::get<PacketIn>(env.message);
    EXPECT_EQ(got.in_port, PortNo{2});
    EXPECT_EQ(got.buffer_id, kNoBuffer);
    ASSERT_EQ(got.data.size(), orig.data.size());
    EXPECT_TRUE(std::equal(got.data.begin(), got.data.end(), orig.data.begin()));
  }
}

TEST(RoundTripFields, PortsKeepNamesAndNumbers) {
  for (Version v : {Version::V10, Version::V13}) {
    const auto env = round_trip(PortStatus{port_reason::kAdd, Port{PortNo{7}, *net::MacAddr::parse("02:00:00:00:00:07"), "wlan2-ap"}}, v);
    const auto& got = std::get<PortStatus>(env.message);
    EXPECT_EQ(got.desc.port_no, PortNo{7});
    EXPECT_EQ(got.desc.name, "wlan2-ap");
    EXPECT_EQ(got.desc.hw_addr.to_string(), "02:00:00:00:00:07");
  }
}

TEST(RoundTripFields, ReservedPortsMapBetweenVersions) {
  for (PortNo p : {port::kInPort, port::kFlood, port::kAll, port::kController, port::kLocal, port::kAny}) {
    EXPECT_EQ(port_from_wire10(port_to_wire10(p)), p);
  }
  EXPECT_EQ(port_to_wire10(port::kController), 0xfffd);
  EXPECT_EQ(port_to_wire10(port::kFlood), 0xfffb);
}

TEST(Encode, RefusesWhatTheVersionCannotExpress) {
  std::vector<std::uint8_t> out = {9, 9};
  FlowMod fm;
  fm.instructions = {GotoTable{1}};
  EXPECT_FALSE(encode(fm, Version::V10, Xid{1}, out));
  fm.instructions = {ApplyActions{{PushVlan{}}}};
  EXPECT_FALSE(encode(fm, Version::V10, Xid{1}, out));
  fm.instructions = {ApplyActions{{GroupAction{1}}}};
  EXPECT_FALSE(encode(fm, Version::V10, Xid{1}, out));
  EXPECT_FALSE(encode(RoleRequest{}, Version::V10, Xid{1}, out));
  EXPECT_FALSE(encode(PortDescRequest{}, Version::V10, Xid{1}, out));
  FlowMod masked;
  masked.match.eth_dst = Masked<net::MacAddr>{*net::MacAddr::parse("01:00:00:00:00:00"), *net::MacAddr::parse("01:00:00:00:00:00")};
  EXPECT_FALSE(encode(masked, Version::V10, Xid{1}, out));
  // Failed encodes leave the buffer as it was.
  EXPECT_EQ(out, (std::vector<std::uint8_t>{9, 9}));
}

TEST(SetField, HoldsExactlyOneUnmaskedField) {
  const auto a = *net::Ipv4Addr::parse("10.9.0.7");
  const auto m = *net::MacAddr::parse("02:00:00:00:00:99");
  EXPECT_FALSE(SetField::of(Match{}));
  EXPECT_FALSE(SetField::of(Match{.tcp_src = 1, .tcp_dst = 2}));
  EXPECT_FALSE(SetField::of(Match{.ipv4_dst = Masked<net::Ipv4Addr>{a, net::Ipv4Addr{0xffffff00}}}));
  for (const Match& one : {Match{.in_port = PortNo{7}}, Match{.eth_dst = Masked<net::MacAddr>{m, std::nullopt}},
                           Match{.vlan_vid = std::uint16_t(kVlanPresent | 20)}, Match{.ip_proto = 17},
                           Match{.ipv4_src = Masked<net::Ipv4Addr>{a, std::nullopt}}, Match{.udp_dst = 67},
                           Match{.arp_tha = m}}) {
    const auto set = SetField::of(one);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->as_match(), one);
  }
  EXPECT_EQ(SetField::ipv4(OxmField::kIpv4Dst, a).as_match(),
            (Match{.ipv4_dst = Masked<net::Ipv4Addr>{a, std::nullopt}}));
}

TEST(SetField, AMaskedSetFieldOnTheWireIsRefused) {
  // OFPAT_SET_FIELD (25), 16 bytes: OXM ipv4_dst with its mask bit, 4 + 4 bytes.
  const std::vector<std::uint8_t> action = {0, 25, 0, 16, 0x80, 0x00, 12 << 1 | 1, 8, 10, 9, 0, 7, 255, 255, 255, 0};
  const auto got = decode_actions(action, Version::V13);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, code::kBadSetType);
  auto unmasked = action;
  unmasked[6] = 12 << 1;
  unmasked[7] = 4;
  const auto ok = decode_actions(unmasked, Version::V13);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at(0), Action{SetField::ipv4(OxmField::kIpv4Dst, *net::Ipv4Addr::parse("10.9.0.7"))});
}

TEST(RoundTripFields, MeterModAndTheMeterInstruction13) {
  const auto samples = test_support::sample_messages(Version::V13);
  const auto& orig = std::get<MeterMod>(find(samples, "meter_mod"));
  const auto got = std::get<MeterMod>(round_trip(orig, Version::V13).message);
  EXPECT_EQ(got.command, MeterModCommand::kAdd);
  EXPECT_EQ(got.flags, meter_flags::kPktps | meter_flags::kBurst);
  EXPECT_EQ(got.meter_id, 3u);
  EXPECT_EQ(got.bands, orig.bands);
  const auto& metered = std::get<FlowMod>(find(samples, "flow_mod_metered"));
  EXPECT_EQ(std::get<FlowMod>(round_trip(metered, Version::V13).message).instructions, metered.instructions);
  // 1.0 has no meters.
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(encode(orig, Version::V10, Xid{1}, out));
}

TEST(RoundTripFields, AMeterModWithABandWeDoNotSpeakIsRefused) {
  auto bytes = encode_or_empty(MeterMod{MeterModCommand::kAdd, meter_flags::kPktps, 1, {MeterBand{10, 0}}}, Version::V13);
  ASSERT_EQ(bytes.size(), 8u + 8u + 16u);
  bytes[17] = 2;  // DSCP remark
  auto dec = decode(bytes);
  ASSERT_FALSE(dec);
  EXPECT_EQ(dec.error().code, code::kBadBand);
  bytes[17] = 1;
  bytes[19] = 12;  // band length
  EXPECT_FALSE(decode(bytes));
}

// The learning switch against a fake datapath: asserts what it sends.
#include "apps/learning_switch.hpp"

#include <gtest/gtest.h>

#include "net/ethernet.hpp"
#include "support/fake_datapath.hpp"

using namespace fmc;
using test_support::FakeDatapath;

namespace {

struct Packet {
  std::vector<std::uint8_t> bytes;
  of::PacketIn pi;
};

Packet packet(std::uint32_t in_port, const char* dst, const char* src, std::uint32_t buffer = of::kNoBuffer) {
  Packet p;
  const std::uint8_t payload[46] = {};
  p.bytes = net::build_ethernet(*net::MacAddr::parse(dst), *net::MacAddr::parse(src), net::ethertype::kIpv4, payload);
  p.pi.in_port = of::PortNo{in_port};
  p.pi.buffer_id = buffer;
  p.pi.data = p.bytes;
  return p;
}

of::PortNo output_of(const of::ActionList& actions) { return std::get<of::Output>(actions.at(0)).port; }

}  // namespace

TEST(LearningSwitch, SwitchUpResyncsFlows) {
  apps::LearningSwitch app;
  FakeDatapath dp(of::Version::V13);
  app.on_switch_up(dp);
  ASSERT_EQ(dp.sent.size(), 2u);
  EXPECT_EQ(std::get<of::FlowMod>(dp.sent[0]).command, of::FlowModCommand::kDelete);
  EXPECT_EQ(std::get<of::FlowMod>(dp.sent[1]).priority, 0);
  EXPECT_EQ(dp.barriers.size(), 1u);
}

TEST(LearningSwitch, UnknownDestinationIsFloodedKnownGetsAFlow) {
  apps::LearningSwitch app;
  FakeDatapath dp(of::Version::V13);
  auto a = packet(1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0a");
  EXPECT_EQ(app.on_packet_in(dp, a.pi), ctl::Disposition::kConsumed);
  ASSERT_EQ(dp.sent.size(), 1u);
  EXPECT_EQ(output_of(std::get<of::PacketOut>(dp.sent[0]).actions), of::port::kFlood);
  EXPECT_EQ(app.learned_port(dp.dpid(), *net::MacAddr::parse("02:00:00:00:00:0a")), of::PortNo{1});

  dp.sent.clear();
  auto b = packet(2, "02:00:00:00:00:0a", "02:00:00:00:00:0b", 77);
  app.on_packet_in(dp, b.pi);
  // Buffered packet: the flow-mod releases it, no packet-out needed.
  ASSERT_EQ(dp.sent.size(), 1u);
  const auto& fm = std::get<of::FlowMod>(dp.sent[0]);
  EXPECT_EQ(fm.buffer_id, 77u);
  EXPECT_EQ(fm.match.in_port, of::PortNo{2});
  EXPECT_EQ(output_of(std::get<of::ApplyActions>(fm.instructions.at(0)).actions), of::PortNo{1});
}

TEST(LearningSwitch, HostThatMovesHasItsOldFlowsRemoved) {
  apps::LearningSwitch app;
  FakeDatapath dp(of::Version::V13);
  auto first = packet(1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0a");
  app.on_packet_in(dp, first.pi);
  dp.sent.clear();
  auto moved = packet(3, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0a");
  app.on_packet_in(dp, moved.pi);
  ASSERT_GE(dp.sent.size(), 2u);
  const auto& del = std::get<of::FlowMod>(dp.sent[0]);
  EXPECT_EQ(del.command, of::FlowModCommand::kDelete);
  EXPECT_EQ(del.match.eth_dst->value.to_string(), "02:00:00:00:00:0a");
  EXPECT_EQ(app.learned_port(dp.dpid(), *net::MacAddr::parse("02:00:00:00:00:0a")), of::PortNo{3});
}

TEST(LearningSwitch, HairpinIsDroppedAndRuntsIgnored) {
  apps::LearningSwitch app;
  FakeDatapath dp(of::Version::V10);
  auto a = packet(1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0a");
  app.on_packet_in(dp, a.pi);
  dp.sent.clear();
  auto same_port = packet(1, "02:00:00:00:00:0a", "02:00:00:00:00:0c");
  app.on_packet_in(dp, same_port.pi);
  EXPECT_TRUE(dp.sent.empty());

  of::PacketIn runt;
  const std::uint8_t bytes[5] = {1, 2, 3, 4, 5};
  runt.data = bytes;
  EXPECT_EQ(app.on_packet_in(dp, runt), ctl::Disposition::kContinue);
  EXPECT_TRUE(dp.sent.empty());
}

TEST(LearningSwitch, PortDownForgetsHostsBehindIt) {
  apps::LearningSwitch app;
  FakeDatapath dp(of::Version::V13);
  auto a = packet(4, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0a");
  app.on_packet_in(dp, a.pi);
  of::PortStatus ps;
  ps.reason = of::port_reason::kDelete;
  ps.desc.port_no = of::PortNo{4};
  app.on_port_status(dp, ps);
  EXPECT_FALSE(app.learned_port(dp.dpid(), *net::MacAddr::parse("02:00:00:00:00:0a")));
}

TEST(LearningSwitch, TableSizeIsBounded) {
  apps::LearningSwitchOptions options;
  options.max_macs_per_switch = 2;
  apps::LearningSwitch app(options);
  FakeDatapath dp(of::Version::V13);
  for (const char* src : {"02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"}) {
    auto p = packet(1, "ff:ff:ff:ff:ff:ff", src);
    app.on_packet_in(dp, p.pi);
  }
  EXPECT_TRUE(app.learned_port(dp.dpid(), *net::MacAddr::parse("02:00:00:00:00:02")));
  EXPECT_FALSE(app.learned_port(dp.dpid(), *net::MacAddr::parse("02:00:00:00:00:03")));
  EXPECT_EQ(app.refused_to_learn(), 1u);
}

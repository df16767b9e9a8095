#include "fmc/arp/arp_proxy.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"
#include "net/ethernet.hpp"
#include "fmc/pipeline/flows.hpp"
#include "support/run_effects.hpp"

using namespace fmc;
using test_support::FakeDatapath;

namespace {

net::MacAddr mac(const char* t) { return *net::MacAddr::parse(t); }
net::Ipv4Addr ip(const char* t) { return *net::Ipv4Addr::parse(t); }

struct Fixture {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  EventBus bus;
  ManualClock clock;
  LocationManager lm{model, bus, nullptr, clock};
  ArpProxy proxy{model, lm, bus};
  FakeDatapath dc1{of::Version::V13, of::Dpid{0xd1}};
  FakeDatapath wlan1{of::Version::V13, of::Dpid{0xa1}};
  std::vector<SecurityEvent> security;
  std::vector<std::vector<std::uint8_t>> frames;  // keep packet-in data alive
  Fixture() {
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* s = std::get_if<SecurityEvent>(&e)) security.push_back(*s);
    });
  }
  ctl::Disposition arp(FakeDatapath& dp, std::uint32_t port, std::uint16_t op, const char* sha, const char* spa,
                       const char* tpa, const char* eth_dst = "ff:ff:ff:ff:ff:ff", const char* tha = "00:00:00:00:00:00") {
    frames.push_back(net::build_arp_frame(op, mac(eth_dst), mac(sha), ip(spa), mac(tha), ip(tpa)));
    of::PacketIn pi;
    pi.in_port = of::PortNo{port};
    pi.data = frames.back();
    return packet_in(dp, pi);
  }
  ctl::Disposition packet_in(FakeDatapath& dp, const of::PacketIn& pi) {
    test_support::run(proxy.on_arp(classify(model, dp.dpid(), pi)), {&dp});
    return ctl::Disposition::kConsumed;
  }
};

net::ArpView reply_in(const of::PacketOut& po) {
  auto eth = net::EthernetView::parse(po.data);
  EXPECT_TRUE(eth);
  auto arp = net::ArpView::parse(eth->payload);
  EXPECT_TRUE(arp);
  return *arp;
}

}  // namespace

TEST(ArpProxy, TheBasePipelineBringsAllArpToTheController) {
  const auto base = pipeline::base();
  const auto arp = std::find_if(base.begin(), base.end(),
                                [](const of::FlowMod& fm) { return fm.match.eth_type == std::uint16_t{0x0806}; });
  ASSERT_NE(arp, base.end());
  EXPECT_EQ(arp->cookie, pipeline::cookie::kArpProxy);
  EXPECT_GT(arp->priority, pipeline::priority::kBackToRouter);
}

TEST(ArpProxy, AnswersForTheGatewayOnTheIngressPort) {
  Fixture f;
  EXPECT_EQ(f.arp(f.dc1, 2, net::arp_op::kRequest, "02:00:00:01:00:10", "10.1.0.10", "10.1.0.1"), ctl::Disposition::kConsumed);
  const auto outs = f.dc1.sent_of<of::PacketOut>();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].actions.at(0), (of::Action{of::Output{of::PortNo{2}, 0}}));
  const auto reply = reply_in(outs[0]);
  EXPECT_EQ(reply.op, net::arp_op::kReply);
  EXPECT_EQ(reply.sha, mac("02:fe:00:00:01:01"));
  EXPECT_EQ(reply.spa, ip("10.1.0.1"));
  EXPECT_EQ(reply.tha, mac("02:00:00:01:00:10"));
  EXPECT_EQ(f.proxy.stats().answered, 1u);
}

TEST(ArpProxy, AnswersForKnownEndpointsAndTheirVisitingAddress) {
  Fixture f;
  f.arp(f.wlan1, 2, net::arp_op::kRequest, "02:fe:00:00:0a:01", "10.10.1.1", "10.1.0.10");
  f.lm.set_visiting_ip("vm1", ip("10.2.0.200"));
  f.arp(f.dc1, 1, net::arp_op::kRequest, "02:fe:00:00:01:01", "10.1.0.1", "10.2.0.200");
  const auto a = f.wlan1.sent_of<of::PacketOut>();
  const auto b = f.dc1.sent_of<of::PacketOut>();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(reply_in(a[0]).sha, mac("02:00:00:01:00:10"));
  EXPECT_EQ(reply_in(b[0]).sha, mac("02:00:00:01:00:10"));
  EXPECT_EQ(reply_in(b[0]).spa, ip("10.2.0.200"));
}

TEST(ArpProxy, UnknownTargetsGetNoAnswerAndNoState) {
  Fixture f;
  f.arp(f.dc1, 2, net::arp_op::kRequest, "02:00:00:01:00:10", "10.1.0.10", "10.1.0.77");
  EXPECT_TRUE(f.dc1.sent.empty());
  EXPECT_EQ(f.proxy.stats().unknown_target, 1u);
  EXPECT_FALSE(f.lm.by_ip(ip("10.1.0.77")));
}

TEST(ArpProxy, GratuitousArpClaimingTheGatewayChangesNothing) {
  Fixture f;
  f.arp(f.dc1, 2, net::arp_op::kRequest, "02:66:66:66:66:66", "10.1.0.1", "10.1.0.1");
  EXPECT_TRUE(f.dc1.sent.empty());
  ASSERT_EQ(f.security.size(), 1u);
  EXPECT_EQ(f.security[0].kind, SecurityKind::kGatewayClaim);
  // The next request is still answered with the real gateway.
  f.arp(f.dc1, 2, net::arp_op::kRequest, "02:00:00:01:00:10", "10.1.0.10", "10.1.0.1");
  EXPECT_EQ(reply_in(f.dc1.sent_of<of::PacketOut>().at(0)).sha, mac("02:fe:00:00:01:01"));
}

TEST(ArpProxy, ReplyPoisoningAnEndpointIsRefused) {
  Fixture f;
  f.arp(f.wlan1, 2, net::arp_op::kReply, "02:66:66:66:66:66", "10.1.0.10", "10.10.1.100", "02:00:00:0a:00:64",
        "02:00:00:0a:00:64");
  EXPECT_TRUE(f.wlan1.sent.empty());
  ASSERT_EQ(f.security.size(), 1u);
  EXPECT_EQ(f.security[0].kind, SecurityKind::kArpConflict);
  EXPECT_EQ(f.lm.by_ip(ip("10.1.0.10"))->mac, mac("02:00:00:01:00:10"));
}

TEST(ArpProxy, LearnsAClientsAddressOnlyInsideItsSiteAndWithoutConflict) {
  Fixture f;
  f.arp(f.wlan1, 2, net::arp_op::kRequest, "02:00:00:0a:00:64", "10.10.1.100", "10.10.1.1");
  EXPECT_EQ(f.lm.by_ip(ip("10.10.1.100"))->name, "client1");
  // A client claiming a DC address at its WLAN is not learned.
  f.arp(f.wlan1, 2, net::arp_op::kRequest, "02:00:00:0a:00:64", "10.2.0.50", "10.10.1.1");
  EXPECT_FALSE(f.lm.by_ip(ip("10.2.0.50")));
  // A VM's address is configured, never learned.
  f.arp(f.dc1, 2, net::arp_op::kRequest, "02:00:00:01:00:10", "10.1.0.11", "10.1.0.1");
  EXPECT_FALSE(f.lm.by_ip(ip("10.1.0.11")));
}

TEST(ArpProxy, RouterRequestsForUnknownHostsAreRelayedAndTheAnswerReturned) {
  Fixture f;
  f.arp(f.wlan1, 1, net::arp_op::kRequest, "02:fe:00:00:0a:01", "10.10.1.1", "10.10.1.150");
  auto outs = f.wlan1.sent_of<of::PacketOut>();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].actions.at(0), (of::Action{of::Output{of::port::kFlood, 0}}));
  EXPECT_EQ(outs[0].in_port, of::PortNo{1});
  // A host the table does not know answers: relayed to the router (uplink), not learned.
  f.arp(f.wlan1, 2, net::arp_op::kReply, "02:00:00:0a:00:99", "10.10.1.150", "10.10.1.1", "02:fe:00:00:0a:01",
        "02:fe:00:00:0a:01");
  outs = f.wlan1.sent_of<of::PacketOut>();
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[1].actions.at(0), (of::Action{of::Output{of::PortNo{1}, 0}}));
  EXPECT_FALSE(f.lm.by_ip(ip("10.10.1.150")));
}

TEST(ArpProxy, MalformedArpIsCountedAndDropped) {
  Fixture f;
  std::vector<std::uint8_t> frame = net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(),
                                                         mac("02:00:00:01:00:10"), ip("10.1.0.10"), {}, ip("10.1.0.1"));
  frame[6] ^= 0xff;  // Ethernet source differs from the ARP sender
  of::PacketIn pi;
  pi.in_port = of::PortNo{2};
  pi.data = frame;
  EXPECT_EQ(f.packet_in(f.dc1, pi), ctl::Disposition::kConsumed);
  frame.resize(20);
  pi.data = frame;
  EXPECT_EQ(f.packet_in(f.dc1, pi), ctl::Disposition::kConsumed);
  EXPECT_EQ(f.proxy.stats().malformed, 2u);
  EXPECT_TRUE(f.dc1.sent.empty());
}

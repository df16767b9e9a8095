// Mobility Detector and Packet Manipulator against fake switches.
#include <gtest/gtest.h>

#include <algorithm>

#include "apps/flow_plan.hpp"
#include "fmc/config_yaml.hpp"
#include "fmc/mobility_detector.hpp"
#include "fmc/packet_manipulator.hpp"
#include "net/arp.hpp"
#include "net/ethernet.hpp"
#include "support/fake_datapath.hpp"

using namespace fmc;
using test_support::FakeDatapath;

namespace {

net::MacAddr mac(const char* t) { return *net::MacAddr::parse(t); }
net::Ipv4Addr ip(const char* t) { return *net::Ipv4Addr::parse(t); }
const char* kVm1Mac = "02:00:00:01:00:10";

struct Fixture {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  EventBus bus;
  LocationManager lm{model, bus, nullptr, [] { return 0; }};
  MigrationsInFlight migrations;
  MobilityDetector detector{model, lm, bus, migrations};
  SwitchDirectory directory;
  std::vector<MoveConverged> converged;
  PacketManipulator manipulator{model, lm, bus, directory, [this](const MoveConverged& c) { converged.push_back(c); }};
  FakeDatapath dc1{of::Version::V13, of::Dpid{0xd1}}, dc2{of::Version::V13, of::Dpid{0xd2}};
  FakeDatapath wlan1{of::Version::V13, of::Dpid{0xa1}}, wlan2{of::Version::V13, of::Dpid{0xa2}};
  std::vector<EndpointMoved> moves;
  std::vector<SecurityEvent> security;
  std::vector<std::vector<std::uint8_t>> frames;

  Fixture() {
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* m = std::get_if<EndpointMoved>(&e)) moves.push_back(*m);
      if (const auto* s = std::get_if<SecurityEvent>(&e)) security.push_back(*s);
    });
    for (auto* dp : {&dc1, &dc2, &wlan1, &wlan2}) directory.on_switch_up(*dp);
  }
  ctl::Disposition packet(FakeDatapath& dp, std::uint32_t port, std::vector<std::uint8_t> frame) {
    frames.push_back(std::move(frame));
    of::PacketIn pi;
    pi.in_port = of::PortNo{port};
    pi.data = frames.back();
    return detector.on_packet_in(dp, pi);
  }
  ctl::Disposition garp(FakeDatapath& dp, std::uint32_t port, const char* m = kVm1Mac, const char* a = "10.1.0.10") {
    return packet(dp, port, net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(), mac(m), ip(a), {}, ip(a)));
  }
  void port_gone(FakeDatapath& dp, std::uint32_t port) {
    of::PortStatus ps;
    ps.reason = of::port_reason::kDelete;
    ps.desc.port_no = of::PortNo{port};
    detector.on_port_status(dp, ps);
  }
  void confirm_all() {
    for (auto* dp : {&dc1, &dc2, &wlan1, &wlan2}) {
      for (auto& b : dp->barriers) b(ctl::BarrierOutcome{});
      dp->barriers.clear();
    }
  }
  // A step of migration 1, vm1 dc1 -> dc2.
  void step(const char* phase) { bus.publish(MigrationStep{1, "vm1", "dc1", "dc2", phase}); }
  void clear_sent() {
    for (auto* dp : {&dc1, &dc2, &wlan1, &wlan2}) dp->sent.clear();
  }
};

bool has_flow(const FakeDatapath& dp, std::uint8_t table, const std::function<bool(const of::FlowMod&)>& pred) {
  for (const auto& f : dp.sent_of<of::FlowMod>())
    if (f.command == of::FlowModCommand::kAdd && f.table_id == table && pred(f)) return true;
  return false;
}

}  // namespace

TEST(MobilityDetector, SwitchUpInstallsPipelineAndHomeRules) {
  Fixture f;
  f.detector.on_switch_up(f.dc1);
  const auto flows = f.dc1.sent_of<of::FlowMod>();
  ASSERT_FALSE(flows.empty());
  EXPECT_EQ(flows[0].command, of::FlowModCommand::kDelete);
  EXPECT_TRUE(has_flow(f.dc1, apps::plan::kForwardTable, [](const of::FlowMod& fm) {
    return fm.match.eth_dst && fm.match.eth_dst->value == mac(kVm1Mac) &&
           std::get<of::ApplyActions>(fm.instructions.at(0)).actions.at(0) == of::Action{of::Output{of::PortNo{2}, 0}};
  }));
  EXPECT_TRUE(has_flow(f.dc1, apps::plan::kForwardTable, [](const of::FlowMod& fm) {
    return fm.match.in_port == of::PortNo{2} && fm.match.eth_src && fm.match.eth_src->value == mac(kVm1Mac);
  }));
  // vm1 is not at home in dc2: no rules for it there.
  f.detector.on_switch_up(f.dc2);
  EXPECT_FALSE(has_flow(f.dc2, apps::plan::kForwardTable, [](const of::FlowMod& fm) {
    return fm.match.eth_dst && fm.match.eth_dst->value == mac(kVm1Mac);
  }));
}

TEST(MobilityDetector, FirstSightingAtHomeIsAccepted) {
  Fixture f;
  EXPECT_EQ(f.garp(f.dc1, 2), ctl::Disposition::kContinue);  // the ARP proxy still sees it
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_TRUE(f.moves[0].at_home);
}

TEST(MobilityDetector, MoveWhileOldLocationIsLiveIsRefused) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.garp(f.dc2, 2);
  EXPECT_EQ(f.moves.size(), 1u);
  ASSERT_EQ(f.security.size(), 1u);
  EXPECT_EQ(f.security[0].kind, "spoofed-move");
  EXPECT_EQ(f.lm.by_name("vm1")->current->site, "dc1");
  EXPECT_EQ(f.detector.stats().moves_refused, 1u);
}

TEST(MobilityDetector, MoveAfterOldPortWentAwayIsAccepted) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.port_gone(f.dc1, 2);
  f.garp(f.dc2, 2);
  ASSERT_EQ(f.moves.size(), 2u);
  EXPECT_EQ(f.moves[1].to.site, "dc2");
  EXPECT_EQ(f.moves[1].cause, MoveCause::kGratuitousArp);
  EXPECT_FALSE(f.moves[1].at_home);
}

TEST(MobilityDetector, OrderedMigrationIsTrustedAndTheTriggeringPacketReinjected) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.migrations.expect("vm1", "dc2");
  // An IPv4 packet (not ARP) reveals the move.
  std::vector<std::uint8_t> ipv4(20, 0);
  ipv4[0] = 0x45;
  ipv4[3] = 20;
  EXPECT_EQ(f.packet(f.dc2, 2, net::build_ethernet(mac("02:fe:00:00:01:01"), mac(kVm1Mac), net::ethertype::kIpv4, ipv4)),
            ctl::Disposition::kConsumed);
  ASSERT_EQ(f.moves.size(), 2u);
  EXPECT_EQ(f.moves[1].cause, MoveCause::kMigration);
  const auto outs = f.dc2.sent_of<of::PacketOut>();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].actions.at(0), (of::Action{of::Output{of::port::kTable, 0}}));
  EXPECT_FALSE(f.migrations.expected("vm1", "dc2"));
}

TEST(MobilityDetector, RarpAnnouncementIsAMoveSignal) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.port_gone(f.dc1, 2);
  // QEMU announces a migrated guest with RARP requests from its MAC.
  const std::vector<std::uint8_t> rarp(28, 0);
  EXPECT_EQ(f.packet(f.dc2, 2, net::build_ethernet(net::MacAddr::broadcast(), mac(kVm1Mac), net::ethertype::kRarp, rarp)),
            ctl::Disposition::kConsumed);
  ASSERT_EQ(f.moves.size(), 2u);
  EXPECT_EQ(f.moves[1].cause, MoveCause::kGratuitousArp);
  EXPECT_TRUE(f.dc2.sent_of<of::PacketOut>().empty());  // an announcement is not re-injected
}

TEST(MobilityDetector, PortNotConfiguredForTheEndpointIsRefusedEvenIfQuiet) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.port_gone(f.dc1, 2);
  f.garp(f.dc2, 7);
  EXPECT_EQ(f.moves.size(), 1u);
  ASSERT_EQ(f.security.size(), 1u);
  EXPECT_NE(f.security[0].detail.find("not configured"), std::string::npos);
}

TEST(PacketManipulator, VisitingVmGetsTunnelAtVisitedAndCorrespondentSwitches) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.confirm_all();
  f.clear_sent();
  f.converged.clear();
  f.port_gone(f.dc1, 2);
  f.garp(f.dc2, 2);
  const Endpoint* vm = f.lm.by_name("vm1");
  ASSERT_TRUE(vm->visiting_ip);
  EXPECT_EQ(vm->visiting_ip->to_string(), "10.2.0.192");  // first of dc2's visitor block
  EXPECT_EQ(f.lm.by_ip(ip("10.2.0.192")), vm);

  // Visited switch: source rewrite at the first hop, original address back at the last.
  EXPECT_TRUE(has_flow(f.dc2, apps::plan::kVisitorTable, [](const of::FlowMod& fm) {
    return fm.match.ipv4_src && fm.match.ipv4_src->value == ip("10.1.0.10") && fm.match.in_port == of::PortNo{2};
  }));
  EXPECT_TRUE(has_flow(f.dc2, apps::plan::kVisitorTable, [](const of::FlowMod& fm) {
    return fm.match.ipv4_dst && fm.match.ipv4_dst->value == ip("10.2.0.192");
  }));
  // Correspondents (the client networks): destination rewrite and source restore.
  for (auto* dp : {&f.wlan1, &f.wlan2}) {
    EXPECT_TRUE(has_flow(*dp, apps::plan::kCorrespondentTable, [](const of::FlowMod& fm) {
      return fm.match.ipv4_dst && fm.match.ipv4_dst->value == ip("10.1.0.10");
    }));
    EXPECT_TRUE(has_flow(*dp, apps::plan::kCorrespondentTable, [](const of::FlowMod& fm) {
      return fm.match.ipv4_src && fm.match.ipv4_src->value == ip("10.2.0.192");
    }));
  }
  // Stale flows are removed everywhere first, by cookie and by IP.
  for (auto* dp : {&f.dc1, &f.dc2, &f.wlan1, &f.wlan2}) {
    const auto flows = dp->sent_of<of::FlowMod>();
    ASSERT_GE(flows.size(), 3u);
    EXPECT_EQ(flows[0].command, of::FlowModCommand::kDelete);
    EXPECT_EQ(flows[0].cookie, pipeline::tunnel_cookie(mac(kVm1Mac)));
    EXPECT_EQ(flows[1].match.ipv4_src->value, ip("10.1.0.10"));
    EXPECT_EQ(flows[2].match.ipv4_dst->value, ip("10.1.0.10"));
    EXPECT_EQ(dp->barriers.size(), 1u);
  }
  // Converged only when every switch confirmed.
  EXPECT_TRUE(f.converged.empty());
  f.confirm_all();
  ASSERT_EQ(f.converged.size(), 1u);
  EXPECT_TRUE(f.converged[0].ok);
  EXPECT_EQ(f.converged[0].site, "dc2");
}

TEST(PacketManipulator, ReturningHomeRemovesTheTunnel) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.port_gone(f.dc1, 2);
  f.garp(f.dc2, 2);
  f.confirm_all();
  f.clear_sent();
  f.port_gone(f.dc2, 2);
  f.detector.on_port_status(f.dc1, of::PortStatus{of::port_reason::kAdd, of::Port{of::PortNo{2}}});
  f.garp(f.dc1, 2);
  EXPECT_FALSE(f.lm.by_name("vm1")->visiting_ip);
  EXPECT_FALSE(f.lm.by_ip(ip("10.2.0.192")));
  for (auto* dp : {&f.dc1, &f.dc2, &f.wlan1, &f.wlan2}) {
    for (const auto& fm : dp->sent_of<of::FlowMod>()) EXPECT_EQ(fm.command, of::FlowModCommand::kDelete);
  }
}

TEST(PacketManipulator, ReconnectingSwitchGetsItsTunnelsBack) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.port_gone(f.dc1, 2);
  f.garp(f.dc2, 2);
  f.clear_sent();
  f.manipulator.on_switch_up(f.wlan1);
  EXPECT_TRUE(has_flow(f.wlan1, apps::plan::kCorrespondentTable, [](const of::FlowMod& fm) {
    return fm.match.ipv4_dst && fm.match.ipv4_dst->value == ip("10.1.0.10");
  }));
  f.manipulator.on_switch_up(f.dc1);  // vm1's home: only the stragglers' way back to the router
  const auto home = f.dc1.sent_of<of::FlowMod>();
  ASSERT_EQ(home.size(), 1u);
  EXPECT_EQ(home[0].match.in_port, of::PortNo{1});
}

TEST(PacketManipulator, HomeSwitchSendsStragglersToTheVisitingAddress) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.port_gone(f.dc1, 2);
  f.garp(f.dc2, 2);
  // Packets for vm1 still reaching dc1 from the router (sent before the
  // correspondents' rewrites) go back out of the uplink to 10.2.0.192.
  const auto flows = f.dc1.sent_of<of::FlowMod>();
  const auto fwd = std::find_if(flows.begin(), flows.end(), [](const of::FlowMod& fm) {
    return fm.command == of::FlowModCommand::kAdd && fm.table_id == apps::plan::kCorrespondentTable;
  });
  ASSERT_NE(fwd, flows.end());
  EXPECT_EQ(fwd->cookie, pipeline::tunnel_cookie(mac(kVm1Mac)));
  // Before a roaming client's rewrites, which the same packet may also match.
  EXPECT_GT(fwd->priority, apps::plan::priority::kTunnel);
  EXPECT_EQ(fwd->match.in_port, of::PortNo{1});
  EXPECT_EQ(fwd->match.ipv4_dst->value, ip("10.1.0.10"));
  const auto& actions = std::get<of::ApplyActions>(fwd->instructions.at(0)).actions;
  ASSERT_EQ(actions.size(), 4u);
  EXPECT_EQ(std::get<of::SetField>(actions[0]).field.ipv4_dst->value, ip("10.2.0.192"));
  EXPECT_EQ(std::get<of::SetField>(actions[2]).field.eth_dst->value, mac("02:fe:00:00:01:01"));  // dc1's router side
  EXPECT_EQ(actions[3], (of::Action{of::Output{of::port::kInPort, 0}}));
  EXPECT_EQ(fwd->instructions.size(), 1u);  // nothing else touches it here
}

TEST(MobilityDetector, SwitchoverMovesTheVmBeforeItAnnouncesItself) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.migrations.expect("vm1", "dc2");
  f.step("switchover");
  ASSERT_EQ(f.moves.size(), 2u);
  EXPECT_EQ(f.moves[1].to, (Location{"dc2", of::Dpid{0xd2}, of::PortNo{2}}));
  EXPECT_EQ(f.moves[1].cause, MoveCause::kMigration);
  EXPECT_FALSE(f.migrations.expected("vm1", "dc2"));
  // The guest's RARP at its target port afterwards is no news.
  const std::vector<std::uint8_t> rarp(28, 0);
  f.packet(f.dc2, 2, net::build_ethernet(net::MacAddr::broadcast(), mac(kVm1Mac), net::ethertype::kRarp, rarp));
  EXPECT_EQ(f.moves.size(), 2u);
  EXPECT_TRUE(f.security.empty());
  // Completion changes nothing more.
  f.step("completed");
  EXPECT_EQ(f.moves.size(), 2u);
}

TEST(MobilityDetector, AMigrationFailingAfterItsSwitchoverTakesTheVmBackToItsSource) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.step("switchover");
  f.step("failed");
  ASSERT_EQ(f.moves.size(), 3u);
  EXPECT_EQ(f.moves[2].to, (Location{"dc1", of::Dpid{0xd1}, of::PortNo{2}}));
  EXPECT_TRUE(f.moves[2].at_home);
  EXPECT_FALSE(f.lm.by_name("vm1")->visiting_ip);
}

TEST(MobilityDetector, AMigrationFailingBeforeItsSwitchoverMovesNothing) {
  Fixture f;
  f.garp(f.dc1, 2);
  f.step("started");
  f.step("cancelled");
  EXPECT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.lm.by_name("vm1")->current->site, "dc1");
}

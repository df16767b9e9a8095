// Mobility Detector and Packet Manipulator (the virtual tunnel), wired as the
// controller wires them, asserting packet fate: where a packet goes through
// the switches' flow tables and how it is rewritten.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "fmc/model/config_yaml.hpp"
#include "net/arp.hpp"
#include "net/ethernet.hpp"
#include "support/follow_me_world.hpp"

using namespace fmc;
using test_support::Fate;
using test_support::FakeSwitch;
using test_support::FollowMeWorld;

namespace {

net::MacAddr mac(const char* t) { return *net::MacAddr::parse(t); }
net::Ipv4Addr ip(const char* t) { return *net::Ipv4Addr::parse(t); }
const char* kVm1Mac = "02:00:00:01:00:10";
const char* kClientMac = "02:00:00:0a:00:64";
const char* kDc1Gw = "02:fe:00:00:01:01";
const char* kDc2Gw = "02:fe:00:00:02:01";

std::vector<std::uint8_t> udp(const char* src_mac, const char* dst_mac, const char* src, const char* dst) {
  const std::uint8_t payload[4] = {1, 2, 3, 4};
  return net::build_udp_frame({mac(src_mac), mac(dst_mac), ip(src), ip(dst), 5000, 6000}, payload);
}
std::vector<std::uint8_t> garp(const char* m = kVm1Mac, const char* a = "10.1.0.10") {
  return net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(), mac(m), ip(a), {}, ip(a));
}

struct World : FollowMeWorld {
  FakeSwitch &dc1 = sw(0xd1), &dc2 = sw(0xd2), &wlan1 = sw(0xa1), &wlan2 = sw(0xa2);
  World() : World(*model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml")) {}
  explicit World(model::NetworkModel m) : FollowMeWorld(std::move(m)) {
    up_all();
    lm.assign_ip("client1", ip("10.10.1.100"));
    packet_in(dc1, 2, garp());                                    // vm1 at home
    packet_in(wlan1, 2, garp(kClientMac, "10.10.1.100"));         // client1 at home
    clear_sent();
    moves.clear();
    converged.clear();
  }
  void port_gone(FakeSwitch& s, std::uint32_t port) {
    of::PortStatus ps;
    ps.reason = of::port_reason::kDelete;
    ps.desc.port_no = of::PortNo{port};
    dispatcher.on_port_status(s, ps);
  }
  void step(MigrationPhase phase) { publish(MigrationStep{1, "vm1", "dc1", "dc2", phase}); }
  // vm1 moved to dc2 port 2 by an ordered migration, revealed by its traffic.
  void migrate_vm1() {
    migrations.expect("vm1", "dc2");
    packet_in(dc2, 2, udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100"));
  }
};

void expect_out(const Fate& f, std::uint32_t port, const char* ip_src, const char* ip_dst) {
  const auto o = f.only();
  ASSERT_TRUE(o) << test_support::describe(f);
  EXPECT_EQ(o->port, of::PortNo{port}) << test_support::describe(f);
  EXPECT_EQ(o->packet.ipv4_src, ip(ip_src));
  EXPECT_EQ(o->packet.ipv4_dst, ip(ip_dst));
}

// `sent` is vm1's visiting address announced to the router: a gratuitous ARP out of the uplink.
void expect_announced(const FakeSwitch& s, const test_support::SentPacket& sent, const char* visiting) {
  const Fate f = s.fate_of(sent);
  const auto o = f.only();
  ASSERT_TRUE(o) << test_support::describe(f);
  EXPECT_EQ(o->port, of::PortNo{1});
  const auto arp = net::ArpView::parse(net::EthernetView::parse(sent.data)->payload);
  ASSERT_TRUE(arp);
  EXPECT_TRUE(arp->is_gratuitous());
  EXPECT_EQ(arp->spa, ip(visiting));
  EXPECT_EQ(arp->sha, mac(kVm1Mac));
}

}  // namespace

TEST(MobilityDetector, EndpointsAtHomeAreForwardedByProactiveRules) {
  World w;
  // To vm1 from the router, and vm1's own traffic to the router.
  expect_out(w.dc1.table.fate(of::PortNo{1}, udp(kDc1Gw, kVm1Mac, "10.10.1.100", "10.1.0.10")), 2, "10.10.1.100",
             "10.1.0.10");
  expect_out(w.dc1.table.fate(of::PortNo{2}, udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100")), 1, "10.1.0.10",
             "10.10.1.100");
  // vm1 is not at home in dc2: its packets there reach the controller.
  EXPECT_TRUE(w.dc2.table.fate(of::PortNo{2}, udp(kVm1Mac, kDc2Gw, "10.1.0.10", "10.10.1.100")).to_controller());
}

TEST(VirtualTunnel, AMigratedVmsPacketsAreRewrittenAtTheFirstAndLastHop) {
  World w;
  w.migrate_vm1();
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].cause, MoveCause::kMigration);
  const auto visiting = w.lm.by_name("vm1")->visiting_ip;
  ASSERT_TRUE(visiting);
  EXPECT_EQ(visiting->to_string(), "10.2.0.192");  // first of dc2's visitor block

  // Once the flows are in, dc2's switch tells its router where the visiting address is;
  // then the packet that revealed the move goes back through the new flows.
  ASSERT_EQ(w.dc2.packet_outs.size(), 2u);
  expect_announced(w.dc2, w.dc2.packet_outs[0], "10.2.0.192");
  const Fate reinjected = w.dc2.fate_of(w.dc2.packet_outs[1]);
  expect_out(reinjected, 1, "10.2.0.192", "10.10.1.100");
  EXPECT_EQ(reinjected.only()->packet.eth_dst, mac(kDc2Gw));

  // First hop out of dc2: routable source, dc2's router.
  const Fate out = w.dc2.table.fate(of::PortNo{2}, udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100"));
  expect_out(out, 1, "10.2.0.192", "10.10.1.100");
  // Last hop into dc2: the original address and the gateway MAC vm1 knows.
  const Fate in = w.dc2.table.fate(of::PortNo{1}, udp(kDc2Gw, "02:00:00:00:00:01", "10.10.1.100", "10.2.0.192"));
  expect_out(in, 2, "10.10.1.100", "10.1.0.10");
  EXPECT_EQ(in.only()->packet.eth_dst, mac(kVm1Mac));
  EXPECT_EQ(in.only()->packet.eth_src, mac(kDc1Gw));

  // The correspondent (client1 at wlan1): to the visiting address, and replies with the original source.
  expect_out(w.wlan1.table.fate(of::PortNo{2}, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10")), 1,
             "10.10.1.100", "10.2.0.192");
  expect_out(w.wlan1.table.fate(of::PortNo{1}, udp("02:fe:00:00:0a:01", kClientMac, "10.2.0.192", "10.10.1.100")), 2,
             "10.1.0.10", "10.10.1.100");

  // vm1's home: stragglers go back to the router, to the visiting address.
  const Fate straggler = w.dc1.table.fate(of::PortNo{1}, udp(kDc1Gw, kVm1Mac, "10.10.1.100", "10.1.0.10"));
  expect_out(straggler, 1, "10.10.1.100", "10.2.0.192");
  EXPECT_EQ(straggler.only()->packet.eth_dst, mac(kDc1Gw));

  // Converged once every switch confirmed.
  ASSERT_EQ(w.converged.size(), 1u);
  EXPECT_TRUE(w.converged[0].ok);
  EXPECT_EQ(w.converged[0].site, "dc2");
}

TEST(VirtualTunnel, AMoveLearntFromAnotherControllerIsAnnouncedToTheVisitedRouter) {
  World w;
  // The controller that migrated vm1 chose its visiting address; this one learns it from the store.
  w.lm.apply_stored(store::EndpointRecord{"vm1", store::EndpointKind::kVm, kVm1Mac, "10.1.0.10", "dc1", "dc2", 0xd2, 2,
                                          "10.2.0.200", 5},
                    7, false);
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].cause, MoveCause::kPeer);
  // Its router may have asked for 10.2.0.200 before this controller could answer: it is told now.
  ASSERT_EQ(w.dc2.packet_outs.size(), 1u);
  expect_announced(w.dc2, w.dc2.packet_outs[0], "10.2.0.200");
  expect_out(w.dc2.table.fate(of::PortNo{1}, udp(kDc2Gw, "02:00:00:00:00:01", "10.10.1.100", "10.2.0.200")), 2,
             "10.10.1.100", "10.1.0.10");
  EXPECT_TRUE(w.dc1.packet_outs.empty() && w.wlan1.packet_outs.empty() && w.wlan2.packet_outs.empty());
}

TEST(VirtualTunnel, ConvergedOnlyWhenEverySwitchConfirmed) {
  World w;
  for (auto& s : w.switches) s.hold_barriers = true;
  w.migrate_vm1();
  EXPECT_TRUE(w.converged.empty());
  for (auto& s : w.switches) s.release_barriers();
  ASSERT_EQ(w.converged.size(), 1u);
}

TEST(VirtualTunnel, ConvergenceCountsFromThePacketsArrivalWhenItIsKnown) {
  using namespace std::chrono_literals;
  World w;
  for (auto& s : w.switches) s.hold_barriers = true;
  w.dc2.received = w.clock.steady() - 3ms;  // read from dc2's connection 3 ms before it was handled
  w.migrate_vm1();
  w.clock.advance(2ms);
  for (auto& s : w.switches) s.release_barriers();
  ASSERT_EQ(w.converged.size(), 1u);
  EXPECT_EQ(w.converged[0].elapsed, 5ms);

  // When the packet's arrival is not known: from the move.
  World unknown;
  for (auto& s : unknown.switches) s.hold_barriers = true;
  unknown.migrate_vm1();
  unknown.clock.advance(2ms);
  for (auto& s : unknown.switches) s.release_barriers();
  ASSERT_EQ(unknown.converged.size(), 1u);
  EXPECT_EQ(unknown.converged[0].elapsed, 2ms);
}

TEST(VirtualTunnel, ReturningHomeRestoresEveryPacketsFate) {
  World w;
  w.migrate_vm1();
  w.port_gone(w.dc2, 2);
  w.packet_in(w.dc1, 2, garp());
  EXPECT_FALSE(w.lm.by_name("vm1")->visiting_ip);
  EXPECT_FALSE(w.lm.by_ip(ip("10.2.0.192")));
  expect_out(w.wlan1.table.fate(of::PortNo{2}, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10")), 1,
             "10.10.1.100", "10.1.0.10");
  expect_out(w.dc1.table.fate(of::PortNo{1}, udp(kDc1Gw, kVm1Mac, "10.10.1.100", "10.1.0.10")), 2, "10.10.1.100",
             "10.1.0.10");
  EXPECT_TRUE(w.dc2.table.fate(of::PortNo{2}, udp(kVm1Mac, kDc2Gw, "10.1.0.10", "10.10.1.100")).to_controller());
}

TEST(VirtualTunnel, AReconnectingSwitchGetsItsTunnelsBack) {
  World w;
  w.migrate_vm1();
  w.dispatcher.on_switch_down(w.wlan1.dpid());
  w.wlan1.table = test_support::FlowTable(pipeline::check);  // a switch that lost its flows
  w.dispatcher.on_switch_up(w.wlan1);
  expect_out(w.wlan1.table.fate(of::PortNo{2}, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10")), 1,
             "10.10.1.100", "10.2.0.192");
}

// Flows of `mac`'s virtual tunnel on a switch.
std::size_t tunnel_flows_of(const FakeSwitch& s, const char* m) {
  const auto cookie = pipeline::tunnel_cookie(mac(m));
  return std::count_if(s.table.entries().begin(), s.table.entries().end(),
                       [&](const of::FlowMod& f) { return f.cookie == cookie; });
}

TEST(VirtualTunnel, AVmsCorrespondentFlowsAreOnlyWhereItsUsersAreAndFollowThem) {
  World w;
  w.migrate_vm1();
  // vm1's one user, client1, is at wlan1: wlan2's switch serves nobody who talks to vm1.
  EXPECT_EQ(tunnel_flows_of(w.wlan1, kVm1Mac), 2u);
  EXPECT_EQ(tunnel_flows_of(w.wlan2, kVm1Mac), 0u);

  // client1 roams to wlan2 (its old port went away): vm1's correspondent flows go with it.
  w.port_gone(w.wlan1, 2);
  w.packet_in(w.wlan2, 2, udp(kClientMac, "02:fe:00:00:0a:02", "10.10.1.100", "10.1.0.10"));
  ASSERT_EQ(w.lm.by_name("client1")->current->site, "wlan2");
  EXPECT_EQ(tunnel_flows_of(w.wlan1, kVm1Mac), 0u);
  EXPECT_EQ(tunnel_flows_of(w.wlan2, kVm1Mac), 2u);
  const auto client_visiting = w.lm.by_name("client1")->visiting_ip;
  ASSERT_TRUE(client_visiting);
  // client1's packet to vm1: first its own tunnel's source, then vm1's visiting address.
  const Fate to_vm = w.wlan2.table.fate(of::PortNo{2}, udp(kClientMac, "02:fe:00:00:0a:02", "10.10.1.100", "10.1.0.10"));
  expect_out(to_vm, 1, client_visiting->to_string().c_str(), "10.2.0.192");
  // And client1's correspondent flows are at dc2 (vm1's site), not at dc1.
  EXPECT_EQ(tunnel_flows_of(w.dc2, kClientMac), 2u);
  EXPECT_EQ(tunnel_flows_of(w.dc1, kClientMac), 0u);

  // vm1 goes home: client1's correspondent flows follow it from dc2 to dc1.
  w.port_gone(w.dc2, 2);
  w.packet_in(w.dc1, 2, garp());
  EXPECT_EQ(tunnel_flows_of(w.dc2, kClientMac), 0u);
  EXPECT_EQ(tunnel_flows_of(w.dc1, kClientMac), 2u);
  for (const auto* s : {&w.dc1, &w.dc2, &w.wlan1, &w.wlan2}) EXPECT_EQ(tunnel_flows_of(*s, kVm1Mac), 0u);
}

// Fig. 1 with a second user of vm1's service, client2, at home in wlan2 (port 3 of each WLAN switch).
model::NetworkModel two_users_model() {
  std::ifstream in(FMC_SOURCE_DIR "/config/fig1.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto replace = [&](const std::string& from, const std::string& to) {
    for (auto at = yaml.find(from); at != std::string::npos; at = yaml.find(from, at + to.size())) yaml.replace(at, from.size(), to);
  };
  replace("client1: 2}", "client1: 2, client2: 3}");
  replace("users: [client1]", "users: [client1, client2]");
  replace("clients:\n", "clients:\n  - {name: client2, mac: \"02:00:00:0a:00:65\", home: wlan2}\n");
  return *model::parse_network_yaml(yaml, "fig1 with two users");
}

TEST(VirtualTunnel, AVmWithTwoUsersHasCorrespondentFlowsWhereEachOfThemIs) {
  World w(two_users_model());
  ASSERT_EQ(w.model.services.at(0).users.size(), 2u);
  w.lm.assign_ip("client2", ip("10.10.2.100"));
  w.packet_in(w.wlan2, 3, garp("02:00:00:0a:00:65", "10.10.2.100"));  // client2 at home
  w.migrate_vm1();
  // Both users' switches, and no others, carry vm1's correspondent flows.
  EXPECT_EQ(tunnel_flows_of(w.wlan1, kVm1Mac), 2u);
  EXPECT_EQ(tunnel_flows_of(w.wlan2, kVm1Mac), 2u);
  EXPECT_EQ(tunnel_flows_of(w.dc1, kVm1Mac), 1u);  // its home: back to the router
  // client1 roams to wlan2: wlan1 serves neither user now, and loses them.
  w.port_gone(w.wlan1, 2);
  w.packet_in(w.wlan2, 2, udp(kClientMac, "02:fe:00:00:0a:02", "10.10.1.100", "10.1.0.10"));
  ASSERT_EQ(w.lm.by_name("client1")->current->site, "wlan2");
  EXPECT_EQ(tunnel_flows_of(w.wlan1, kVm1Mac), 0u);
  EXPECT_EQ(tunnel_flows_of(w.wlan2, kVm1Mac), 2u);
}

TEST(VirtualTunnel, AMoveTouchesOnlyTheSwitchesItsFlowsAreOn) {
  World w;
  std::vector<std::size_t> before;
  for (const auto* s : {&w.dc1, &w.dc2, &w.wlan1, &w.wlan2}) before.push_back(s->messages);
  w.migrate_vm1();
  // dc1 (home), dc2 (visited), wlan1 (client1's): not wlan2, where nobody talks to vm1.
  EXPECT_GT(w.dc1.messages, before[0]);
  EXPECT_GT(w.dc2.messages, before[1]);
  EXPECT_GT(w.wlan1.messages, before[2]);
  EXPECT_EQ(w.wlan2.messages, before[3]);
}

TEST(MobilityDetector, ASpoofedMoveChangesNoPacketsFate) {
  World w;
  const auto fates = [&] {
    std::vector<std::vector<test_support::Output>> all;
    for (auto* s : {&w.dc1, &w.dc2, &w.wlan1})
      for (std::uint32_t port : {1u, 2u})
        for (const auto& frame : {udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100"),
                                  udp(kDc1Gw, kVm1Mac, "10.10.1.100", "10.1.0.10"),
                                  udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10")})
          all.push_back(s->table.fate(of::PortNo{port}, frame).outputs);
    return all;
  };
  const auto before = fates();
  // vm1's MAC at dc2 while its port at dc1 is live and nobody migrates it.
  const Fate spoof = w.arrive(w.dc2, 2, udp(kVm1Mac, kDc2Gw, "10.1.0.10", "10.10.1.100"));
  EXPECT_TRUE(spoof.to_controller());
  ASSERT_EQ(w.security.size(), 1u);
  EXPECT_EQ(w.security[0].kind, SecurityKind::kSpoofedMove);
  EXPECT_TRUE(w.moves.empty());
  EXPECT_TRUE(w.dc2.packet_outs.empty());  // and the packet itself goes nowhere
  const auto after = fates();
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    ASSERT_EQ(before[i].size(), after[i].size()) << i;
    for (std::size_t j = 0; j < before[i].size(); ++j) {
      EXPECT_EQ(before[i][j].port, after[i][j].port) << i;
      EXPECT_EQ(before[i][j].packet, after[i][j].packet) << i;
    }
  }
}

TEST(MobilityDetector, AMoveAfterTheOldPortWentAwayIsAccepted) {
  World w;
  w.port_gone(w.dc1, 2);
  w.packet_in(w.dc2, 2, garp());
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].cause, MoveCause::kGratuitousArp);
  EXPECT_FALSE(w.moves[0].at_home);
}

TEST(MobilityDetector, APortNotConfiguredForTheEndpointIsRefusedEvenIfQuiet) {
  World w;
  w.port_gone(w.dc1, 2);
  w.packet_in(w.dc2, 7, garp());
  EXPECT_TRUE(w.moves.empty());
  ASSERT_EQ(w.security.size(), 1u);
  EXPECT_NE(w.security[0].detail.find("not configured"), std::string::npos);
}

TEST(MobilityDetector, RarpAnnouncementIsAMoveSignalAndIsNotReinjected) {
  World w;
  w.port_gone(w.dc1, 2);
  const std::vector<std::uint8_t> rarp(28, 0);
  const auto frame = net::build_ethernet(net::MacAddr::broadcast(), mac(kVm1Mac), net::ethertype::kRarp, rarp);
  EXPECT_TRUE(w.arrive(w.dc2, 2, frame).to_controller());  // RARP reaches the controller even where rules forward
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].cause, MoveCause::kGratuitousArp);
  ASSERT_EQ(w.dc2.packet_outs.size(), 1u) << "the RARP is not re-injected";
  expect_announced(w.dc2, w.dc2.packet_outs[0], "10.2.0.192");
}

TEST(MobilityDetector, SwitchoverMovesTheVmBeforeItAnnouncesItself) {
  World w;
  w.migrations.expect("vm1", "dc2");
  w.step(MigrationPhase::kSwitchover);
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].to, (Location{"dc2", of::Dpid{0xd2}, of::PortNo{2}}));
  EXPECT_EQ(w.moves[0].cause, MoveCause::kMigration);
  EXPECT_FALSE(w.migrations.expected("vm1", "dc2"));
  // The flows are in place before the guest says anything.
  expect_out(w.dc2.table.fate(of::PortNo{2}, udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100")), 1, "10.2.0.192",
             "10.10.1.100");
  w.step(MigrationPhase::kCompleted);
  EXPECT_EQ(w.moves.size(), 1u);
  EXPECT_TRUE(w.security.empty());
}

TEST(MobilityDetector, AMigrationFailingAfterItsSwitchoverTakesTheVmBackToItsSource) {
  World w;
  w.step(MigrationPhase::kSwitchover);
  w.step(MigrationPhase::kFailed);
  ASSERT_EQ(w.moves.size(), 2u);
  EXPECT_EQ(w.moves[1].to, (Location{"dc1", of::Dpid{0xd1}, of::PortNo{2}}));
  EXPECT_TRUE(w.moves[1].at_home);
  expect_out(w.dc1.table.fate(of::PortNo{1}, udp(kDc1Gw, kVm1Mac, "10.10.1.100", "10.1.0.10")), 2, "10.10.1.100",
             "10.1.0.10");
}

TEST(MobilityDetector, AMigrationFailingBeforeItsSwitchoverMovesNothing) {
  World w;
  w.step(MigrationPhase::kStarted);
  w.step(MigrationPhase::kCancelled);
  EXPECT_TRUE(w.moves.empty());
  EXPECT_EQ(w.lm.by_name("vm1")->current->site, "dc1");
}

TEST(PathMonitor, ItsProbeRuleSurvivesTheBasePipeline) {
  World w;
  const model::Site& dc2 = *w.model.site_named("dc2");
  const std::uint8_t payload[16] = {};
  const auto probe = net::build_udp_frame({mac(kDc2Gw), mac("02:00:00:00:00:02"), ip("10.10.1.254"), dc2.probe_address,
                                           w.model.path_monitor.udp_port, w.model.path_monitor.udp_port},
                                          payload);
  const Fate f = w.dc2.table.fate(of::PortNo{1}, probe);
  ASSERT_TRUE(f.to_controller()) << test_support::describe(f);
  ASSERT_EQ(f.trace.size(), 1u) << test_support::describe(f);  // its own rule, not the table miss
  EXPECT_NE(f.trace[0].find("cookie 0006"), std::string::npos) << f.trace[0];
}

TEST(Pipeline, EveryFlowTheAppsInstalledIsDeclared) {
  World w;  // FakeSwitch refuses undeclared flow-mods; a move exercises every builder
  w.migrate_vm1();
  for (const auto& s : w.switches)
    for (const auto& fm : s.table.entries()) EXPECT_FALSE(pipeline::check(fm));
  of::FlowMod rogue;
  rogue.table_id = 2;
  rogue.priority = 777;
  EXPECT_TRUE(pipeline::check(rogue));
  EXPECT_THROW(w.dc1.table.apply(rogue), std::runtime_error);
}

namespace {

std::optional<net::ArpView> arp_in(const std::vector<std::uint8_t>& frame) {
  const auto eth = net::EthernetView::parse(frame);
  return eth ? net::ArpView::parse(eth->payload) : std::nullopt;
}

}  // namespace

TEST(ArpProxy, ARequestReachesTheControllerByItsOwnRuleAndTheAnswerLeavesByTheIngressPort) {
  World w;
  const auto ask = net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(), mac(kClientMac),
                                        ip("10.10.1.100"), {}, ip("10.10.1.1"));
  const Fate f = w.arrive(w.wlan1, 2, ask);
  ASSERT_TRUE(f.to_controller()) << test_support::describe(f);
  // The ARP rule, not the table miss, then table 3 on to the controller.
  ASSERT_EQ(f.trace.size(), 2u) << test_support::describe(f);
  EXPECT_NE(f.trace[0].find("cookie 0002"), std::string::npos) << f.trace[0];
  EXPECT_EQ(f.trace[1].rfind("table 3 ", 0), 0u) << f.trace[1];
  ASSERT_EQ(w.wlan1.packet_outs.size(), 1u);
  const Fate answer = w.wlan1.fate_of(w.wlan1.packet_outs[0]);
  const auto out = answer.only();
  ASSERT_TRUE(out) << test_support::describe(answer);
  EXPECT_EQ(out->port, of::PortNo{2});
  EXPECT_EQ(out->packet.eth_dst, mac(kClientMac));
  const auto reply = arp_in(w.wlan1.packet_outs[0].data);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->op, net::arp_op::kReply);
  EXPECT_EQ(reply->sha, mac("02:fe:00:00:0a:01"));  // wlan1's gateway, from the configuration
  EXPECT_EQ(reply->spa, ip("10.10.1.1"));
  for (auto* other : {&w.dc1, &w.dc2, &w.wlan2}) EXPECT_TRUE(other->packet_outs.empty()) << "an answer is never flooded";
}

TEST(ArpProxy, APoisoningReplyGoesNowhereButToTheController) {
  World w;
  // client1 claims vm1's address: the switch hands it to the controller, which forwards it nowhere.
  const auto poison = net::build_arp_frame(net::arp_op::kReply, mac(kDc1Gw), mac(kClientMac), ip("10.1.0.10"),
                                           mac(kDc1Gw), ip("10.1.0.1"));
  const Fate f = w.arrive(w.wlan1, 2, poison);
  ASSERT_TRUE(f.to_controller()) << test_support::describe(f);
  for (const auto& s : w.switches) EXPECT_TRUE(s.packet_outs.empty());
  ASSERT_EQ(w.security.size(), 1u);
  EXPECT_EQ(w.security[0].kind, SecurityKind::kArpConflict);
  // vm1's own packets keep their fate.
  expect_out(w.dc1.table.fate(of::PortNo{2}, udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100")), 1, "10.1.0.10",
             "10.10.1.100");
}

TEST(VirtualTunnel, FlowsAFullTableRefusesAreReportedNotCountedDoneAndRetried) {
  World w;
  std::vector<FlowsRefused> refused;
  w.bus.subscribe([&](const FmcEvent& e) {
    if (const auto* r = std::get_if<FlowsRefused>(&e)) refused.push_back(*r);
  });
  const auto from_vm1 = udp(kVm1Mac, kDc1Gw, "10.1.0.10", "10.10.1.100");
  w.dc2.table_full = true;
  w.migrate_vm1();
  ASSERT_EQ(w.converged.size(), 1u);
  EXPECT_FALSE(w.converged[0].ok) << "a move whose flows were refused is not done";
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].endpoint, "vm1");
  EXPECT_EQ(refused[0].site, "dc2");
  EXPECT_TRUE(refused[0].table_full);
  EXPECT_GT(refused[0].refused, 0u);
  EXPECT_EQ(w.manipulator.unconfirmed(), 1u);
  EXPECT_TRUE(w.dc2.table.fate(of::PortNo{2}, from_vm1).to_controller()) << "no tunnel flows at dc2 yet";

  // Room again; nothing is sent before the retry is due (2 s), then the flows go in.
  w.dc2.table_full = false;
  const auto sent = w.dc2.messages;
  w.clock.advance(std::chrono::milliseconds(1999));
  w.bus.handle([&] { return w.manipulator.tick(); });
  EXPECT_EQ(w.dc2.messages, sent);
  w.clock.advance(std::chrono::milliseconds(1));
  w.bus.handle([&] { return w.manipulator.tick(); });
  ASSERT_EQ(w.converged.size(), 2u);
  EXPECT_TRUE(w.converged[1].ok);
  EXPECT_EQ(w.manipulator.unconfirmed(), 0u);
  EXPECT_EQ(refused.size(), 1u);
  expect_out(w.dc2.table.fate(of::PortNo{2}, from_vm1), 1, "10.2.0.192", "10.10.1.100");
}

TEST(VirtualTunnel, ARefusedMoveIsRetriedWithBackoffWhileTheTableStaysFull) {
  World w;
  std::vector<FlowsRefused> refused;
  w.bus.subscribe([&](const FmcEvent& e) {
    if (const auto* r = std::get_if<FlowsRefused>(&e)) refused.push_back(*r);
  });
  w.dc2.table_full = true;
  w.migrate_vm1();
  for (int second = 1; second <= 6; ++second) {
    w.clock.advance(std::chrono::seconds(1));
    w.bus.handle([&] { return w.manipulator.tick(); });
  }
  // Attempts at 0 s, 2 s and 6 s (after waiting 2 s, then 4 s).
  ASSERT_EQ(refused.size(), 3u);
  EXPECT_EQ(refused[2].attempt, 3u);
  // It moves back home: the retry of dc2 is dropped.
  w.port_gone(w.dc2, 2);
  w.packet_in(w.dc1, 2, garp());
  w.clock.advance(std::chrono::seconds(60));
  w.bus.handle([&] { return w.manipulator.tick(); });
  EXPECT_EQ(w.manipulator.unconfirmed(), 0u);
  EXPECT_EQ(refused.size(), 3u);
}

TEST(PacketInMeters, EachPortReachesTheControllerThroughItsOwnMeterAndNewPortsGetOne) {
  FollowMeWorld w(FMC_SOURCE_DIR "/config/fig1.yaml");
  w.dispatcher.meter_packet_ins(100);
  auto& dc2 = w.sw(0xd2);
  for (std::uint32_t p : {1u, 2u, 3u}) dc2.add_port(p);
  w.up_all();
  const auto meters = dc2.other_of<of::MeterMod>();
  ASSERT_EQ(meters.size(), 8u);  // delete-all, the shared one, then per port a delete and an add
  EXPECT_EQ(meters[0].command, of::MeterModCommand::kDelete);
  EXPECT_EQ(meters[0].meter_id, of::meter::kAll);
  for (std::size_t i : {1u, 3u, 5u, 7u}) {
    EXPECT_EQ(meters[i].command, of::MeterModCommand::kAdd);
    EXPECT_EQ(meters[i].flags, of::meter_flags::kPktps | of::meter_flags::kBurst);
    ASSERT_EQ(meters[i].bands.size(), 1u);
    EXPECT_EQ(meters[i].bands[0], (of::MeterBand{100, 100}));
  }
  EXPECT_EQ(meters[1].meter_id, 1u);
  EXPECT_EQ(meters[6].command, of::MeterModCommand::kDelete);
  EXPECT_EQ(meters[7].meter_id, 4u);  // port 3's

  // A stranger's packet on port 3 (a table miss), ARP and DHCP: to the controller through meter 4.
  const auto stranger = udp("02:00:00:00:99:99", kDc2Gw, "10.2.0.99", "10.10.1.100");
  for (const auto& frame : {stranger, garp("02:00:00:00:99:99", "10.2.0.99")}) {
    const Fate f = dc2.table.fate(of::PortNo{3}, frame);
    ASSERT_TRUE(f.to_controller()) << test_support::describe(f);
    EXPECT_EQ(f.trace.back().rfind("table 3 priority 100 ", 0), 0u) << test_support::describe(f);  // the port's gate
  }
  bool metered = false;
  for (const auto& fm : dc2.table.entries())
    if (fm.table_id == pipeline::table::kToController && fm.match.in_port == of::PortNo{3})
      metered = fm.instructions.at(0) == of::Instruction{of::MeterInstruction{4}};
  EXPECT_TRUE(metered);

  // A port added later gets a meter and a gate of its own, and nothing else is reset.
  dc2.other.clear();
  of::PortStatus ps;
  ps.reason = of::port_reason::kAdd;
  ps.desc.port_no = of::PortNo{9};
  w.dispatcher.on_port_status(dc2, ps);
  const auto added = dc2.other_of<of::MeterMod>();
  ASSERT_EQ(added.size(), 2u);  // replaced, in case it is left from an earlier plug
  EXPECT_EQ(added[1].command, of::MeterModCommand::kAdd);
  EXPECT_EQ(added[1].meter_id, 10u);
  EXPECT_EQ(dc2.table.fate(of::PortNo{9}, stranger).trace.back().rfind("table 3 priority 100 ", 0), 0u);
}

TEST(PacketInMeters, WithoutARateNothingIsMeteredAndEverythingStillReachesTheController) {
  FollowMeWorld w(FMC_SOURCE_DIR "/config/fig1.yaml");
  auto& dc2 = w.sw(0xd2);
  dc2.add_port(3);
  w.up_all();
  EXPECT_TRUE(dc2.other_of<of::MeterMod>().empty());
  const Fate f = dc2.table.fate(of::PortNo{3}, udp("02:00:00:00:99:99", kDc2Gw, "10.2.0.99", "10.10.1.100"));
  ASSERT_TRUE(f.to_controller());
  EXPECT_EQ(f.trace.back().rfind("table 3 priority 0 ", 0), 0u) << test_support::describe(f);  // unmetered
}

namespace {

// client1 roams from wlan1 to wlan2 (berlin's scope) while vm1 stays at dc1 (heidelberg's),
// seen by a controller serving berlin alone; what heidelberg acknowledges is collected.
struct Berlin : World {
  std::vector<store::TunnelAck> acknowledged;
  Berlin() {
    manipulator.share({{"heidelberg"}, [this](const store::TunnelAck& a) { acknowledged.push_back(a); }});
    port_gone(wlan1, 2);
    packet_in(wlan2, 2, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10"));
  }
  std::string visiting() const { return lm.by_name("client1")->visiting_ip->to_string(); }
  // client1's next packet to vm1, out of wlan2.
  Fate client_out() { return wlan2.table.fate(of::PortNo{2}, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10")); }
};

}  // namespace

TEST(VirtualTunnel, AVisitorsSourceIsRewrittenOnlyOnceTheOtherScopesCorrespondentsAcknowledged) {
  Berlin w;
  ASSERT_EQ(w.moves.size(), 1u);
  ASSERT_TRUE(w.manipulator.awaiting_acknowledgement("client1"));
  // vm1's switch is heidelberg's: until its controller has the tunnel, a visiting source would reach
  // vm1 as a stranger's. client1's packets leave for wlan2's router with their own source.
  expect_out(w.client_out(), 1, "10.10.1.100", "10.1.0.10");
  EXPECT_EQ(w.client_out().only()->packet.eth_dst, mac("02:fe:00:00:0a:02"));
  // Replies to the visiting address are already delivered.
  expect_out(w.wlan2.table.fate(of::PortNo{1}, udp("02:fe:00:00:0a:02", kClientMac, "10.1.0.10", w.visiting().c_str())), 2,
             "10.1.0.10", "10.10.1.100");
  // Another visit's acknowledgement changes nothing.
  w.bus.handle([&] { return w.manipulator.on_acknowledged({"client1", "heidelberg", "10.10.2.250"}); });
  expect_out(w.client_out(), 1, "10.10.1.100", "10.1.0.10");
  // Heidelberg's does.
  w.bus.handle([&] { return w.manipulator.on_acknowledged({"client1", "heidelberg", w.visiting()}); });
  EXPECT_FALSE(w.manipulator.awaiting_acknowledgement("client1"));
  expect_out(w.client_out(), 1, w.visiting().c_str(), "10.1.0.10");
}

TEST(VirtualTunnel, AVisitorsSourceIsRewrittenWhenAnAcknowledgementIsOverdue) {
  Berlin w;
  w.clock.advance(PacketManipulator::kAcknowledgementWait - std::chrono::milliseconds(1));
  w.bus.handle([&] { return w.manipulator.tick(); });
  expect_out(w.client_out(), 1, "10.10.1.100", "10.1.0.10");
  w.clock.advance(std::chrono::milliseconds(1));
  w.bus.handle([&] { return w.manipulator.tick(); });
  EXPECT_FALSE(w.manipulator.awaiting_acknowledgement("client1"));
  expect_out(w.client_out(), 1, w.visiting().c_str(), "10.1.0.10");
}

TEST(VirtualTunnel, OneControllerServingEveryScopeRewritesAtOnce) {
  World w;
  w.manipulator.share({{}, nullptr});
  w.port_gone(w.wlan1, 2);
  w.packet_in(w.wlan2, 2, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10"));
  EXPECT_FALSE(w.manipulator.awaiting_acknowledgement("client1"));
  const auto visiting = w.lm.by_name("client1")->visiting_ip->to_string();
  expect_out(w.wlan2.table.fate(of::PortNo{2}, udp(kClientMac, "02:fe:00:00:0a:01", "10.10.1.100", "10.1.0.10")), 1,
             visiting.c_str(), "10.1.0.10");
}

TEST(VirtualTunnel, APeersVisitIsAcknowledgedForThisControllersScopesOnceItsSwitchesConfirmed) {
  World w;  // heidelberg's controller: berlin chose client1's visiting address
  std::vector<store::TunnelAck> acknowledged;
  w.manipulator.share({{"berlin"}, [&](const store::TunnelAck& a) { acknowledged.push_back(a); }});
  for (auto& s : w.switches) s.hold_barriers = true;
  w.lm.apply_stored(store::EndpointRecord{"client1", store::EndpointKind::kClient, kClientMac, "10.10.1.100", "wlan1",
                                          "wlan2", 0xa2, 2, "10.10.2.200", 5},
                    7, false);
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_TRUE(acknowledged.empty());  // not before the switches confirmed
  // vm1's switch undoes the visiting address now.
  expect_out(w.dc1.table.fate(of::PortNo{1}, udp(kDc1Gw, kVm1Mac, "10.10.2.200", "10.1.0.10")), 2, "10.10.1.100",
             "10.1.0.10");
  for (auto& s : w.switches) s.release_barriers();
  ASSERT_EQ(acknowledged.size(), 1u);
  EXPECT_EQ(acknowledged[0], (store::TunnelAck{"client1", "heidelberg", "10.10.2.200"}));
  EXPECT_FALSE(w.manipulator.awaiting_acknowledgement("client1"));  // a peer's move awaits nothing here
}

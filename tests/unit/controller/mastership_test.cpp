// The scope gate: only the master of a switch's scope lets it reach the apps,
// and the switch is told its controller's role with the scope's generation.
#include "controller/mastership.hpp"

#include <gtest/gtest.h>

#include "support/fake_datapath.hpp"

using namespace fmc;
using test_support::FakeDatapath;

namespace {

struct Recorder final : ctl::App {
  std::vector<std::string>* seen;
  explicit Recorder(std::vector<std::string>* s) : seen(s) {}
  std::string_view name() const override { return "recorder"; }
  void on_switch_up(ctl::Datapath& dp) override { seen->push_back("up " + std::to_string(dp.dpid().value)); }
  void on_switch_down(of::Dpid d) override { seen->push_back("down " + std::to_string(d.value)); }
  ctl::Disposition on_packet_in(ctl::Datapath& dp, const of::PacketIn&) override {
    seen->push_back("packet-in " + std::to_string(dp.dpid().value));
    return ctl::Disposition::kConsumed;
  }
};

of::RoleRequest last_role(const FakeDatapath& dp) {
  const auto roles = dp.sent_of<of::RoleRequest>();
  if (roles.empty()) throw std::runtime_error("no ROLE_REQUEST sent");
  return roles.back();
}

struct Gate {
  std::vector<std::string> seen;
  // dpid 1 is in scope "east", dpid 2 in no scope.
  ctl::Mastership gate{std::make_unique<Recorder>(&seen), [](of::Dpid d) { return d.value == 1 ? "east" : ""; }};
  FakeDatapath east{of::Version::V13, of::Dpid{1}}, free{of::Version::V13, of::Dpid{2}};
};

}  // namespace

TEST(Mastership, AStandbyTellsTheSwitchItIsSlaveAndItsAppsSeeNothing) {
  Gate g;
  g.gate.follow("east", 5);
  g.gate.on_switch_up(g.east);
  g.gate.on_switch_up(g.free);
  EXPECT_EQ(last_role(g.east).role, of::ControllerRole::kSlave);
  EXPECT_EQ(last_role(g.east).generation_id, 5u);
  EXPECT_TRUE(g.free.sent_of<of::RoleRequest>().empty()) << "a switch without a scope is left alone";
  g.gate.on_packet_in(g.east, of::PacketIn{});
  g.gate.on_packet_in(g.free, of::PacketIn{});
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 2", "packet-in 2"}));
}

TEST(Mastership, ElectedItClaimsTheScopesSwitchesAndTheAppsResyncThem) {
  Gate g;
  g.gate.on_switch_up(g.east);
  g.gate.elected("east", 7);
  EXPECT_EQ(last_role(g.east).role, of::ControllerRole::kMaster);
  EXPECT_EQ(last_role(g.east).generation_id, 7u);
  g.gate.on_packet_in(g.east, of::PacketIn{});
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "packet-in 1"}));
  EXPECT_TRUE(g.gate.masters("east"));
}

TEST(Mastership, DeposedTheAppsLetGoAndTheSwitchIsToldSlave) {
  Gate g;
  g.gate.elected("east", 7);
  g.gate.on_switch_up(g.east);
  g.gate.follow("east", 9);
  EXPECT_FALSE(g.gate.masters("east"));
  EXPECT_EQ(last_role(g.east).role, of::ControllerRole::kSlave);
  EXPECT_EQ(last_role(g.east).generation_id, 9u);
  g.gate.on_packet_in(g.east, of::PacketIn{});
  g.gate.on_switch_down(of::Dpid{1});
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "down 1"})) << "no packet-in and no second switch-down after losing it";
}

TEST(Mastership, ASwitchThatTookANewerMasterIsLetGoBeforeTheLeaseEnds) {
  Gate g;
  g.gate.elected("east", 7);
  g.gate.on_switch_up(g.east);
  g.gate.on_message(g.east, of::Xid{0}, of::RoleStatus{of::ControllerRole::kSlave, of::role_reason::kMasterRequest, 6});
  g.gate.on_packet_in(g.east, of::PacketIn{});
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "packet-in 1"})) << "a status older than our claim changes nothing";

  g.gate.on_message(g.east, of::Xid{0}, of::RoleStatus{of::ControllerRole::kSlave, of::role_reason::kMasterRequest, 9});
  g.gate.on_packet_in(g.east, of::PacketIn{});
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "packet-in 1", "down 1"}));
  EXPECT_TRUE(g.gate.masters("east")) << "who masters the scope is the election's to say, not one switch's";

  const auto roles = g.east.sent_of<of::RoleRequest>().size();
  g.gate.follow("east", 9);  // then our lease runs out
  g.gate.on_switch_down(of::Dpid{1});
  EXPECT_EQ(g.seen.size(), 3u) << "the apps let go of the switch once, not again at the step-down";
  EXPECT_EQ(g.east.sent_of<of::RoleRequest>().size(), roles + 1) << "the switch is still told we are slave";
}

TEST(Mastership, ReElectedTheAppsTakeADisplacedSwitchBack) {
  Gate g;
  g.gate.elected("east", 7);
  g.gate.on_switch_up(g.east);
  g.gate.on_message(g.east, of::Xid{0}, of::RoleStatus{of::ControllerRole::kSlave, of::role_reason::kMasterRequest, 9});
  g.gate.elected("east", 11);
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "down 1", "up 1"}));
  EXPECT_EQ(last_role(g.east).generation_id, 11u);
}

TEST(Mastership, AStatusReadAfterTheLeaseEndedOnlyConfirmsTheStepDown) {
  // A controller woken from a freeze may run its lease timer before it reads the switch's status.
  Gate g;
  g.gate.elected("east", 7);
  g.gate.on_switch_up(g.east);
  g.gate.follow("east", 9);
  const auto roles = g.east.sent_of<of::RoleRequest>().size();
  g.gate.on_message(g.east, of::Xid{0}, of::RoleStatus{of::ControllerRole::kSlave, of::role_reason::kMasterRequest, 9});
  g.gate.on_packet_in(g.east, of::PacketIn{});
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "down 1"})) << "the apps let go once";
  EXPECT_EQ(g.east.sent_of<of::RoleRequest>().size(), roles) << "nothing more is sent to the switch";
  g.gate.elected("east", 11);
  EXPECT_EQ(g.seen, (std::vector<std::string>{"up 1", "down 1", "up 1"}));
  EXPECT_EQ(last_role(g.east).generation_id, 11u);
}

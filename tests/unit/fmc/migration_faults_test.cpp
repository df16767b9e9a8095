// Faults in the middle of a migration (issue 13), through the apps wired as the
// controller wires them, a fake driver and a manual clock: a migration that
// hangs is cancelled and recorded as timed out; one whose end the controller
// missed (its command killed, or the controller restarted) is settled by
// looking for the VM at both ends.
#include <gtest/gtest.h>

#include "fmc/migration/migration_manager.hpp"
#include "net/arp.hpp"
#include "net/ethernet.hpp"
#include "support/fake_driver.hpp"
#include "support/follow_me_world.hpp"

using namespace fmc;
using namespace std::chrono_literals;
using test_support::FakeDriver;
using test_support::FakeSwitch;
using test_support::FollowMeWorld;

namespace {

net::MacAddr mac(const char* t) { return *net::MacAddr::parse(t); }
const char* kVm1Mac = "02:00:00:01:00:10";
const net::Ipv4Addr kVm1Ip{0x0a01000a};  // 10.1.0.10

struct World : FollowMeWorld {
  FakeSwitch &dc1 = sw(0xd1), &dc2 = sw(0xd2);
  FakeDriver driver;
  std::vector<Migration> stored;
  std::vector<MigrationStep> steps;
  std::unique_ptr<MigrationManager> manager;

  World() : FollowMeWorld(FMC_SOURCE_DIR "/config/fig1.yaml") {
    up_all();
    lm.move("vm1", Location{"dc1", of::Dpid{0xd1}, of::PortNo{2}}, MoveCause::kTraffic);
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* s = std::get_if<MigrationStep>(&e)) steps.push_back(*s);
      if (manager) manager->on_event(e);
    });
    restart({});
    clear_sent();
    moves.clear();
  }
  // A controller (re)started with `saved` as its migration history.
  void restart(const std::vector<Migration>& saved) {
    manager = std::make_unique<MigrationManager>(model, lm, migrations, bus, driver,
                                                 [this](const Migration& m) { stored.push_back(m); }, clock);
    manager->set_timeout(5s);
    manager->restore(saved);
  }
  void run(std::chrono::milliseconds d) {
    for (auto t = 0ms; t < d; t += 100ms) {
      clock.advance(100ms);
      bus.handle([&] {
        manager->tick();
        return detector.tick();
      });
    }
  }
  // ARP probes of vm1's address sent out of port 2 of `s`.
  int probes(const FakeSwitch& s) const {
    int n = 0;
    for (const auto& po : s.packet_outs) {
      const auto* out = po.actions.size() == 1 ? std::get_if<of::Output>(&po.actions[0]) : nullptr;
      auto eth = net::EthernetView::parse(po.data);
      auto arp = eth ? net::ArpView::parse(eth->payload) : std::nullopt;
      n += out && out->port == of::PortNo{2} && arp && arp->tpa == kVm1Ip && arp->spa == net::Ipv4Addr{0};
    }
    return n;
  }
  void vm1_answers_at(FakeSwitch& s, const char* gateway) {
    packet_in(s, 2, net::build_arp_frame(net::arp_op::kReply, mac(gateway), mac(kVm1Mac), kVm1Ip, mac(gateway),
                                         net::Ipv4Addr{0}));
  }
  const Migration& record(std::int64_t id) const { return *manager->find(id); }
};

}  // namespace

TEST(MigrationFaults, AMigrationThatHangsIsCancelledAtItsTimeoutRecordedAsTimedOutAndCanBeRetried) {
  World w;
  auto m = w.manager->start("vm1", "dc2", "test");
  ASSERT_TRUE(m) << m.error();
  w.run(4900ms);
  EXPECT_TRUE(w.driver.cancelled.empty());
  w.run(200ms);
  ASSERT_EQ(w.driver.cancelled.count(1), 1u) << "cancelled at 5 s";
  w.driver.finish(0, migration::Outcome::kCancelled);  // the hypervisor cancelled it: the VM stays at dc1
  EXPECT_EQ(w.record(m->id).state, MigrationState::kFailed);
  EXPECT_NE(w.record(m->id).detail.find("timed out after 5 s and was cancelled"), std::string::npos) << w.record(m->id).detail;
  EXPECT_EQ(w.stored.back().state, MigrationState::kFailed);
  EXPECT_FALSE(w.migrations.expected("vm1", "dc2"));
  EXPECT_EQ(w.lm.by_name("vm1")->current->site, "dc1");
  EXPECT_TRUE(w.driver.abandoned.empty());
  auto retry = w.manager->start("vm1", "dc2", "retry");
  ASSERT_TRUE(retry) << retry.error();
  w.driver.finish(1, migration::Outcome::kCompleted);
  EXPECT_EQ(w.record(retry->id).state, MigrationState::kCompleted);
}

TEST(MigrationFaults, ACommandThatIgnoresTheCancelIsKilledAndTheVmIsLookedForAtBothEnds) {
  World w;
  auto m = w.manager->start("vm1", "dc2", "test");
  ASSERT_TRUE(m);
  w.run(5100ms);
  ASSERT_EQ(w.driver.cancelled.size(), 1u);
  w.run(9800ms);
  EXPECT_TRUE(w.driver.abandoned.empty());
  w.run(200ms);
  ASSERT_EQ(w.driver.abandoned.count(1), 1u) << "killed 10 s after the cancel";
  w.clear_sent();
  w.driver.finish(0, migration::Outcome::kFailed);  // killed: says nothing of where the VM is
  EXPECT_EQ(w.record(m->id).state, MigrationState::kRunning);
  EXPECT_EQ(w.steps.back().phase, MigrationPhase::kLocating);
  EXPECT_FALSE(w.manager->start("vm1", "dc1", "meanwhile")) << "no new migration while the VM is looked for";
  w.run(100ms);
  EXPECT_EQ(w.probes(w.dc1), 1);
  EXPECT_EQ(w.probes(w.dc2), 1);
  w.run(1000ms);
  EXPECT_EQ(w.probes(w.dc2), 2) << "asked again every second";
  // The migration had completed: vm1 answers at dc2.
  w.vm1_answers_at(w.dc2, "02:fe:00:00:02:01");
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].to.site, "dc2");
  EXPECT_EQ(w.moves[0].cause, MoveCause::kMigration);
  EXPECT_TRUE(w.security.empty()) << "not a spoofed move";
  EXPECT_EQ(w.record(m->id).state, MigrationState::kCompleted);
  EXPECT_NE(w.record(m->id).detail.find("its command was killed; vm1 answered at dc2"), std::string::npos)
      << w.record(m->id).detail;
  w.clear_sent();
  w.run(2000ms);
  EXPECT_EQ(w.probes(w.dc1) + w.probes(w.dc2), 0) << "found: no more probes";
}

TEST(MigrationFaults, AfterARestartDuringAMigrationTheVmAnsweringAtItsSourceEndsItFailed) {
  World w;
  w.restart({Migration{7, "vm1", "dc1", "dc2", MigrationState::kRunning, 1000, 0, "location-mapper"}});
  EXPECT_EQ(w.record(7).state, MigrationState::kRunning);
  EXPECT_EQ(w.stored.back().detail, "the controller restarted during the migration; looking for vm1 at dc1 and dc2");
  w.run(100ms);
  ASSERT_EQ(w.probes(w.dc1), 1);
  w.vm1_answers_at(w.dc1, "02:fe:00:00:01:01");
  EXPECT_TRUE(w.moves.empty());
  EXPECT_EQ(w.record(7).state, MigrationState::kFailed);
  EXPECT_EQ(w.record(7).detail, "the controller restarted during the migration; vm1 answered at dc1");
  EXPECT_FALSE(w.migrations.expected("vm1", "dc2"));
  auto retry = w.manager->start("vm1", "dc2", "retry");
  ASSERT_TRUE(retry) << retry.error();
  EXPECT_EQ(retry->id, 8);
}

TEST(MigrationFaults, AVmThatAnswersNowhereEndsItsMigrationFailedAfterTheSearch) {
  World w;
  w.restart({Migration{7, "vm1", "dc1", "dc2", MigrationState::kRunning, 1000, 0, "api"},
             Migration{8, "video/profile", "dc1", "dc2", MigrationState::kRunning, 1000, 0, "api"}});
  EXPECT_EQ(w.record(8).state, MigrationState::kFailed) << "a part's copy answers nothing: it stays where it was";
  w.run(29s);
  EXPECT_EQ(w.record(7).state, MigrationState::kRunning);
  w.run(1100ms);
  EXPECT_EQ(w.record(7).state, MigrationState::kFailed);
  EXPECT_NE(w.record(7).detail.find("vm1 answered at neither dc1 nor dc2 within 30 s"), std::string::npos);
  EXPECT_FALSE(w.migrations.expected("vm1", "dc1"));
  EXPECT_FALSE(w.migrations.expected("vm1", "dc2"));
}

// The Location Mapper with the real Location Manager and Migration Manager
// (config/fig1.yaml: threshold policy, 2 s dwell) and a fake driver: when it
// orders a migration, what it publishes, and no ping-pong on a border walk.
#include "fmc/placement/location_mapper.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"
#include "fmc/migration/migration_manager.hpp"
#include "support/fake_driver.hpp"

using namespace fmc;
using test_support::FakeDriver;

namespace {

struct World {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  ManualClock clock;
  EventBus bus;
  LocationManager locations{model, bus, nullptr, clock};
  MigrationsInFlight in_flight;
  FakeDriver driver;
  MigrationManager migrations{model, locations, in_flight, bus, driver, [](const Migration&) {},
                              clock};
  LocationMapper mapper{model, locations, bus,
                        [this](const std::string& a, const std::string& d) { return model.wan_delay(a, d); },
                        clock};
  std::vector<PlacementDecision> decisions;

  World() {
    mapper.use(&migrations);
    bus.subscribe([this](const FmcEvent& e) {
      mapper.on_event(e);
      if (const auto* d = std::get_if<PlacementDecision>(&e)) decisions.push_back(*d);
    });
    vm_at("dc1");
  }
  void vm_at(const std::string& dc) {
    const auto& sw = *model.switch_named(model.site_named(dc)->switch_name);
    locations.move("vm1", Location{dc, sw.dpid, sw.ports.at("vm1")}, MoveCause::kMigration);
  }
  void client_at(const std::string& wlan) {
    const auto& sw = *model.switch_named(model.site_named(wlan)->switch_name);
    locations.move("client1", Location{wlan, sw.dpid, sw.ports.at("client1")}, MoveCause::kDhcp);
  }
  // Ticks every 100 ms for `seconds`.
  void run(double seconds) {
    for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
      clock.advance(std::chrono::milliseconds(100));
      mapper.tick();
    }
  }
  // Completes the last migration the driver got; the VM shows up at its target.
  void complete_last() {
    const auto to = driver.started.back().first.to_site;
    driver.finish(driver.started.size() - 1, migration::Outcome::kCompleted);
    vm_at(to);
  }
};

TEST(LocationMapper, MigratesAfterTheDwellTimeWithTheScoresInTheDecision) {
  World w;
  w.client_at("wlan1");
  w.run(5);
  EXPECT_TRUE(w.driver.started.empty());  // already in the best place
  w.client_at("wlan2");
  w.run(1.5);
  EXPECT_TRUE(w.driver.started.empty()) << "moved before the dwell time";
  ASSERT_FALSE(w.decisions.empty());
  EXPECT_EQ(w.decisions.back().action, PlacementAction::kWait);
  EXPECT_EQ(w.decisions.back().target_dc, "dc2");
  w.run(1);
  ASSERT_EQ(w.driver.started.size(), 1u);
  EXPECT_EQ(w.driver.started[0].first.vm, "vm1");
  EXPECT_EQ(w.driver.started[0].first.to_site, "dc2");
  const auto migrate = std::find_if(w.decisions.begin(), w.decisions.end(), [](const auto& d) { return d.action == PlacementAction::kMigrate; });
  ASSERT_NE(migrate, w.decisions.end());
  EXPECT_EQ(migrate->service, "video");
  EXPECT_EQ(migrate->policy, "threshold");
  ASSERT_EQ(migrate->scores.size(), 2u);
  EXPECT_DOUBLE_EQ(migrate->scores[0].second, 50);  // dc1 from wlan2
  EXPECT_DOUBLE_EQ(migrate->scores[1].second, 1);   // dc2
  w.run(5);
  EXPECT_EQ(w.driver.started.size(), 1u) << "ordered again while the first one runs";
  w.complete_last();
  w.run(5);
  EXPECT_EQ(w.driver.started.size(), 1u);
  EXPECT_EQ(w.mapper.services().at(0).current_dc, "dc2");
}

TEST(LocationMapper, NoPingPongForAUserWalkingAlongACellBorder) {
  for (auto policy : {model::PlacementPolicyKind::kThreshold, model::PlacementPolicyKind::kMdp}) {
    World w;
    auto s = w.model.placement;
    s.policy = policy;
    w.mapper.set_settings(s);
    w.client_at("wlan1");
    for (int i = 0; i < 60; ++i) {  // a different WLAN every 1.5 s for 90 s
      w.client_at(i % 2 ? "wlan1" : "wlan2");
      w.run(1.5);
    }
    EXPECT_TRUE(w.driver.started.empty()) << model::to_string(policy) << " moved the VM " << w.driver.started.size() << " times";
  }
  // The baseline does ping-pong.
  World w;
  auto s = w.model.placement;
  s.policy = model::PlacementPolicyKind::kNearest;
  w.mapper.set_settings(s);
  w.client_at("wlan1");
  for (int i = 0; i < 20; ++i) {
    w.client_at(i % 2 ? "wlan1" : "wlan2");
    w.run(1.5);
    if (w.migrations.running_for("vm1")) w.complete_last();
  }
  EXPECT_GE(w.driver.started.size(), 10u);
}

TEST(LocationMapper, HoldsAfterAFailedMigrationThenTriesAgain) {
  World w;
  w.client_at("wlan2");
  w.run(2.5);
  ASSERT_EQ(w.driver.started.size(), 1u);
  w.driver.finish(0, migration::Outcome::kFailed);
  w.run(20);
  EXPECT_EQ(w.driver.started.size(), 1u) << "retried within retry_after_s";
  EXPECT_EQ(w.decisions.back().action, PlacementAction::kWait);
  w.run(15);
  EXPECT_EQ(w.driver.started.size(), 2u);
}

TEST(LocationMapper, OffJudgesNothingAndWithoutADriverItOnlyJudges) {
  World w;
  auto s = w.model.placement;
  s.policy = model::PlacementPolicyKind::kOff;
  w.mapper.set_settings(s);
  w.client_at("wlan2");
  w.run(5);
  EXPECT_TRUE(w.decisions.empty());
  EXPECT_TRUE(w.driver.started.empty());

  s.policy = model::PlacementPolicyKind::kThreshold;
  w.mapper.set_settings(s);
  w.mapper.use(nullptr);
  w.run(3);
  EXPECT_TRUE(w.driver.started.empty());
  ASSERT_FALSE(w.decisions.empty());
  EXPECT_EQ(w.decisions.back().action, PlacementAction::kRefused);
}

TEST(LocationMapper, ServicePartsArePlacedOnTheirOwn) {
  World w;
  FakeDriver transfers;
  w.migrations.use_transfer_driver(transfers);
  w.client_at("wlan2");
  w.run(2.5);
  // The VM and the user's profile (16 MiB) follow; the 4 GiB library is pinned.
  ASSERT_EQ(w.driver.started.size(), 1u);
  ASSERT_EQ(transfers.started.size(), 1u);
  EXPECT_EQ(transfers.started[0].first.vm, "video/profile");
  EXPECT_EQ(transfers.started[0].first.from_site, "dc1");
  EXPECT_EQ(transfers.started[0].first.to_site, "dc2");
  const auto decided = std::find_if(w.decisions.begin(), w.decisions.end(),
                                    [](const auto& d) { return d.vm == "video/profile" && d.action == PlacementAction::kMigrate; });
  ASSERT_NE(decided, w.decisions.end());
  EXPECT_EQ(decided->service, "video");
  EXPECT_LT(decided->move_cost, w.decisions.front().move_cost) << "16 MiB cost less to move than 128 MiB and a downtime";
  EXPECT_TRUE(std::none_of(w.decisions.begin(), w.decisions.end(), [](const auto& d) { return d.vm == "video/library"; }));
  transfers.finish(0, migration::Outcome::kCompleted);
  w.run(5);
  EXPECT_EQ(transfers.started.size(), 1u);
  const auto state = w.mapper.services().at(0);
  ASSERT_EQ(state.parts.size(), 2u);
  EXPECT_EQ(state.parts[0].current_dc, "dc2");
  EXPECT_EQ(state.parts[1].current_dc, "dc1");
  // The part's move is in the migration history, under its own name.
  EXPECT_EQ(w.migrations.all().back().vm, "video/profile");
  EXPECT_EQ(w.migrations.all().back().state, MigrationState::kCompleted);
}

TEST(LocationMapper, APartTooBigToPayForItsCopyStays) {
  World w;
  FakeDriver transfers;
  w.migrations.use_transfer_driver(transfers);
  w.model.services[0].parts[0].size_mib = 1 << 20;  // 1 TiB: hours on the inter-DC link
  w.client_at("wlan2");
  w.run(5);
  EXPECT_EQ(w.driver.started.size(), 1u);  // the VM still follows
  EXPECT_TRUE(transfers.started.empty());
  EXPECT_EQ(w.mapper.services().at(0).parts[0].last->action, PlacementAction::kStay);
}

TEST(MigrationManager, PartsMoveThroughTheTransferDriverAndAreRestoredAfterARestart) {
  World w;
  EXPECT_NE(w.migrations.start_part("video", "profile", "dc2", "api").error().find("no transfer driver"), std::string::npos);
  FakeDriver transfers;
  w.migrations.use_transfer_driver(transfers);
  EXPECT_NE(w.migrations.start_part("video", "library", "dc2", "api").error().find("pinned to dc1"), std::string::npos);
  EXPECT_NE(w.migrations.start_part("video", "cache", "dc2", "api").error().find("no part named 'video/cache'"),
            std::string::npos);
  EXPECT_NE(w.migrations.start_part("video", "profile", "dc1", "api").error().find("already in dc1"), std::string::npos);
  EXPECT_NE(w.migrations.start_part("video", "profile", "wlan2", "api").error().find("not a data center"),
            std::string::npos);
  // A failed copy leaves the part where it was.
  ASSERT_TRUE(w.migrations.start_part("video", "profile", "dc2", "api"));
  EXPECT_FALSE(w.migrations.start_part("video", "profile", "dc2", "api")) << "twice at once";
  transfers.finish(0, migration::Outcome::kFailed);
  const auto& spec = w.model.services[0];
  EXPECT_EQ(w.migrations.part_dc(spec, spec.parts[0]), "dc1");
  ASSERT_TRUE(w.migrations.start_part("video", "profile", "dc2", "api"));
  transfers.finish(1, migration::Outcome::kCompleted);
  EXPECT_EQ(w.migrations.part_dc(spec, spec.parts[0]), "dc2");
  // A controller restarted with the saved history knows where the part is.
  FakeDriver driver;
  MigrationManager restarted{w.model, w.locations, w.in_flight, w.bus, driver, [](const Migration&) {},
                             w.clock};
  restarted.restore(w.migrations.all());
  EXPECT_EQ(restarted.part_dc(spec, spec.parts[0]), "dc2");
  EXPECT_EQ(restarted.part_dc(spec, spec.parts[1]), "dc1");
}

}  // namespace

TEST(LocationMapper, WithSeveralControllersOnlyTheOneAnsweringForTheVmsSiteJudgesIt) {
  World w;
  std::string ours = "dc2";  // this controller answers for berlin's sites only
  w.mapper.answer_for([&](const std::string& site) { return site == ours || site == "wlan2"; });
  w.client_at("wlan2");
  w.run(5);
  EXPECT_TRUE(w.driver.started.empty()) << "vm1 runs at dc1: heidelberg's controller judges it";
  EXPECT_TRUE(w.decisions.empty());
  ours = "dc1";
  w.run(3);
  ASSERT_EQ(w.driver.started.size(), 1u);
  EXPECT_EQ(w.driver.started[0].first.to_site, "dc2");
}

TEST(MigrationManager, AMigrationAnotherControllerRunsIsNotStartedTwiceAndItsIdIsNotReused) {
  World w;
  w.migrations.observe(Migration{7, "vm1", "dc1", "dc2", MigrationState::kRunning, 1000, 0, "location-mapper"});
  auto again = w.migrations.start("vm1", "dc2", "test");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("already migrating (migration 7)"), std::string::npos) << again.error();
  w.migrations.observe(Migration{7, "vm1", "dc1", "dc2", MigrationState::kCompleted, 1000, 2000, "done"});
  w.migrations.observe(Migration{8, "video/profile", "dc1", "dc2", MigrationState::kCompleted, 1000, 2000, "done"});
  EXPECT_EQ(w.migrations.part_dc(w.model.services.at(0), w.model.services.at(0).parts.at(0)), "dc2");
  w.vm_at("dc2");
  auto back = w.migrations.start("vm1", "dc1", "test");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->id, 9);
}

TEST(MigrationManager, WithASharedStoreIdsComeFromBlocksReservedThere) {
  World w;
  std::vector<std::int64_t> asked;
  std::optional<std::int64_t> last = 200;  // the store sets 101..200 aside for us
  w.migrations.reserve_ids_with([&](std::int64_t count) {
    asked.push_back(count);
    return last;
  });
  auto first = w.migrations.start("vm1", "dc2", "test");
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->id, 101);
  EXPECT_EQ(asked, std::vector<std::int64_t>{100});
  w.complete_last();
  // Another controller's migration does not move our numbering.
  w.migrations.observe(Migration{150, "vm1", "dc2", "dc1", MigrationState::kCompleted, 1, 2, "peer"});
  auto second = w.migrations.start("vm1", "dc1", "test");
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->id, 102);
  EXPECT_EQ(asked.size(), 1u) << "one reservation serves a block";
  w.complete_last();
}

TEST(MigrationManager, WithNoIdReservableNoMigrationStarts) {
  World w;  // e.g. etcd without quorum
  w.migrations.reserve_ids_with([](std::int64_t) { return std::optional<std::int64_t>{}; });
  auto refused = w.migrations.start("vm1", "dc2", "test");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("no migration id could be reserved"), std::string::npos) << refused.error();
  EXPECT_TRUE(w.driver.started.empty());
  EXPECT_FALSE(w.in_flight.expected("vm1", "dc2")) << "a refused migration must not leave vm1 expected elsewhere";
}

TEST(LocationMapper, AMeasuredBusyDataCenterIsNotChosenUntilItIsFreeAgain) {
  World w;
  auto s = w.mapper.settings();
  s.weight_utilisation = 2;  // per 1% of utilisation, against delay in ms
  w.mapper.set_settings(s);
  w.bus.publish(UtilisationMeasured{"dc2", 0.5});
  EXPECT_EQ(w.mapper.measured_utilisation("dc2"), 0.5);
  EXPECT_EQ(w.mapper.measured_utilisation("dc1"), std::nullopt);  // the YAML's figure (0) stands
  w.client_at("wlan2");
  w.run(5);
  EXPECT_TRUE(w.driver.started.empty()) << "migrated to a busy data center";
  ASSERT_FALSE(w.decisions.empty());
  EXPECT_EQ(w.decisions.back().action, PlacementAction::kStay);
  ASSERT_EQ(w.decisions.back().scores.size(), 2u);
  EXPECT_DOUBLE_EQ(w.decisions.back().scores[0].second, 50);   // dc1: 50 ms, idle
  EXPECT_DOUBLE_EQ(w.decisions.back().scores[1].second, 101);  // dc2: 1 ms + 2 x 50%

  w.bus.publish(UtilisationMeasured{"dc2", 0.05});  // its load went away
  w.run(3);
  ASSERT_EQ(w.driver.started.size(), 1u);
  EXPECT_EQ(w.driver.started[0].first.to_site, "dc2");
}

// Data-center scores and the three placement policies, pure.
#include <gtest/gtest.h>

#include "fmc/placement/dc_scores.hpp"
#include "fmc/placement/placement_policy.hpp"

using namespace fmc;
using namespace fmc::placement;

namespace {

model::Site dc(const char* name, double utilisation = 0, double cost = 0, const char* provider = "") {
  model::Site s;
  s.name = name;
  s.utilisation = utilisation;
  s.cost = cost;
  s.provider = provider;
  return s;
}

// Fig. 1's delays: each WLAN is 1 ms from its own DC and 50 ms from the other.
std::optional<double> fig1_delay(const std::string& access, const std::string& d) {
  if (d == "nowhere") return std::nullopt;
  return (access == "wlan1") == (d == "dc1") ? 1.0 : 50.0;
}

struct World {
  model::NetworkModel model;
  model::PlacementSettings settings;
  double now = 0;
  World() {
    model.sites = {dc("dc1"), dc("dc2")};
    for (const char* a : {"wlan1", "wlan2"}) {
      model::Site s;
      s.name = a;
      s.kind = model::SiteKind::kAccessNetwork;
      model.sites.push_back(s);
    }
    settings.migration_weight = 30;  // config/fig1.yaml
  }
  ServiceView view(const std::string& current, const std::string& user_site, double memory_mib = 128) const {
    ServiceView v;
    v.service = "video";
    v.current_dc = current;
    v.users = {"client1"};
    v.user_sites = {user_site};
    v.scores = score_data_centers(model, settings, fig1_delay, v.user_sites);
    model::VmSpec vm;
    vm.memory_mib = memory_mib;
    v.move_cost = migration_cost(settings, vm);
    v.cost_at = [this](const std::string& access, const std::string& d) -> std::optional<double> {
      const model::Site* s = model.site_named(d);
      return s ? user_cost(settings, fig1_delay, access, *s) : std::nullopt;
    };
    return v;
  }
  std::unique_ptr<PlacementPolicy> policy(model::PlacementPolicyKind k) {
    settings.policy = k;
    return make_policy(settings, {"wlan1", "wlan2"}, [this] { return now; });
  }
};

TEST(DcScores, WeighDelayUtilisationCostAndPreferredProviders) {
  World w;
  w.model.sites[0] = dc("dc1", 0.5, 2, "acme");
  w.model.sites[1] = dc("dc2", 0.1, 1, "other");
  w.settings.weight_delay = 1;
  w.settings.weight_utilisation = 0.2;  // per percent
  w.settings.weight_cost = 3;
  w.settings.weight_preferred = 4;
  w.settings.preferred_providers = {"acme"};
  const auto scores = score_data_centers(w.model, w.settings, fig1_delay, {"wlan1"});
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_DOUBLE_EQ(scores[0].score, 1 + 0.2 * 50 + 3 * 2 - 4);
  EXPECT_DOUBLE_EQ(scores[1].score, 50 + 0.2 * 10 + 3 * 1);
  EXPECT_DOUBLE_EQ(scores[1].delay_ms, 50);
}

TEST(DcScores, MeanOverUsersAndUnknownDelaysLeftOut) {
  World w;
  w.model.sites.push_back(dc("nowhere"));
  const auto scores = score_data_centers(w.model, w.settings, fig1_delay, {"wlan1", "wlan2"});
  ASSERT_EQ(scores.size(), 2u);  // "nowhere" has no known delay
  EXPECT_DOUBLE_EQ(scores[0].score, (1 + 50) / 2.0);
  EXPECT_TRUE(score_data_centers(w.model, w.settings, fig1_delay, {}).empty());
}

TEST(DcScores, MigrationCostIsCopyTimePlusDowntime) {
  model::PlacementSettings p;
  p.link_mbps = 100;
  p.expected_downtime_ms = 200;
  p.migration_weight = 10;
  model::VmSpec vm;
  vm.memory_mib = 100;  // 838.9 Mbit: 8.39 s at 100 Mbit/s
  EXPECT_NEAR(migration_cost(p, vm), 10 * (8.388608 + 0.2), 1e-9);
}

TEST(Policies, NearestMovesToTheBestAtOnceAndStaysWhenThere) {
  World w;
  auto p = w.policy(model::PlacementPolicyKind::kNearest);
  EXPECT_EQ(p->decide(w.view("dc1", "wlan2")).move_to, "dc2");
  EXPECT_FALSE(p->decide(w.view("dc1", "wlan1")).move_to);
}

TEST(Policies, ThresholdNeedsAGainAboveTheHysteresisThatPaysForTheMove) {
  World w;
  auto p = w.policy(model::PlacementPolicyKind::kThreshold);
  EXPECT_EQ(p->decide(w.view("dc1", "wlan2")).move_to, "dc2");

  w.settings.hysteresis = 49;  // the gain is exactly 49
  p = w.policy(model::PlacementPolicyKind::kThreshold);
  const Verdict within = p->decide(w.view("dc1", "wlan2"));
  EXPECT_FALSE(within.move_to);
  EXPECT_NE(within.reason.find("hysteresis"), std::string::npos);

  w.settings.hysteresis = 5;
  w.settings.horizon_s = 0.5;  // 49 * 0.5 = 24.5 score-seconds < ~34 for the move
  p = w.policy(model::PlacementPolicyKind::kThreshold);
  const Verdict unpaid = p->decide(w.view("dc1", "wlan2"));
  EXPECT_FALSE(unpaid.move_to);
  EXPECT_NE(unpaid.reason.find("pay"), std::string::npos);
}

// A 1 GiB VM: ~9 s of copying, ~260 score-seconds to move (fig1 weights).
constexpr double kBigVm = 1024;

TEST(Policies, MdpMovesForAUserWhoStaysAway) {
  World w;
  auto p = w.policy(model::PlacementPolicyKind::kMdp);
  p->user_moved("client1", "", "wlan1", 0);
  w.now = 120;
  p->user_moved("client1", "wlan1", "wlan2", 120);  // two minutes in wlan1, then one move
  w.now = 121;
  const Verdict v = p->decide(w.view("dc1", "wlan2", kBigVm));
  EXPECT_EQ(v.move_to, "dc2") << v.reason;
  EXPECT_FALSE(p->decide(w.view("dc2", "wlan2", kBigVm)).move_to);
}

TEST(Policies, MdpDoesNotMoveABigVmForAUserWhoKeepsCrossingTheBorder) {
  World w;
  auto p = w.policy(model::PlacementPolicyKind::kMdp);
  p->user_moved("client1", "", "wlan1", 0);
  // A minute of walking along the border: a different WLAN every second.
  for (int t = 1; t <= 60; ++t) {
    w.now = t;
    p->user_moved("client1", t % 2 ? "wlan1" : "wlan2", t % 2 ? "wlan2" : "wlan1", t);
  }
  w.now = 61;
  p->user_moved("client1", "wlan1", "wlan2", 61);
  const Verdict v = p->decide(w.view("dc1", "wlan2", kBigVm));
  EXPECT_FALSE(v.move_to) << v.reason;
  EXPECT_NE(v.reason.find("does not pay"), std::string::npos);
  // The same user, now settled in wlan2 for ten minutes, is worth following.
  w.now = 661;
  EXPECT_EQ(p->decide(w.view("dc1", "wlan2", kBigVm)).move_to, "dc2");
}

TEST(Policies, OffMakesNoPolicy) {
  World w;
  EXPECT_EQ(w.policy(model::PlacementPolicyKind::kOff), nullptr);
}

}  // namespace

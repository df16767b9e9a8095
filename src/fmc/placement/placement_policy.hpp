#pragma once
// When to move a service's VM, and where (paper §III.B, "Location
// Mapper"): one interface, three policies, chosen in the YAML
// (placement.policy) and changeable at run time.
//   nearest   — the best-scoring DC, at once (the baseline; ping-pongs on a border)
//   threshold — the best DC must beat the current one by the hysteresis, and
//               the gain over the horizon must pay for the move
//   mdp       — learns each user's mobility as a Markov chain and moves when
//               the expected discounted cost of staying exceeds that of
//               moving (after Taleb & Ksentini's follow-up work on FMC)
// The Location Mapper adds the dwell time on top of threshold and mdp.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fmc/placement/dc_scores.hpp"

namespace fmc::placement {

// What a policy sees of one service at one moment.
struct ServiceView {
  std::string service;
  std::string current_dc;
  std::vector<std::string> users;       // located users
  std::vector<std::string> user_sites;  // their access networks, in the same order
  std::vector<DcScore> scores;          // every DC with a known delay to all of them
  double move_cost = 0;                 // score-seconds (migration_cost)
  // One user's score of a DC if it were in `access` (what-ifs for mdp).
  std::function<std::optional<double>(const std::string& access, const std::string& dc)> cost_at;
};

struct Verdict {
  std::optional<std::string> move_to;  // nullopt: stay
  std::string reason;
};

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  virtual model::PlacementPolicyKind kind() const = 0;
  virtual Verdict decide(const ServiceView& v) = 0;
  // A user was seen moving between access networks at `now_s` (learning policies).
  virtual void user_moved(const std::string& user, const std::string& from, const std::string& to, double now_s) {
    (void)user, (void)from, (void)to, (void)now_s;
  }
};

// nullptr for kOff.
std::unique_ptr<PlacementPolicy> make_policy(const model::PlacementSettings& settings,
                                             std::vector<std::string> access_networks, std::function<double()> now_s);

// The lowest score; ties keep `current` (so that no policy moves for nothing).
const DcScore* best_of(const std::vector<DcScore>& scores, const std::string& current);
const DcScore* score_of(const std::vector<DcScore>& scores, const std::string& dc);

// The policies (one file each).
std::unique_ptr<PlacementPolicy> make_nearest_policy();
std::unique_ptr<PlacementPolicy> make_threshold_policy(const model::PlacementSettings& settings);
std::unique_ptr<PlacementPolicy> make_mdp_policy(const model::PlacementSettings& settings,
                                                 std::vector<std::string> access_networks, std::function<double()> now_s);

}  // namespace fmc::placement

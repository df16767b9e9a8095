// Always the best-scoring data center, at once: the baseline the other
// policies are measured against (a user on a cell border makes it ping-pong).
#include "fmc/placement/placement_policy.hpp"

namespace fmc::placement {
namespace {

class NearestPolicy final : public PlacementPolicy {
 public:
  model::PlacementPolicyKind kind() const override { return model::PlacementPolicyKind::kNearest; }
  Verdict decide(const ServiceView& v) override {
    const DcScore* best = best_of(v.scores, v.current_dc);
    if (!best) return {std::nullopt, "no data center has a known delay to the users"};
    if (best->dc == v.current_dc) return {std::nullopt, "already in the best data center"};
    return {best->dc, "a better data center"};
  }
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_nearest_policy() { return std::make_unique<NearestPolicy>(); }

}  // namespace fmc::placement

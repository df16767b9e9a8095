// Moves when the best data center beats the current one by more than the
// hysteresis and the gain, kept for the horizon, pays for the move.
#include "fmc/placement/placement_policy.hpp"

namespace fmc::placement {
namespace {

class ThresholdPolicy final : public PlacementPolicy {
 public:
  explicit ThresholdPolicy(const model::PlacementSettings& s) : s_(s) {}
  model::PlacementPolicyKind kind() const override { return model::PlacementPolicyKind::kThreshold; }

  Verdict decide(const ServiceView& v) override {
    const DcScore* best = best_of(v.scores, v.current_dc);
    const DcScore* current = score_of(v.scores, v.current_dc);
    if (!best || !current) return {std::nullopt, "no known delay from the users to the current data center"};
    const double gain = current->score - best->score;
    if (best == current) return {std::nullopt, "the current data center is the best"};
    if (gain <= s_.hysteresis) return {std::nullopt, "the current data center is within the hysteresis of the best"};
    if (gain * s_.horizon_s < v.move_cost) return {std::nullopt, "the gain over the horizon does not pay for the move"};
    return {best->dc, "gain above the hysteresis pays for the move"};
  }

 private:
  model::PlacementSettings s_;
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_threshold_policy(const model::PlacementSettings& settings) {
  return std::make_unique<ThresholdPolicy>(settings);
}

}  // namespace fmc::placement

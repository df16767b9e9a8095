#include "fmc/placement/placement_policy.hpp"

namespace fmc::placement {

const DcScore* score_of(const std::vector<DcScore>& scores, const std::string& dc) {
  for (const auto& s : scores)
    if (s.dc == dc) return &s;
  return nullptr;
}

const DcScore* best_of(const std::vector<DcScore>& scores, const std::string& current) {
  const DcScore* best = score_of(scores, current);
  for (const auto& s : scores)
    if (!best || s.score < best->score) best = &s;
  return best;
}

std::unique_ptr<PlacementPolicy> make_policy(const model::PlacementSettings& settings,
                                             std::vector<std::string> access_networks, std::function<double()> now_s) {
  switch (settings.policy) {
    case model::PlacementPolicyKind::kOff: return nullptr;
    case model::PlacementPolicyKind::kNearest: return make_nearest_policy();
    case model::PlacementPolicyKind::kThreshold: return make_threshold_policy(settings);
    case model::PlacementPolicyKind::kMdp: return make_mdp_policy(settings, std::move(access_networks), std::move(now_s));
  }
  return nullptr;
}

}  // namespace fmc::placement

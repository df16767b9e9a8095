#include "fmc/placement/dc_scores.hpp"

#include <algorithm>

namespace fmc::placement {

std::optional<double> user_cost(const model::PlacementSettings& p, const DelayOf& delay, const std::string& access,
                                const model::Site& dc, const UtilisationOf& utilisation) {
  const auto d = delay(access, dc.name);
  if (!d) return std::nullopt;
  const bool preferred =
      std::find(p.preferred_providers.begin(), p.preferred_providers.end(), dc.provider) != p.preferred_providers.end();
  const double busy = utilisation ? utilisation(dc) : dc.utilisation;
  return p.weight_delay * *d + p.weight_utilisation * 100 * busy + p.weight_cost * dc.cost -
         (preferred ? p.weight_preferred : 0);
}

std::vector<DcScore> score_data_centers(const model::NetworkModel& model, const model::PlacementSettings& p,
                                        const DelayOf& delay, const std::vector<std::string>& user_sites,
                                        const UtilisationOf& utilisation) {
  std::vector<DcScore> out;
  if (user_sites.empty()) return out;
  for (const model::Site* dc : model.sites_of(model::SiteKind::kDataCenter)) {
    DcScore s{dc->name, 0, 0};
    bool known = true;
    for (const auto& access : user_sites) {
      const auto c = user_cost(p, delay, access, *dc, utilisation);
      if (!c) {
        known = false;
        break;
      }
      s.delay_ms += *delay(access, dc->name);
      s.score += *c;
    }
    if (!known) continue;
    s.delay_ms /= static_cast<double>(user_sites.size());
    s.score /= static_cast<double>(user_sites.size());
    out.push_back(s);
  }
  return out;
}

double move_cost(const model::PlacementSettings& p, double size_mib, double downtime_ms) {
  const double copy_s = size_mib * 8.0 * 1.048576 / p.link_mbps;  // MiB -> Mbit
  return p.migration_weight * (copy_s + downtime_ms / 1000.0);
}

double migration_cost(const model::PlacementSettings& p, const model::VmSpec& vm) {
  return move_cost(p, vm.memory_mib, p.expected_downtime_ms);
}

}  // namespace fmc::placement

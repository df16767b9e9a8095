#pragma once
// How good each data center is for one service's users (paper §III.B):
// network parameters (the delay from each user's access network, measured
// by the Path Monitor), QoS (server utilisation) and business ones (cost,
// preferred providers), weighted as the YAML says. Pure: no state, no I/O.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fmc/model/network_model.hpp"

namespace fmc::placement {

// Delay from an access network to a data center, in ms, if known.
using DelayOf = std::function<std::optional<double>(const std::string& access, const std::string& dc)>;
// How busy a data center's servers are (0..1); empty: as the YAML says (Site::utilisation).
using UtilisationOf = std::function<double(const model::Site& dc)>;

struct DcScore {
  std::string dc;
  double delay_ms = 0;  // mean over the users
  double score = 0;     // lower is better
};

// The score of data center `dc` for one user in access network `access`.
// nullopt if the delay between them is unknown.
std::optional<double> user_cost(const model::PlacementSettings& p, const DelayOf& delay, const std::string& access,
                                const model::Site& dc, const UtilisationOf& utilisation = {});

// Scores of every data center for users in `user_sites` (mean of user_cost);
// data centers with an unknown delay to some user are left out.
std::vector<DcScore> score_data_centers(const model::NetworkModel& model, const model::PlacementSettings& p,
                                        const DelayOf& delay, const std::vector<std::string>& user_sites,
                                        const UtilisationOf& utilisation = {});

// The cost of moving something, in score-seconds: copying `size_mib` over
// the inter-DC link plus the downtime it causes, times the weight.
double move_cost(const model::PlacementSettings& p, double size_mib, double downtime_ms);
// A live migration: the VM's memory and the expected downtime.
double migration_cost(const model::PlacementSettings& p, const model::VmSpec& vm);

}  // namespace fmc::placement

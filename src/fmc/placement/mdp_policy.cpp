// Markov-decision-process placement, in the spirit of the follow-up work on
// Follow-Me Cloud (Taleb & Ksentini): each user's movement between access
// networks is a Markov chain learnt from what the controller sees (time
// spent in each network, moves between them, with a weak prior of one move
// per horizon). Per second, a user at access network s costs the score of
// the service's DC for s; costs are discounted. The service moves to the DC
// whose expected discounted cost, plus the migration cost, is lower than
// that of staying by more than the hysteresis (one step of policy
// improvement over "never move").
#include <cmath>
#include <map>

#include "fmc/placement/placement_policy.hpp"

namespace fmc::placement {
namespace {

class MdpPolicy final : public PlacementPolicy {
 public:
  MdpPolicy(const model::PlacementSettings& s, std::vector<std::string> access, std::function<double()> now_s)
      : s_(s), access_(std::move(access)), now_s_(std::move(now_s)) {}

  model::PlacementPolicyKind kind() const override { return model::PlacementPolicyKind::kMdp; }

  void user_moved(const std::string& user, const std::string& from, const std::string& to, double now_s) override {
    Mobility& m = users_[user];
    if (m.known && m.at == from) m.seconds_in[from] += now_s - m.since;
    if (!from.empty() && from != to) ++m.moves[{from, to}];
    m.at = to;
    m.since = now_s;
    m.known = true;
  }

  Verdict decide(const ServiceView& v) override {
    std::map<std::string, double> expected;  // DC -> sum over users of the discounted cost of staying there
    for (const auto& d : v.scores) {
      double total = 0;
      bool known = true;
      for (std::size_t u = 0; u < v.users.size() && known; ++u) {
        const auto value = discounted_cost(v, v.users[u], v.user_sites[u], d.dc);
        if (value) total += *value;
        else known = false;
      }
      if (known) expected[d.dc] = total;
    }
    const auto current = expected.find(v.current_dc);
    if (current == expected.end()) return {std::nullopt, "no known delay from the users to the current data center"};
    auto best = current;
    for (auto it = expected.begin(); it != expected.end(); ++it)
      if (it->second < best->second) best = it;
    if (best == current) return {std::nullopt, "staying has the lowest expected discounted cost"};
    if (current->second - best->second <= v.move_cost + s_.hysteresis)
      return {std::nullopt, "the expected saving does not pay for the move"};
    return {best->first, "the expected discounted cost of staying exceeds that of moving"};
  }

 private:
  struct Mobility {
    std::map<std::string, double> seconds_in;
    std::map<std::pair<std::string, std::string>, double> moves;
    std::string at;
    double since = 0;
    bool known = false;
  };

  // P(next second in `to` | now in `from`) for every access network.
  std::map<std::string, double> transitions(const std::string& user, const std::string& from) const {
    std::map<std::string, double> p;
    const double others = static_cast<double>(access_.size() > 1 ? access_.size() - 1 : 1);
    double seconds = s_.horizon_s, total_rate = 0;
    const auto it = users_.find(user);
    if (it != users_.end()) {
      const Mobility& m = it->second;
      if (auto s = m.seconds_in.find(from); s != m.seconds_in.end()) seconds += s->second;
      if (m.known && m.at == from) seconds += std::max(0.0, now_s_() - m.since);
    }
    for (const auto& to : access_) {
      if (to == from) continue;
      double moves = 1.0 / others;  // the prior
      if (it != users_.end())
        if (auto n = it->second.moves.find({from, to}); n != it->second.moves.end()) moves += n->second;
      p[to] = moves / seconds;
      total_rate += p[to];
    }
    const double leave = 1 - std::exp(-total_rate);
    for (auto& [to, rate] : p) rate = total_rate > 0 ? leave * rate / total_rate : 0;
    p[from] = 1 - leave;
    return p;
  }

  // Expected discounted cost of `user`, now at `at`, if the service stays in `dc` forever (policy evaluation).
  std::optional<double> discounted_cost(const ServiceView& v, const std::string& user, const std::string& at,
                                        const std::string& dc) const {
    std::map<std::string, double> cost, value;
    std::map<std::string, std::map<std::string, double>> p;
    for (const auto& s : access_) {
      const auto c = v.cost_at(s, dc);
      if (!c) return std::nullopt;
      cost[s] = *c;
      value[s] = 0;
      p[s] = transitions(user, s);
    }
    // gamma^k falls below 1e-6 of the first term after log(1e-6)/log(gamma) steps.
    const int steps = static_cast<int>(std::ceil(std::log(1e-6) / std::log(std::max(s_.discount, 1e-3)))) + 1;
    for (int k = 0; k < steps; ++k) {
      std::map<std::string, double> next;
      for (const auto& s : access_) {
        double future = 0;
        for (const auto& [to, prob] : p[s]) future += prob * value[to];
        next[s] = cost[s] + s_.discount * future;
      }
      value = std::move(next);
    }
    const auto it = value.find(at);
    return it == value.end() ? std::nullopt : std::optional<double>(it->second);
  }

  model::PlacementSettings s_;
  std::vector<std::string> access_;
  std::function<double()> now_s_;
  std::map<std::string, Mobility> users_;
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_mdp_policy(const model::PlacementSettings& settings,
                                                 std::vector<std::string> access_networks, std::function<double()> now_s) {
  return std::make_unique<MdpPolicy>(settings, std::move(access_networks), std::move(now_s));
}

}  // namespace fmc::placement

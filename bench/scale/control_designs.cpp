#include "control_designs.hpp"

#include <algorithm>
#include <numeric>

namespace fmc::scale {

namespace {
void add(Design& d, std::size_t records, std::size_t rules) {
  d.records_max = std::max(d.records_max, records);
  d.rules_max = std::max(d.rules_max, rules);
  d.records_mean += double(records) / d.controllers;
  d.rules_mean += double(rules) / d.controllers;
}
std::size_t sum(const RoleCounts& c) { return std::accumulate(c.begin(), c.end(), std::size_t{0}); }
}  // namespace

DesignTally::DesignTally(std::uint32_t scopes)
    : scopes_(scopes), scope_records_(scopes, 0), role_records_(scopes, RoleCounts{}), role_rules_(scopes, RoleCounts{}) {}

void DesignTally::endpoint(std::uint32_t home, std::uint32_t now, bool away, std::span<const std::uint32_t> peers) {
  ++endpoints_;
  // (b): every scope that needs the record, once.
  std::vector<std::uint32_t> needed{home, now};
  if (away) needed.insert(needed.end(), peers.begin(), peers.end());
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  for (const auto s : needed) ++scope_records_[s];
  // (c): the home role always; the foreign and correspondent roles while it is away.
  ++role_records_[home][std::size_t(Role::kHome)];
  if (!away) return;
  ++role_records_[now][std::size_t(Role::kForeign)];
  std::vector<std::uint32_t> at(peers.begin(), peers.end());
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  for (const auto s : at) ++role_records_[s][std::size_t(Role::kCorrespondent)];
}

void DesignTally::switch_rules(std::uint32_t scope, const RoleCounts& rules) {
  for (std::size_t r = 0; r < kRoles; ++r) role_rules_[scope][r] += rules[r];
}

std::vector<Design> DesignTally::designs() const {
  Design central{"(a) one central controller", 1};
  Design scope{"(b) " + std::to_string(scopes_) + " network scopes", scopes_};
  Design role{"(c) " + std::to_string(scopes_) + " scopes x 3 roles", scopes_ * std::uint32_t(kRoles)};
  std::size_t all_rules = 0;
  for (std::uint32_t s = 0; s < scopes_; ++s) {
    all_rules += sum(role_rules_[s]);
    add(scope, scope_records_[s], sum(role_rules_[s]));
    for (std::size_t r = 0; r < kRoles; ++r) add(role, role_records_[s][r], role_rules_[s][r]);
  }
  add(central, endpoints_, all_rules);
  return {central, scope, role};
}

}  // namespace fmc::scale

#pragma once
// How much each controller holds under the three control-plane designs of
// paper §V (after Bifulco et al., MCC 2012), counted from where the
// endpoints are and which rules each switch holds:
//   (a) central: one controller for everything;
//   (b) scope:   K controllers, each the master of a network scope (a group of
//                data-center regions with their cells); it needs the record of
//                every endpoint homed in, present in, or corresponding with
//                an endpoint in its scope, and writes its switches' rules;
//   (c) scope x role: each scope's work split between three controllers —
//                home (endpoints homed here: registry entry, home rules and
//                stragglers), foreign (visitors here: detection, last-hop
//                rewrite, the switches' own flows), correspondent (visitors
//                elsewhere with a peer here: first-hop rewrite).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fmc::scale {

enum class Role : std::uint8_t { kHome, kForeign, kCorrespondent };
inline constexpr std::size_t kRoles = 3;
using RoleCounts = std::array<std::size_t, kRoles>;

struct Design {
  std::string name;
  std::uint32_t controllers = 0;
  std::size_t records_max = 0, rules_max = 0;  // the busiest controller's
  double records_mean = 0, rules_mean = 0;
};

class DesignTally {
 public:
  explicit DesignTally(std::uint32_t scopes);
  // An endpoint homed in scope `home`, now in scope `now` (away: not at its
  // home site), whose service peers are now in `peers`.
  void endpoint(std::uint32_t home, std::uint32_t now, bool away, std::span<const std::uint32_t> peers);
  // A switch of scope `scope`, holding these rules by role.
  void switch_rules(std::uint32_t scope, const RoleCounts& rules);
  // (a), (b), (c) in that order.
  std::vector<Design> designs() const;

 private:
  std::uint32_t scopes_;
  std::size_t endpoints_ = 0;
  std::vector<std::size_t> scope_records_;
  std::vector<RoleCounts> role_records_, role_rules_;
};

}  // namespace fmc::scale

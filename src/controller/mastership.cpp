#include "controller/mastership.hpp"

#include <algorithm>

#include "controller/log.hpp"

namespace fmc::ctl {

bool Mastership::masters(const std::string& scope) const {
  auto it = scopes_.find(scope);
  return it != scopes_.end() && it->second.master;
}

bool Mastership::ours(of::Dpid dpid) const {
  auto it = connected_.find(dpid);
  return it == connected_.end() || it->second.scope.empty() || (masters(it->second.scope) && !it->second.displaced);
}

void Mastership::tell_role(Datapath& dp, const Scope& s) {
  dp.send(of::RoleRequest{s.master ? of::ControllerRole::kMaster : of::ControllerRole::kSlave, s.generation});
}

void Mastership::elected(const std::string& scope, std::uint64_t generation) {
  Scope& s = scopes_[scope];
  const bool was = s.master;
  s.master = true;
  s.generation = generation;
  log::info("mastership", "master of scope " + scope + " (generation " + std::to_string(generation) + ")");
  for (auto& [dpid, c] : connected_) {
    if (c.scope != scope) continue;
    tell_role(*c.dp, s);
    if (!was || c.displaced) inner_->on_switch_up(*c.dp);  // the apps resync the switch as its master
    c.displaced = false;
  }
}

void Mastership::follow(const std::string& scope, std::uint64_t generation) {
  Scope& s = scopes_[scope];
  const bool was = s.master;
  if (!was && s.generation == generation) return;
  s.master = false;
  s.generation = std::max(s.generation, generation);
  if (was) log::warn("mastership", "no longer master of scope " + scope);
  for (auto& [dpid, c] : connected_) {
    if (c.scope != scope) continue;
    if (was && !c.displaced) inner_->on_switch_down(dpid);
    c.displaced = false;
    tell_role(*c.dp, s);
  }
}

void Mastership::on_switch_up(Datapath& dp) {
  const std::string scope = scope_of_(dp.dpid());
  connected_[dp.dpid()] = Connected{&dp, scope};
  if (scope.empty()) return inner_->on_switch_up(dp);
  const Scope& s = scopes_[scope];
  tell_role(dp, s);
  if (s.master) inner_->on_switch_up(dp);
}

void Mastership::on_switch_down(of::Dpid dpid) {
  const bool forwarded = ours(dpid);
  connected_.erase(dpid);
  if (forwarded) inner_->on_switch_down(dpid);
}

Disposition Mastership::on_packet_in(Datapath& dp, const of::PacketIn& pi) {
  return ours(dp.dpid()) ? inner_->on_packet_in(dp, pi) : Disposition::kConsumed;
}

void Mastership::on_port_status(Datapath& dp, const of::PortStatus& ps) {
  if (ours(dp.dpid())) inner_->on_port_status(dp, ps);
}

void Mastership::on_flow_removed(Datapath& dp, const of::FlowRemoved& fr) {
  if (ours(dp.dpid())) inner_->on_flow_removed(dp, fr);
}

void Mastership::on_error(Datapath& dp, of::Xid xid, const of::ErrorMsg& e) {
  if (ours(dp.dpid())) inner_->on_error(dp, xid, e);
}

void Mastership::on_message(Datapath& dp, of::Xid xid, const of::Message& m) {
  if (const auto* status = std::get_if<of::RoleStatus>(&m)) return on_role_status(dp, *status);
  if (ours(dp.dpid())) inner_->on_message(dp, xid, m);
}

void Mastership::on_role_status(Datapath& dp, const of::RoleStatus& status) {
  auto it = connected_.find(dp.dpid());
  if (it == connected_.end() || status.role != of::ControllerRole::kSlave) return;
  Connected& c = it->second;
  const auto scope = scopes_.find(c.scope);
  if (scope == scopes_.end() || c.displaced) return;
  if (!scope->second.master) {
    // Its lease ended first (a controller woken from a freeze runs its overdue timers and
    // reads its socket in either order): the switch only confirms that it let go.
    log::info("mastership", "switch " + of::hex(dp.dpid()) + " reports another master for scope " + c.scope +
                                " (generation " + std::to_string(status.generation_id) +
                                "); this controller had already let go of it");
    return;
  }
  if (status.generation_id <= scope->second.generation) return;  // older than our own claim
  c.displaced = true;
  log::warn("mastership", "switch " + of::hex(dp.dpid()) + " took another master for scope " + c.scope +
                              " (generation " + std::to_string(status.generation_id) +
                              "): this controller stops driving it before its own lease ends");
  inner_->on_switch_down(dp.dpid());
}

}  // namespace fmc::ctl

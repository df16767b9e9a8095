#include "fmc/rewrite/packet_manipulator.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "controller/log.hpp"
#include "net/arp.hpp"
#include "util/inline_vector.hpp"

namespace fmc {

namespace {

// Flow-mods built in place in `effects`, for one switch.
class ToSwitch final : public pipeline::FlowSink {
 public:
  ToSwitch(ctl::Effects& effects, of::Dpid dpid) : effects_(effects), dpid_(dpid) {}
  of::FlowMod& add() override { return effects_.flow_mod(dpid_); }

 private:
  ctl::Effects& effects_;
  of::Dpid dpid_;
};

// The address block visitors borrow in a site: the top quarter of its subnet
// (network and broadcast addresses excluded), as [first, last]; empty if the
// subnet is too small.
std::optional<std::pair<std::uint32_t, std::uint32_t>> visitor_block(const net::Ipv4Prefix& subnet) {
  const std::uint32_t size = subnet.length >= 31 ? 0 : (1u << (32 - subnet.length));
  if (size < 8) return std::nullopt;
  return std::pair{subnet.network.value + size - size / 4, subnet.network.value + size - 2};
}
}  // namespace

PacketManipulator::PacketManipulator(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                                     const Clock& clock, OnConverged on_converged)
    : model_(model), locations_(locations), bus_(bus), on_converged_(std::move(on_converged)), clock_(clock) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (const auto& service : model_.services)
    for (const auto& user : service.users) {
      const Endpoint* vm = locations_.by_name(service.vm);
      const Endpoint* client = locations_.by_name(user);
      if (!vm || !client) continue;
      pairs.emplace_back(vm->number, client->number);
      pairs.emplace_back(client->number, vm->number);
    }
  // Grouped by endpoint number; an endpoint's peers in the order of the services that name them.
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (locations_.size() >= kMany) throw std::length_error("packet manipulator: too many endpoints");
  peer_of_.assign(locations_.size(), kNoPeers);
  for (auto it = pairs.begin(); it != pairs.end();) {
    const auto end = std::find_if(it, pairs.end(), [&](const auto& p) { return p.first != it->first; });
    if (end - it == 1) {
      peer_of_[it->first] = it->second;
    } else {
      peer_of_[it->first] = kMany | std::uint32_t(many_peers_.size());
      many_peers_.push_back(std::uint32_t(end - it));
      for (; it != end; ++it) many_peers_.push_back(it->second);
    }
    it = end;
  }
  bus.react([this](const FmcEvent& e) {
    if (const auto* m = std::get_if<EndpointMoved>(&e)) return on_moved(*m);
    return ctl::Effects{};
  });
}

std::optional<net::Ipv4Addr> PacketManipulator::allocate_visiting_ip(const model::Site& site) {
  const auto block = visitor_block(site.subnet);
  if (!block) return std::nullopt;
  // From just after the last address handed out here, round the block once.
  const auto [first, last] = *block;
  next_visitor_.resize(model_.sites.size());
  auto& next = next_visitor_[std::size_t(&site - model_.sites.data())];
  if (next < first || next > last) next = first;
  for (std::uint32_t tried = 0, n = last - first + 1; tried < n; ++tried) {
    const net::Ipv4Addr candidate{next};
    next = next == last ? first : next + 1;
    if (candidate == site.gateway.ip || locations_.by_ip(candidate)) continue;
    return candidate;
  }
  return std::nullopt;
}

bool PacketManipulator::is_correspondent(const Endpoint& e, const model::Site& site) const {
  const auto peers = peers_of(e);
  if (peers.empty())
    return site.kind == (e.kind == store::EndpointKind::kVm ? model::SiteKind::kAccessNetwork : model::SiteKind::kDataCenter);
  return std::any_of(peers.begin(), peers.end(), [&](std::uint32_t peer) { return site_of(peer) == &site; });
}

std::optional<pipeline::Tunnel> PacketManipulator::tunnel_for(const Endpoint& e) const {
  if (e.at_home() || !e.ip || !e.visiting_ip) return std::nullopt;
  const model::Site* visited = model_.site(e.current->site);
  const model::Site* home = model_.site(e.home_site);
  const auto uplink = visited ? model_.uplink_port(*visited) : std::nullopt;
  if (!visited || !home || !uplink) return std::nullopt;
  return pipeline::Tunnel{e.mac, *e.ip, *e.visiting_ip, e.current->port, *uplink, visited->gateway.mac, home->gateway.mac};
}

std::optional<pipeline::Tunnel> PacketManipulator::tunnel_of(std::uint32_t number) const {
  return locations_.whereabouts(number).away ? tunnel_for(locations_.at(number)) : std::nullopt;
}

void PacketManipulator::tunnel_flows(pipeline::FlowSink& out, const Endpoint& e, const model::Site& site) const {
  if (const auto tunnel = tunnel_for(e)) tunnel_flows(out, e, *tunnel, site);
}

void PacketManipulator::tunnel_flows(pipeline::FlowSink& out, const Endpoint& e, const pipeline::Tunnel& tunnel,
                                     const model::Site& site) const {
  if (e.current->site == site.name) return pipeline::tunnel_at_visited(out, tunnel, !awaiting_acknowledgement(e.name));
  if (e.home_site == site.name) {
    if (const auto uplink = model_.uplink_port(site)) pipeline::tunnel_at_home(out, tunnel, *uplink);
    return;
  }
  if (is_correspondent(e, site)) pipeline::tunnel_at_correspondent(out, tunnel);
}

namespace {
bool has(const std::vector<std::string>& scopes, const std::string& scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}
}  // namespace

std::vector<std::string> PacketManipulator::correspondent_scopes_elsewhere(const Endpoint& e) const {
  std::vector<std::string> scopes;
  if (sharing_.other_scopes.empty()) return scopes;
  auto consider = [&](const model::Site* site) {
    if (!site || site->name == e.current->site || site->name == e.home_site || !is_correspondent(e, *site)) return;
    const model::SwitchSpec* sw = model_.switch_of(*site);
    if (sw && has(sharing_.other_scopes, sw->scope) && !has(scopes, sw->scope)) scopes.push_back(sw->scope);
  };
  if (const auto peers = peers_of(e); !peers.empty()) {
    for (const std::uint32_t p : peers) consider(site_of(p));
  } else {
    for (const auto& site : model_.sites) consider(&site);
  }
  return scopes;
}

std::vector<std::string> PacketManipulator::own_scopes_of(const ctl::SwitchGroup& group) const {
  std::vector<std::string> scopes;
  for (const auto dpid : group) {
    const model::SwitchSpec* sw = model_.switch_with(dpid);
    if (sw && !sw->scope.empty() && !has(sharing_.other_scopes, sw->scope) && !has(scopes, sw->scope))
      scopes.push_back(sw->scope);
  }
  return scopes;
}

ctl::Effects PacketManipulator::on_acknowledged(const store::TunnelAck& ack) {
  auto it = awaited_.find(ack.endpoint);
  if (it == awaited_.end() || it->second.visiting_ip.to_string() != ack.visiting_ip) return {};  // another visit's
  auto& scopes = it->second.scopes;
  scopes.erase(std::remove(scopes.begin(), scopes.end(), ack.scope), scopes.end());
  if (!scopes.empty()) return {};
  awaited_.erase(it);
  return rewrite_source(ack.endpoint);
}

ctl::Effects PacketManipulator::rewrite_source(const std::string& endpoint) {
  ctl::Effects out;
  const Endpoint* e = locations_.by_name(endpoint);
  if (const auto tunnel = e ? tunnel_for(*e) : std::nullopt)
    out.send(e->current->dpid, pipeline::first_hop_out(*tunnel, true));
  return out;
}

ctl::Effects PacketManipulator::on_moved(const EndpointMoved& m) {
  unconfirmed_.erase(m.endpoint);  // this move's own flows supersede a retry
  awaited_.erase(m.endpoint);      // and its visit the acknowledgements of the last
  // Measured from the arrival of the packet that revealed the move when there was one.
  const auto arrived = bus_.input_arrived();
  return install(m, 1, Started{arrived.value_or(clock_.steady()), arrived.has_value()});
}

ctl::Effects PacketManipulator::install(const EndpointMoved& m, std::uint32_t attempt, Started started) {
  ctl::Effects out;
  const Endpoint* e = locations_.moved(m);
  if (!e) return out;
  if (m.at_home && e->current) out.send_all(e->current->dpid, dhcp_client_home_rules(*e));
  // A client known only from DHCP leaves its home rules behind it (a configured
  // endpoint's stay: the Mobility Detector keeps them at its home for good).
  if (m.from && m.from->site == e->home_site && m.from->dpid != m.to.dpid && !e->configured)
    out.send(m.from->dpid, pipeline::remove(pipeline::home_cookie(e->mac)));
  if (!e->ip) return out;

  // Visiting address: kept while the endpoint stays in the same visited site. A move
  // learnt from another controller comes with the address that controller chose (or,
  // until its next record, none: the stale flows go, the tunnel waits).
  if (m.cause != MoveCause::kPeer && m.at_home) {
    locations_.set_visiting_ip(*e, std::nullopt);
  } else if (m.cause != MoveCause::kPeer && (!m.from || m.from->site != m.to.site || !e->visiting_ip)) {
    const model::Site* visited = model_.site(m.to.site);
    auto address = visited ? allocate_visiting_ip(*visited) : std::nullopt;
    if (!address) {
      log::error("packet_manipulator", "no visiting address left in " + m.to.site + " for " + e->name);
      return out;
    }
    locations_.set_visiting_ip(*e, address);
  }

  // On each switch concerned: stale flows out, new ones in, then a barrier.
  ctl::SwitchGroup group;
  // What an endpoint needs at each site, found once per endpoint, not once per site: its tunnel
  // (if it is away). Its stale flows go first.
  struct Refresh {
    const Endpoint& x;
    std::optional<pipeline::Tunnel> tunnel;
  };
  auto refresh = [&](const Refresh& r, const model::Site* site) {
    const auto dpid = site ? model_.switch_dpid(*site) : std::nullopt;
    if (!dpid) return;
    ToSwitch into(out, *dpid);
    pipeline::remove_tunnel(into, r.x.mac, *r.x.ip);
    if (r.tunnel) tunnel_flows(into, r.x, *r.tunnel, *site);
    if (std::find(group.begin(), group.end(), *dpid) == group.end()) group.push_back(*dpid);
  };
  const Refresh self{*e, tunnel_for(*e)};
  // A move this controller saw itself (the first attempt): its visitor's source waits for the
  // other controllers' correspondents (Sharing).
  if (self.tunnel && attempt == 1 && m.cause != MoveCause::kPeer && m.cause != MoveCause::kRestored)
    if (auto scopes = correspondent_scopes_elsewhere(*e); !scopes.empty())
      awaited_[e->name] = Awaited{self.tunnel->visiting_ip, std::move(scopes), clock_.steady() + kAcknowledgementWait};
  constexpr std::size_t kMostPerSite = 7;  // removals (3) and a visited site's flows (4)
  if (const auto peers = peers_of(*e); !peers.empty()) {
    // Its flows are where it was, where it is, at home and where its peers are;
    // and each visiting peer's correspondent flows follow it from its old site to the new.
    const model::Site* from = m.from ? model_.site(m.from->site) : nullptr;
    const model::Site* to = model_.site(m.to.site);
    InlineVector<const model::Site*, 8> sites = {from, to, model_.site(e->home_site)};
    for (const std::uint32_t p : peers) sites.push_back(site_of(p));
    std::sort(sites.begin(), sites.end());
    sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
    group.reserve(sites.size());
    out.messages.reserve(out.messages.size() + kMostPerSite * (sites.size() + 2 * peers.size()) + 1);
    for (const auto* site : sites) refresh(self, site);
    if (from != to)
      for (const std::uint32_t p : peers)
        if (auto peer_tunnel = tunnel_of(p)) {
          const Refresh peer{locations_.at(p), std::move(peer_tunnel)};
          refresh(peer, from);
          refresh(peer, to);
        }
  } else {
    // Anyone may talk to it: every switch.
    group.reserve(model_.sites.size());
    for (const auto& site : model_.sites) refresh(self, &site);
  }
  // Packets redirected from home before this controller knew the visiting address
  // (another controller's move) may have left the visited site's router asking for
  // it in vain, holding them until its next try a second later: once the flows are
  // in, the visited switch announces the address towards the router.
  if (const auto& tunnel = self.tunnel)
    out.packet_out(e->current->dpid, of::port::kController, {of::Output{tunnel->uplink, 0}},
                   net::build_gratuitous_arp(tunnel->mac, tunnel->visiting_ip));
  // A peer's move: once this controller's switches confirmed its tunnel, the controller that chose the
  // visiting address is told (Sharing).
  std::vector<std::string> ack_scopes;
  if (self.tunnel && m.cause == MoveCause::kPeer && sharing_.acknowledge) ack_scopes = own_scopes_of(group);
  out.confirm(std::move(group), [this, attempt, started, name = e->name, to = m.to.site, ack_scopes = std::move(ack_scopes),
                                 visiting = self.tunnel ? self.tunnel->visiting_ip : net::Ipv4Addr{}](
                                    const ctl::GroupOutcome& outcome) {
    settle(name, to, attempt, started, outcome);
    if (outcome.ok && outcome.switches > 0)
      for (const auto& scope : ack_scopes) sharing_.acknowledge({name, scope, visiting.to_string()});
  });
  return out;
}

void PacketManipulator::settle(const std::string& name, const std::string& site, std::uint32_t attempt,
                               Started started, const ctl::GroupOutcome& outcome) {
  if (outcome.switches == 0) return;  // none connected: nothing converged
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock_.steady() - started.at);
  const std::string tries = attempt > 1 ? " (attempt " + std::to_string(attempt) + ")" : "";
  if (on_converged_) on_converged_(MoveConverged{name, site, outcome.ok, elapsed});
  if (outcome.ok || outcome.failures.empty()) {
    // Confirmed; or a switch went away, and its resync on reconnection installs the flows.
    if (auto it = unconfirmed_.find(name); it != unconfirmed_.end() && it->second.site == site) unconfirmed_.erase(it);
    if (log::enabled(log::Level::kInfo))
      log::info("packet_manipulator", name + " at " + site + ": flows " + (outcome.ok ? "confirmed" : "NOT confirmed") +
                                          " in " + std::to_string(elapsed.count()) + " us" +
                                          (started.at_arrival ? " from its packet's arrival" : " from the move") + tries);
    return;
  }
  const bool table_full = std::any_of(outcome.failures.begin(), outcome.failures.end(), [](const ctl::FailedMessage& f) {
    return of::ErrorCode{static_cast<of::ErrorType>(f.type), f.code} == of::code::kTableFull;
  });
  const Endpoint* e = locations_.by_name(name);
  const bool still_there = e && e->current && e->current->site == site;
  const std::chrono::seconds wait{std::min(2u << std::min(attempt - 1, 4u), 30u)};  // 2, 4, 8, 16, 30 s
  log::warn("packet_manipulator", name + " at " + site + ": " + std::to_string(outcome.failures.size()) +
                                      " flow-mods refused" + (table_full ? " (flow table full)" : "") + tries +
                                      (still_there ? "; trying again in " + std::to_string(wait.count()) + " s" : ""));
  if (still_there) unconfirmed_[name] = Unconfirmed{site, attempt, started, clock_.steady() + wait};
  bus_.publish(FlowsRefused{name, site, outcome.failures.size(), table_full, attempt});
}

ctl::Effects PacketManipulator::tick() {
  ctl::Effects out;
  const auto now = clock_.steady();
  for (auto it = unconfirmed_.begin(); it != unconfirmed_.end();) {
    auto& u = it->second;
    const Endpoint* e = locations_.by_name(it->first);
    if (!e || !e->current || e->current->site != u.site) {
      it = unconfirmed_.erase(it);  // it moved on: that move has its own flows
      continue;
    }
    if (u.retry_at <= now) {
      u.retry_at = Clock::Steady::max();
      out.append(install(EndpointMoved{e->name, e->current, *e->current, MoveCause::kRestored, e->at_home(), e->number},
                         u.attempt + 1, u.started));
    }
    ++it;
  }
  for (auto it = awaited_.begin(); it != awaited_.end();) {
    if (it->second.until > now) {
      ++it;
      continue;
    }
    std::string scopes;
    for (const auto& scope : it->second.scopes) scopes += (scopes.empty() ? "" : ", ") + scope;
    log::warn("packet_manipulator", it->first + ": no acknowledgement from " + scopes + " within " +
                                        std::to_string(kAcknowledgementWait.count()) +
                                        " s; its source is rewritten to its visiting address now");
    out.append(rewrite_source(it->first));
    it = awaited_.erase(it);
  }
  return out;
}

ctl::Effects PacketManipulator::on_switch_up(of::Dpid dpid) const {
  ctl::Effects out;
  const model::Site* site = model_.site_at(dpid);
  if (!site) return out;
  ToSwitch into(out, dpid);
  for (const Endpoint* e : locations_.all()) {
    tunnel_flows(into, *e, *site);
    if (e->at_home() && e->current && e->current->dpid == dpid) out.send_all(dpid, dhcp_client_home_rules(*e));
  }
  return out;
}

pipeline::EndpointFlows PacketManipulator::dhcp_client_home_rules(const Endpoint& e) const {
  // Configured endpoints get their home rules from the Mobility Detector;
  // clients known only from DHCP get them where they are.
  if (!e.current || e.configured) return {};
  const model::Site* home = model_.site(e.current->site);
  const auto uplink = home ? model_.uplink_port(*home) : std::nullopt;
  if (!uplink) return {};
  return pipeline::attach(e.mac, e.current->port, *uplink, pipeline::home_cookie(e.mac));
}

}  // namespace fmc

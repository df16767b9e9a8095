#pragma once
// Packet Manipulator (paper §IV.B.5): when an endpoint is in a visited
// location, installs the "virtual tunnel" (see pipeline.hpp) on its visited
// switch, its home switch and its correspondents' switches, after removing its
// stale flows there (by cookie and by IP), and announces the visiting address to
// the visited site's router (a gratuitous ARP out of its uplink). The move
// counts as done when every switch has confirmed with a barrier; until then
// it is "converging".
// Correspondents (paper §V: a switch holds only the rules of the endpoints it
// serves): for a VM in a declared service, the sites where its users are; for
// a user, the sites of its services' VMs; their flows follow those peers when
// they move. An endpoint in no service may be reached from anywhere: every
// site of the other kind (access networks for a VM, data centers for a client).
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <map>
#include <vector>

#include "fmc/events/clock.hpp"
#include "controller/effects.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/pipeline/flows.hpp"

namespace fmc {

struct MoveConverged {
  std::string endpoint;
  std::string site;
  bool ok = true;                        // every switch confirmed
  std::chrono::microseconds elapsed{0};  // from the move's start (Started) to the last barrier reply
};

class PacketManipulator {
 public:
  using OnConverged = std::function<void(const MoveConverged&)>;
  // Reacts to EndpointMoved on `bus`.
  PacketManipulator(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                    const Clock& clock, OnConverged on_converged = nullptr);
  // Resync after a (re)connect: tunnels this switch takes part in.
  ctl::Effects on_switch_up(of::Dpid dpid) const;
  // Stale flows out and new ones in on every site's switch, confirmed by a barrier group.
  // Flows a switch refuses (a full table) are reported (FlowsRefused) and tried again.
  ctl::Effects on_moved(const EndpointMoved& m);
  // Periodic: moves whose flows were refused are installed again when their retry is due
  // (after 2 s, doubling up to 30 s, for as long as the endpoint stays there); a visitor
  // whose acknowledgements are overdue (kAcknowledgementWait) gets its source rewritten.
  ctl::Effects tick();
  std::size_t unconfirmed() const { return unconfirmed_.size(); }

  // Several controllers (paper §V), each serving some scopes. A visitor's first hop out
  // rewrites its source to the visiting address only once the switches of its
  // correspondents in the other scopes undo it: their controllers learn the address from
  // the store, confirm their flows and acknowledge through it (acknowledge, on their
  // side). Until then its packets leave with their own source: a correspondent that
  // cannot undo the visiting address would hand its endpoint a stranger's packet, and a
  // TCP stack resets the connection it belongs to.
  struct Sharing {
    std::vector<std::string> other_scopes;                      // served by other controllers
    std::function<void(const store::TunnelAck&)> acknowledge;  // this controller's switches took a peer's tunnel
  };
  static constexpr std::chrono::seconds kAcknowledgementWait{5};  // then rewritten anyway, with a warning
  void share(Sharing sharing) { sharing_ = std::move(sharing); }
  ctl::Effects on_acknowledged(const store::TunnelAck& ack);
  bool awaiting_acknowledgement(const std::string& endpoint) const { return awaited_.count(endpoint) != 0; }

 private:
  // Where a move's convergence is measured from: the arrival of the packet that
  // revealed it (read from the switch's connection), else its acceptance.
  struct Started {
    Clock::Steady at;
    bool at_arrival = false;
  };
  // A move's flows (attempt 1, or a retry of a move first seen at `started`).
  ctl::Effects install(const EndpointMoved& m, std::uint32_t attempt, Started started);
  void settle(const std::string& name, const std::string& site, std::uint32_t attempt, Started started,
              const ctl::GroupOutcome& outcome);
  std::optional<net::Ipv4Addr> allocate_visiting_ip(const model::Site& site);  // one of model_.sites
  pipeline::EndpointFlows dhcp_client_home_rules(const Endpoint& e) const;
  std::optional<pipeline::Tunnel> tunnel_for(const Endpoint& e) const;
  // The endpoints `e` shares a service with, by number (none: it is in no service).
  // Endpoints added since (clients first seen by DHCP) have no declared peers.
  std::span<const std::uint32_t> peers_of(const Endpoint& e) const {
    if (e.number >= peer_of_.size() || peer_of_[e.number] == kNoPeers) return {};
    const std::uint32_t& p = peer_of_[e.number];
    if ((p & kMany) == 0) return {&p, 1};
    return {many_peers_.data() + (p & ~kMany) + 1, many_peers_[p & ~kMany]};
  }
  // Where endpoint `number` is (its home if it was never seen), from its whereabouts.
  const model::Site* site_of(std::uint32_t number) const { return locations_.whereabouts(number).site; }
  // The tunnel of endpoint `number`: its whereabouts first, the endpoint itself only if it is away.
  std::optional<pipeline::Tunnel> tunnel_of(std::uint32_t number) const;
  bool is_correspondent(const Endpoint& e, const model::Site& site) const;
  // The tunnel flows `site`'s switch needs for `e` (none if e is at home), into `out`.
  void tunnel_flows(pipeline::FlowSink& out, const Endpoint& e, const model::Site& site) const;
  void tunnel_flows(pipeline::FlowSink& out, const Endpoint& e, const pipeline::Tunnel& tunnel,
                    const model::Site& site) const;
  // The other controllers' scopes where `e` (visiting) has correspondents.
  std::vector<std::string> correspondent_scopes_elsewhere(const Endpoint& e) const;
  // The scopes of `group`'s switches that this controller serves.
  std::vector<std::string> own_scopes_of(const ctl::SwitchGroup& group) const;
  ctl::Effects rewrite_source(const std::string& endpoint);

  const model::NetworkModel& model_;
  LocationManager& locations_;
  EventBus& bus_;
  OnConverged on_converged_;
  const Clock& clock_;
  struct Unconfirmed {
    std::string site;
    std::uint32_t attempt = 1;
    Started started;
    Clock::Steady retry_at;  // max: a retry is waiting for its barriers
  };
  std::map<std::string, Unconfirmed> unconfirmed_;  // endpoints whose flows a switch refused
  // From the model's services, both ways, by endpoint number: kNoPeers, its one peer's number (one load
  // a move, most endpoints having one), or kMany | where its list starts in many_peers_ (the count, then
  // the numbers).
  static constexpr std::uint32_t kMany = 1u << 31, kNoPeers = ~0u;
  std::vector<std::uint32_t> peer_of_;
  std::vector<std::uint32_t> many_peers_;
  std::vector<std::uint32_t> next_visitor_;  // by site position in the model: where the next search starts
  Sharing sharing_;
  struct Awaited {
    net::Ipv4Addr visiting_ip;
    std::vector<std::string> scopes;  // not acknowledged yet
    Clock::Steady until;
  };
  std::map<std::string, Awaited> awaited_;  // visitors whose source is not rewritten yet
};

}  // namespace fmc

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
  // (after 2 s, doubling up to 30 s, for as long as the endpoint stays there).
  ctl::Effects tick();
  std::size_t unconfirmed() const { return unconfirmed_.size(); }

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
  // The endpoints `e` shares a service with (none: it is in no service).
  // Endpoints added since (clients first seen by DHCP) have no declared peers.
  std::span<const Endpoint* const> peers_of(const Endpoint& e) const {
    if (std::size_t(e.number) + 1 >= first_peer_.size()) return {};
    return {peers_.data() + first_peer_[e.number], peers_.data() + first_peer_[e.number + 1]};
  }
  // Where an endpoint is (its home if it was never seen).
  const model::Site* site_of(const Endpoint& e) const;
  bool is_correspondent(const Endpoint& e, const model::Site& site) const;
  // The tunnel flows `site`'s switch needs for `e` (none if e is at home).
  pipeline::EndpointFlows tunnel_flows(const Endpoint& e, const model::Site& site) const;
  pipeline::EndpointFlows tunnel_flows(const Endpoint& e, const pipeline::Tunnel& tunnel, const model::Site& site) const;

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
  // From the model's services, both ways: endpoint n's peers are peers_[first_peer_[n], first_peer_[n + 1]).
  std::vector<std::uint32_t> first_peer_;
  std::vector<const Endpoint*> peers_;
  std::vector<std::uint32_t> next_visitor_;  // by site position in the model: where the next search starts
};

}  // namespace fmc

#pragma once
// Packet Manipulator (paper §IV.B.5): when an endpoint is in a visited
// location, installs the "virtual tunnel" (see pipeline.hpp) on its visited
// switch and on its correspondents' switches (the other kind of site: clients
// for a VM, data centers for a client), after removing its stale flows
// everywhere (by cookie and by IP), and announces the visiting address to
// the visited site's router (a gratuitous ARP out of its uplink). The move
// counts as done when every switch has confirmed with a barrier; until then
// it is "converging".
#include <chrono>
#include <functional>
#include <optional>

#include "fmc/events/clock.hpp"
#include "controller/effects.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/pipeline/flows.hpp"

namespace fmc {

struct MoveConverged {
  std::string endpoint;
  std::string site;
  bool ok = true;                        // every switch confirmed
  std::chrono::microseconds elapsed{0};  // from the move to the last barrier reply
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
  ctl::Effects on_moved(const EndpointMoved& m);

 private:
  std::optional<net::Ipv4Addr> allocate_visiting_ip(const model::Site& site) const;
  std::vector<of::FlowMod> dhcp_client_home_rules(const Endpoint& e) const;
  std::optional<pipeline::Tunnel> tunnel_for(const Endpoint& e) const;
  std::vector<const model::Site*> correspondents(const Endpoint& e) const;
  // The tunnel flows `site`'s switch needs for `e` (none if e is at home).
  std::vector<of::FlowMod> tunnel_flows(const Endpoint& e, const model::Site& site) const;

  const model::NetworkModel& model_;
  LocationManager& locations_;
  OnConverged on_converged_;
  const Clock& clock_;
};

}  // namespace fmc

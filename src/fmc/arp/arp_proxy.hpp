#pragma once
// ARP proxy (paper §IV.B.4, Fig. 3). All ARP goes to the controller, which
// answers requests for gateways and known endpoints from its authoritative
// table with a PACKET_OUT on the ingress port. It never learns a binding that
// conflicts with the table (no ARP poisoning) and keeps no state for unknown
// addresses. Requests from the router for hosts the table does not know are
// passed on to that site's hosts, as the paper's prototype does; the answer
// is learned only if it conflicts with nothing, then returned to the router.
#include <cstdint>

#include "controller/effects.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/packet/packet_context.hpp"

namespace fmc {

struct ArpProxyStats {
  std::uint64_t answered = 0;
  std::uint64_t relayed_for_router = 0;
  std::uint64_t unknown_target = 0;
  std::uint64_t refused_conflict = 0;
  std::uint64_t malformed = 0;
};

class ArpProxy {
 public:
  ArpProxy(const model::NetworkModel& model, LocationManager& locations, EventBus& bus)
      : model_(model), locations_(locations), bus_(bus) {}
  // An ARP packet (PacketKind::kArp); the rule that brings all ARP here is
  // part of the base pipeline. Answers go out after the events the packet
  // raised (a move's flows first).
  ctl::Effects on_arp(const PacketContext& p);
  const ArpProxyStats& stats() const { return stats_; }

 private:
  // The MAC the table holds for `ip`, if any.
  std::optional<net::MacAddr> resolve(net::Ipv4Addr ip) const;
  // True if the sender's claimed binding contradicts the table (reported).
  bool contradicts_table(const PacketContext& p, const net::ArpView& arp);
  bool from_router(const net::ArpView& arp) const;
  void learn(const model::Site* site, const net::ArpView& arp);

  const model::NetworkModel& model_;
  LocationManager& locations_;
  EventBus& bus_;
  ArpProxyStats stats_;
};

}  // namespace fmc

#pragma once
// The Follow-Me apps' one adapter onto the controller: every switch event
// becomes one input of the queued EventBus, handled by the one app that owns
// it; the effects go to the EffectExecutor. The dispatch rule, in full:
//
//   switch up     PACKET_IN meters and base pipeline first (pipeline::base,
//                 which wipes the tables), then each app's flows for that switch
//   packet in     classified once (PacketContext); then by kind:
//                   probe, probe-arp   -> Path Monitor
//                   relay-arp          -> DHCP service
//                   malformed, other   -> dropped (counted)
//                   arp, dhcp, ipv4, rarp -> Mobility Detector sees the
//                     source first; a refused move drops the packet; else
//                     arp -> ARP proxy, dhcp -> DHCP service,
//                     ipv4/rarp -> Mobility Detector (re-inject after a move)
//   port status   a new port's meter; Mobility Detector;  port stats reply -> Path Monitor
//   switch down   every app that keeps per-switch state
#include "controller/app.hpp"
#include "controller/effect_executor.hpp"
#include "fmc/arp/arp_proxy.hpp"
#include "fmc/dhcp/dhcp_service.hpp"
#include "fmc/events/event_bus.hpp"
#include "fmc/mobility/mobility_detector.hpp"
#include "fmc/packet/packet_in_census.hpp"
#include "fmc/rewrite/packet_manipulator.hpp"
#include "fmc/path/path_monitor.hpp"

namespace fmc {

struct FollowMeApps {
  const model::NetworkModel& model;
  EventBus& bus;
  ctl::EffectExecutor& executor;
  PacketInCensus& census;
  MobilityDetector& detector;
  PacketManipulator& manipulator;
  ArpProxy& arp;
  dhcp::DhcpService& dhcp;
  PathMonitor& paths;
};

class Dispatcher final : public ctl::App {
 public:
  explicit Dispatcher(FollowMeApps apps) : a_(apps) {}
  std::string_view name() const override { return "follow_me"; }
  void on_switch_up(ctl::Datapath& dp) override;
  void on_switch_down(of::Dpid dpid) override;
  ctl::Disposition on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) override;
  void on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) override;
  void on_message(ctl::Datapath& dp, of::Xid xid, const of::Message& msg) override;

  // The packet-in rule above, without the controller (what tests call).
  ctl::Effects packet_in(of::Dpid dpid, const of::PacketIn& pi);
  ctl::Effects switch_up(of::Dpid dpid, std::span<const of::Port> ports = {});
  // Each port's PACKET_INs capped in the switch at `rate` per second (0: not metered).
  void meter_packet_ins(std::uint32_t rate) { meter_rate_ = rate; }

 private:
  FollowMeApps a_;
  std::uint32_t meter_rate_ = 0;
};

}  // namespace fmc

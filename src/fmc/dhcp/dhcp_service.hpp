#pragma once
// The controller's DHCP service (paper §IV.B.6). At every access switch all
// DHCP to a server port comes to the controller, which either serves it
// (DhcpServer) or relays it to an external server (relay mode, ISC Kea),
// and in both cases learns from it where the client is: the switch and
// port of a DHCP message locate the client for the Location Manager.
// Bad and abusive DHCP (malformed, spoofed chaddr, rogue servers on client
// ports, starvation, floods) is dropped, counted and logged.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fmc/events/clock.hpp"
#include "controller/effects.hpp"
#include "fmc/dhcp/dhcp_guard.hpp"
#include "fmc/dhcp/dhcp_server.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/packet/packet_context.hpp"

namespace fmc::dhcp {

struct DhcpStats {
  std::uint64_t received = 0;
  std::uint64_t replies = 0;  // sent to clients, served or relayed
  std::uint64_t acks = 0;
  std::uint64_t naks = 0;
  std::uint64_t relayed_to_server = 0;
  std::map<std::string, std::uint64_t> dropped;  // by reason
};

class DhcpService {
 public:
  // Stores lease changes; `stored` must be handled on the event loop (its
  // effects carried out) once they are durable.
  using Stored = std::function<ctl::Effects()>;
  using Persist = std::function<void(std::vector<LeaseChange>, Stored stored)>;

  DhcpService(const model::NetworkModel& model, LocationManager& locations, EventBus& bus, Persist persist,
              const Clock& clock);

  void restore(const std::vector<LeaseChange>& saved);
  // At access switches, DHCP to a server port comes to the controller.
  ctl::Effects on_switch_up(of::Dpid dpid) const;
  void on_switch_down(of::Dpid dpid) { guard_.forget_switch(dpid); }
  // A DHCP message (PacketKind::kDhcp). Replies go out after the events it
  // raised (a move's flows first).
  ctl::Effects on_dhcp(const PacketContext& p);
  // An ARP request for this site's relay agent address (PacketKind::kRelayArp).
  ctl::Effects on_relay_agent_arp(const PacketContext& p) const;

  const DhcpStats& stats() const { return stats_; }
  const DhcpServer& server() const { return server_; }

 private:
  void drop(const std::string& reason, const std::string& detail);
  void from_client(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m);
  void serve(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m);
  void relay_to_server(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m);
  void relay_to_client(ctl::Effects& out, const PacketContext& p, const net::DhcpMessage& m);
  void learn_location(const net::DhcpMessage& m, const model::Site& site, of::Dpid dpid, of::PortNo port);
  void learn_address(const net::MacAddr& mac, net::Ipv4Addr ip, const model::Site& network);
  // Sends a reply to the client at `port` of `dpid` (RFC 2131 §4.1 addressing).
  void deliver(ctl::Effects& out, of::Dpid dpid, of::PortNo port, const net::MacAddr& src_mac, net::Ipv4Addr src_ip,
               const net::DhcpMessage& reply);

  const model::NetworkModel& model_;
  LocationManager& locations_;
  EventBus& bus_;
  Persist persist_;
  const Clock& clock_;
  DhcpServer server_;
  DhcpGuard guard_;
  DhcpStats stats_;
};

}  // namespace fmc::dhcp

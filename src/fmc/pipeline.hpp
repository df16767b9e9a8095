#pragma once
// The flows of the Follow-Me Cloud data plane, as pure functions that return
// flow-mods (nothing here sends anything). Three tables, OpenFlow 1.3:
//
//   0 visitor        ARP -> controller; for an endpoint visiting this switch:
//                    its outbound packets get their source rewritten to the
//                    visiting address (first hop), inbound packets to the
//                    visiting address get the original back (last hop)
//   1 correspondent  for endpoints visiting elsewhere: packets to the
//                    original address go to the visiting one, and replies
//                    get their original source back; at the endpoint's home,
//                    stragglers for it go back to the router, re-addressed
//   2 forward        deliver to endpoints attached here; send their traffic
//                    to the router; a miss goes to the controller
//
// A visiting endpoint keeps its IP and MAC; only addresses on the wire
// between first and last hop change ("virtual tunnel", paper §IV.B.5).
#include <cstdint>
#include <optional>
#include <vector>

#include "net/address.hpp"
#include "openflow/messages.hpp"

namespace fmc::pipeline {

// Table skeleton of a site switch: removes every flow, then installs the
// defaults (go-to-next in tables 0 and 1, miss -> controller in table 2).
std::vector<of::FlowMod> base();

// UDP to port `udp_dst` (and, if given, to address `ip_dst`) goes to the
// controller, in table 0: what the DHCP service and the Path Monitor catch.
of::FlowMod udp_to_controller(std::uint16_t udp_dst, std::optional<net::Ipv4Addr> ip_dst, std::uint16_t priority,
                              std::uint64_t cookie);

// Forwarding for an endpoint attached at `port` of this switch.
std::vector<of::FlowMod> attach(const net::MacAddr& mac, of::PortNo port, of::PortNo uplink, std::uint64_t cookie);

struct Tunnel {
  net::MacAddr mac;
  net::Ipv4Addr ip;           // the endpoint's own address
  net::Ipv4Addr visiting_ip;  // routable in the visited site
  of::PortNo port;            // where it is attached in the visited site
  of::PortNo uplink;          // visited switch's port to the router
  net::MacAddr visited_gateway_mac;
  net::MacAddr home_gateway_mac;
};

// At the visited switch: rewrites plus forwarding for the visitor.
std::vector<of::FlowMod> tunnel_at_visited(const Tunnel& t);
// At a correspondent's switch.
std::vector<of::FlowMod> tunnel_at_correspondent(const Tunnel& t);
// At the endpoint's home switch: packets that still arrive for it there (sent
// before the correspondents' rewrites, or by anyone without them) go back to
// the router towards the visiting address instead of being lost.
std::vector<of::FlowMod> tunnel_at_home(const Tunnel& t, of::PortNo home_uplink);

// Cookies: per endpoint, so that one masked delete removes exactly its flows.
std::uint64_t home_cookie(const net::MacAddr& mac);
std::uint64_t tunnel_cookie(const net::MacAddr& mac);
// Deletes an endpoint's tunnel flows in every table; plus, for stale state
// from any other source, flows matching its address as source or destination.
std::vector<of::FlowMod> remove_tunnel(const net::MacAddr& mac, net::Ipv4Addr ip);

}  // namespace fmc::pipeline

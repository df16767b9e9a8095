#pragma once
// The flows of the Follow-Me Cloud data plane (tables: declaration.hpp), as
// pure functions that return flow-mods; nothing here sends anything. A
// visiting endpoint keeps its IP and MAC; only addresses on the wire
// between first and last hop change ("virtual tunnel", paper §IV.B.5).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fmc/pipeline/declaration.hpp"
#include "net/address.hpp"
#include "openflow/messages.hpp"
#include "util/inline_vector.hpp"

namespace fmc::pipeline {

// Table skeleton of a site switch, sent when it comes up before any app's
// flows: removes every flow, then installs the defaults (go-to-next in tables
// 0 and 1, miss -> controller in table 2) and ARP and RARP to the controller;
// controller-bound traffic goes through table 3 (packet_in_gates).
std::vector<of::FlowMod> base();

// PACKET_IN meters (OpenFlow 1.3, packets/s with a second's worth of burst),
// each at `rate`; `rate` 0: none (table 3 sends straight on, as base() has it).
// A switch coming up: the reset (any meter left from before deleted; the
// meter that ports without their own share) before base(), then the shared
// gate (table 3's default through that meter) after it. Each port (numbers
// below 0xffff, and each port added later): its own meter (deleted first, in
// case it is left from an earlier plug of that port), then its gate.
// Meters go before the flows that name them.
std::vector<of::MeterMod> packet_in_meters_reset(std::uint32_t rate);
std::vector<of::FlowMod> packet_in_shared_gate(std::uint32_t rate);
std::vector<of::MeterMod> packet_in_meters(std::span<const of::Port> ports, std::uint32_t rate);
std::vector<of::FlowMod> packet_in_gates(std::span<const of::Port> ports, std::uint32_t rate);

// At access switches: DHCP to a server port goes to the controller.
of::FlowMod dhcp_to_controller();
// Path probes to this site's probe address go to the controller.
of::FlowMod probe_to_controller(net::Ipv4Addr probe_address, std::uint16_t udp_port);

// One endpoint's flows at one switch: at most four, held inline.
using EndpointFlows = InlineVector<of::FlowMod, 4>;

// Where a builder puts the flow-mods it makes: each built in place at the end of a
// list (a move makes a few dozen, for several switches: none is built twice).
class FlowSink {
 public:
  // A new, default flow-mod at the end, to be filled in before the next add() (which may move it).
  virtual of::FlowMod& add() = 0;

 protected:
  ~FlowSink() = default;
};
// A sink that is a list of flow-mods (an EndpointFlows, a std::vector<of::FlowMod>).
template <class List>
class FlowsInto final : public FlowSink {
 public:
  explicit FlowsInto(List& list) : list_(list) {}
  of::FlowMod& add() override { return list_.emplace_back(); }

 private:
  List& list_;
};

// Forwarding for an endpoint attached at `port` of this switch.
EndpointFlows attach(const net::MacAddr& mac, of::PortNo port, of::PortNo uplink, std::uint64_t cookie);

struct Tunnel {
  net::MacAddr mac;
  net::Ipv4Addr ip;           // the endpoint's own address
  net::Ipv4Addr visiting_ip;  // routable in the visited site
  of::PortNo port;            // where it is attached in the visited site
  of::PortNo uplink;          // visited switch's port to the router
  net::MacAddr visited_gateway_mac;
  net::MacAddr home_gateway_mac;
};

// At the visited switch: rewrites plus forwarding for the visitor. Its first hop
// out goes to the visited site's router, with the visiting address as source once
// every correspondent can undo that (source_rewritten); until then with its own.
void tunnel_at_visited(FlowSink& out, const Tunnel& t, bool source_rewritten = true);
of::FlowMod first_hop_out(const Tunnel& t, bool source_rewritten);
// At a correspondent's switch.
void tunnel_at_correspondent(FlowSink& out, const Tunnel& t);
// At the endpoint's home switch: packets that still arrive for it there (sent
// before the correspondents' rewrites, or by anyone without them) go back to
// the router towards the visiting address instead of being lost.
void tunnel_at_home(FlowSink& out, const Tunnel& t, of::PortNo home_uplink);

// Cookies: per endpoint, so that one masked delete removes exactly its flows.
std::uint64_t home_cookie(const net::MacAddr& mac);
std::uint64_t tunnel_cookie(const net::MacAddr& mac);
// Deletes every flow with this cookie, in every table.
of::FlowMod remove(std::uint64_t cookie);
// Deletes an endpoint's tunnel flows in every table; plus, for stale state
// from any other source, flows matching its address as source or destination.
void remove_tunnel(FlowSink& out, const net::MacAddr& mac, net::Ipv4Addr ip);

}  // namespace fmc::pipeline

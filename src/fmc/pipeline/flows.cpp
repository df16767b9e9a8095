#include "fmc/pipeline/flows.hpp"

#include "net/dhcp.hpp"
#include "net/ethernet.hpp"
#include "net/ipv4.hpp"

namespace fmc::pipeline {

namespace prio = priority;

namespace {

// `fm` placed in `table` at `priority`, owned by `cookie`.
of::FlowMod& place(of::FlowMod& fm, std::uint8_t table, std::uint16_t priority, std::uint64_t cookie) {
  fm.table_id = table;
  fm.priority = priority;
  fm.cookie = cookie;
  return fm;
}
// `fm` made to match IPv4 packets only.
of::FlowMod& ipv4_only(of::FlowMod& fm) {
  fm.match.eth_type = net::ethertype::kIpv4;
  return fm;
}

of::FlowMod flow(std::uint8_t table, std::uint16_t priority, std::uint64_t cookie) {
  of::FlowMod fm;
  place(fm, table, priority, cookie);
  return fm;
}

of::Masked<net::MacAddr> exact(const net::MacAddr& m) { return {m, std::nullopt}; }
of::Masked<net::Ipv4Addr> exact(net::Ipv4Addr a) { return {a, std::nullopt}; }

of::Action set_ip_src(net::Ipv4Addr a) { return of::SetField::ipv4(of::OxmField::kIpv4Src, a); }
of::Action set_ip_dst(net::Ipv4Addr a) { return of::SetField::ipv4(of::OxmField::kIpv4Dst, a); }
of::Action set_eth_src(const net::MacAddr& m) { return of::SetField::mac(of::OxmField::kEthSrc, m); }
of::Action set_eth_dst(const net::MacAddr& m) { return of::SetField::mac(of::OxmField::kEthDst, m); }

// A flow added in place at the end of `flows` (a move builds a few dozen: no copy of each).
of::FlowMod& add(FlowSink& flows, std::uint8_t table, std::uint16_t priority, std::uint64_t cookie) {
  return place(flows.add(), table, priority, cookie);
}
// The same, for IPv4 packets only.
of::FlowMod& add_ipv4(FlowSink& flows, std::uint8_t table, std::uint16_t priority, std::uint64_t cookie) {
  return ipv4_only(add(flows, table, priority, cookie));
}

}  // namespace

std::uint64_t home_cookie(const net::MacAddr& mac) { return cookie::kHomeForwarding | mac.as_u64(); }
std::uint64_t tunnel_cookie(const net::MacAddr& mac) { return cookie::kVirtualTunnel | mac.as_u64(); }

namespace {
// `items` moved into a list with `room` to spare: an initializer list copies
// each element, and with an instruction its whole action list (a move makes dozens).
template <class List, class... X>
List list_of(std::size_t room, X&&... items) {
  List out;
  out.reserve(sizeof...(items) + room);
  (out.emplace_back(std::forward<X>(items)), ...);
  return out;
}
// Apply `actions`, then go on to `table`; or, without one, stop there.
template <class... A>
of::InstructionList apply_actions(std::optional<std::uint8_t> table, A&&... actions) {
  of::InstructionList out =
      list_of<of::InstructionList>(1, of::ApplyActions{list_of<of::ActionList>(0, std::forward<A>(actions)...)});
  if (table) out.emplace_back(of::GotoTable{*table});
  return out;
}

// To the controller, through `meter` if any (a meter comes first in a flow's instructions).
of::InstructionList through_meter(std::optional<std::uint32_t> meter) {
  of::InstructionList out;
  if (meter) out.emplace_back(of::MeterInstruction{*meter});
  out.emplace_back(
      of::ApplyActions{list_of<of::ActionList>(0, of::Output{of::port::kController, of::kControllerMaxLenNoBuffer})});
  return out;
}
of::InstructionList to_controller() { return through_meter(std::nullopt); }
// Through table 3, where the ingress port's meter caps what reaches the controller.
of::InstructionList to_controller_metered() { return {of::GotoTable{table::kToController}}; }

constexpr std::uint32_t kSharedMeter = 1;
constexpr std::uint32_t kMeteredPortsBelow = 0xffff;
std::uint32_t meter_of(of::PortNo port) { return port.value + 1; }
bool own_meter(of::PortNo port) { return port.value > 0 && port.value < kMeteredPortsBelow; }

of::FlowMod shared_gate(std::optional<std::uint32_t> meter) {
  auto fm = flow(table::kToController, prio::kTableMiss, cookie::kPacketInMeter);
  fm.instructions = through_meter(meter);
  return fm;
}

of::FlowMod udp_to_controller(std::uint16_t udp_dst, std::optional<net::Ipv4Addr> ip_dst, std::uint64_t owner,
                              of::InstructionList instructions) {
  auto fm = flow(table::kVisitor, prio::kToController, owner);
  ipv4_only(fm);
  fm.match.ip_proto = net::ip_proto::kUdp;
  if (ip_dst) fm.match.ipv4_dst = exact(*ip_dst);
  fm.match.udp_dst = udp_dst;
  fm.instructions = std::move(instructions);
  return fm;
}
}  // namespace

of::FlowMod dhcp_to_controller() {
  return udp_to_controller(net::kDhcpServerPort, std::nullopt, cookie::kDhcp, to_controller_metered());
}

of::FlowMod probe_to_controller(net::Ipv4Addr probe_address, std::uint16_t udp_port) {
  // Probes are the controller's own packets, timed: straight to it, unmetered.
  return udp_to_controller(udp_port, probe_address, cookie::kPathProbe, to_controller());
}

std::vector<of::FlowMod> base() {
  std::vector<of::FlowMod> out;
  of::FlowMod wipe;
  wipe.command = of::FlowModCommand::kDelete;
  wipe.table_id = of::kTableAll;
  out.push_back(wipe);
  for (std::uint8_t t : {table::kVisitor, table::kCorrespondent}) {
    auto next = flow(t, prio::kNextTable, cookie::kHomeForwarding);
    next.instructions = {of::GotoTable{static_cast<std::uint8_t>(t + 1)}};
    out.push_back(next);
  }
  // All ARP is answered by the ARP proxy (paper §IV.B.4, Fig. 3).
  auto arp = flow(table::kVisitor, prio::kToController, cookie::kArpProxy);
  arp.match.eth_type = net::ethertype::kArp;
  arp.instructions = to_controller_metered();
  out.push_back(arp);
  // RARP (what QEMU announces a migrated guest with) always reaches the
  // Mobility Detector, even where home rules would forward it.
  auto rarp = flow(table::kVisitor, prio::kToController, cookie::kHomeForwarding);
  rarp.match.eth_type = net::ethertype::kRarp;
  rarp.instructions = to_controller_metered();
  out.push_back(rarp);
  auto miss = flow(table::kForward, prio::kTableMiss, cookie::kHomeForwarding);
  miss.instructions = to_controller_metered();
  out.push_back(miss);
  out.push_back(shared_gate(std::nullopt));  // unmetered until packet_in_meters says otherwise
  return out;
}

namespace {
of::MeterMod add_meter(std::uint32_t id, std::uint32_t rate) {
  return of::MeterMod{of::MeterModCommand::kAdd, of::meter_flags::kPktps | of::meter_flags::kBurst, id,
                      {of::MeterBand{rate, rate}}};
}
}  // namespace

std::vector<of::MeterMod> packet_in_meters_reset(std::uint32_t rate) {
  if (rate == 0) return {};
  return {of::MeterMod{of::MeterModCommand::kDelete, 0, of::meter::kAll, {}}, add_meter(kSharedMeter, rate)};
}

std::vector<of::FlowMod> packet_in_shared_gate(std::uint32_t rate) {
  std::vector<of::FlowMod> out;
  if (rate > 0) out.push_back(shared_gate(kSharedMeter));
  return out;
}

std::vector<of::MeterMod> packet_in_meters(std::span<const of::Port> ports, std::uint32_t rate) {
  std::vector<of::MeterMod> out;
  if (rate == 0) return out;
  for (const auto& p : ports) {
    if (!own_meter(p.port_no)) continue;
    // A port seen before (unplugged, plugged again) may still have its meter: replaced, not refused.
    out.push_back(of::MeterMod{of::MeterModCommand::kDelete, 0, meter_of(p.port_no), {}});
    out.push_back(add_meter(meter_of(p.port_no), rate));
  }
  return out;
}

std::vector<of::FlowMod> packet_in_gates(std::span<const of::Port> ports, std::uint32_t rate) {
  std::vector<of::FlowMod> out;
  if (rate == 0) return out;
  for (const auto& p : ports) {
    if (!own_meter(p.port_no)) continue;
    auto fm = flow(table::kToController, prio::kMeteredPort, cookie::kPacketInMeter);
    fm.match.in_port = p.port_no;
    fm.instructions = through_meter(meter_of(p.port_no));
    out.push_back(std::move(fm));
  }
  return out;
}

namespace {
void attach_to(FlowSink& flows, const net::MacAddr& mac, of::PortNo port, of::PortNo uplink,
               std::uint64_t cookie) {
  auto& deliver = add(flows, table::kForward, prio::kDeliverLocal, cookie);
  deliver.match.eth_dst = exact(mac);
  deliver.instructions = apply_actions(std::nullopt, of::Output{port, 0});
  auto& send = add(flows, table::kForward, prio::kSendUplink, cookie);
  send.match.in_port = port;
  send.match.eth_src = exact(mac);
  send.instructions = apply_actions(std::nullopt, of::Output{uplink, 0});
}
}  // namespace

EndpointFlows attach(const net::MacAddr& mac, of::PortNo port, of::PortNo uplink, std::uint64_t cookie) {
  EndpointFlows flows;
  FlowsInto into(flows);
  attach_to(into, mac, port, uplink, cookie);
  return flows;
}

namespace {
// `out` (added to a visited switch's flows) made the visitor's first hop out.
void make_first_hop_out(of::FlowMod& out, const Tunnel& t, bool source_rewritten) {
  out.match.in_port = t.port;
  out.match.eth_src = exact(t.mac);
  out.match.ipv4_src = exact(t.ip);
  out.instructions = source_rewritten ? apply_actions(table::kCorrespondent, set_ip_src(t.visiting_ip),
                                                      set_eth_dst(t.visited_gateway_mac))
                                      : apply_actions(table::kCorrespondent, set_eth_dst(t.visited_gateway_mac));
}
}  // namespace

of::FlowMod first_hop_out(const Tunnel& t, bool source_rewritten) {
  of::FlowMod out = flow(table::kVisitor, prio::kTunnel, tunnel_cookie(t.mac));
  make_first_hop_out(ipv4_only(out), t, source_rewritten);
  return out;
}

void tunnel_at_visited(FlowSink& flows, const Tunnel& t, bool source_rewritten) {
  const auto cookie = tunnel_cookie(t.mac);
  make_first_hop_out(add_ipv4(flows, table::kVisitor, prio::kTunnel, cookie), t, source_rewritten);
  // Last hop in: the original address, and the gateway MAC the endpoint knows.
  auto& in = add_ipv4(flows, table::kVisitor, prio::kTunnel, cookie);
  in.match.ipv4_dst = exact(t.visiting_ip);
  in.instructions =
      apply_actions(table::kCorrespondent, set_ip_dst(t.ip), set_eth_dst(t.mac), set_eth_src(t.home_gateway_mac));
  attach_to(flows, t.mac, t.port, t.uplink, cookie);
}

void tunnel_at_correspondent(FlowSink& flows, const Tunnel& t) {
  const auto cookie = tunnel_cookie(t.mac);
  auto& to = add_ipv4(flows, table::kCorrespondent, prio::kTunnel, cookie);
  to.match.ipv4_dst = exact(t.ip);
  to.instructions = apply_actions(table::kForward, set_ip_dst(t.visiting_ip));
  auto& from = add_ipv4(flows, table::kCorrespondent, prio::kTunnel, cookie);
  from.match.ipv4_src = exact(t.visiting_ip);
  from.instructions = apply_actions(table::kForward, set_ip_src(t.ip));
}

void tunnel_at_home(FlowSink& flows, const Tunnel& t, of::PortNo home_uplink) {
  // Back to the router, addressed like a correspondent's packet would have
  // been, and otherwise untouched: the visited switch undoes the rewrites of
  // the other end (a roaming client's source, say) as for any packet.
  auto& fwd = add_ipv4(flows, table::kCorrespondent, prio::kBackToRouter, tunnel_cookie(t.mac));
  fwd.match.in_port = home_uplink;
  fwd.match.ipv4_dst = exact(t.ip);
  fwd.instructions = apply_actions(std::nullopt, set_ip_dst(t.visiting_ip), set_eth_src(t.mac),
                                   set_eth_dst(t.home_gateway_mac), of::Output{of::port::kInPort, 0});
}

namespace {
// `fm` made a delete, in every table, of the flows with this cookie (under `mask`).
of::FlowMod& make_removal(of::FlowMod& fm, std::uint64_t cookie, std::uint64_t mask) {
  fm.command = of::FlowModCommand::kDelete;
  fm.table_id = of::kTableAll;
  fm.cookie = cookie;
  fm.cookie_mask = mask;
  return fm;
}
}  // namespace

of::FlowMod remove(std::uint64_t cookie) {
  of::FlowMod by_cookie;
  make_removal(by_cookie, cookie, ~std::uint64_t{0});
  return by_cookie;
}

void remove_tunnel(FlowSink& out, const net::MacAddr& mac, net::Ipv4Addr ip) {
  make_removal(out.add(), tunnel_cookie(mac), ~std::uint64_t{0});
  // Any tunnel flow still naming the address (whoever installed it).
  for (bool as_src : {true, false}) {
    auto& by_ip = ipv4_only(make_removal(out.add(), cookie::kVirtualTunnel, cookie::kOwnerMask));
    (as_src ? by_ip.match.ipv4_src : by_ip.match.ipv4_dst) = exact(ip);
  }
}

}  // namespace fmc::pipeline

#include "fmc/dispatch.hpp"

#include "fmc/pipeline/flows.hpp"

namespace fmc {

ctl::Effects Dispatcher::switch_up(of::Dpid dpid, std::span<const of::Port> ports) {
  ctl::Effects out;
  out.send_all(dpid, pipeline::packet_in_meters_reset(meter_rate_));
  out.send_all(dpid, pipeline::packet_in_meters(ports, meter_rate_));
  out.send_all(dpid, pipeline::base());
  out.send_all(dpid, pipeline::packet_in_shared_gate(meter_rate_));
  out.send_all(dpid, pipeline::packet_in_gates(ports, meter_rate_));
  out.append(a_.detector.on_switch_up(dpid));
  out.append(a_.dhcp.on_switch_up(dpid));
  out.append(a_.paths.on_switch_up(dpid));
  out.append(a_.manipulator.on_switch_up(dpid));
  return out;
}

void Dispatcher::on_switch_up(ctl::Datapath& dp) {
  a_.executor.switch_up(dp);
  a_.bus.handle([&] { return switch_up(dp.dpid(), dp.ports()); });
}

void Dispatcher::on_switch_down(of::Dpid dpid) {
  a_.executor.switch_down(dpid);
  a_.detector.on_switch_down(dpid);
  a_.dhcp.on_switch_down(dpid);
  a_.paths.on_switch_down(dpid);
}

ctl::Effects Dispatcher::packet_in(of::Dpid dpid, const of::PacketIn& pi) {
  const PacketContext p = classify(a_.model, dpid, pi);
  a_.census.count(p.kind);
  switch (p.kind) {
    case PacketKind::kProbe: return a_.paths.on_probe(p);
    case PacketKind::kProbeArp: return a_.paths.on_probe_arp(p);
    case PacketKind::kRelayArp: return a_.dhcp.on_relay_agent_arp(p);
    case PacketKind::kMalformed:
    case PacketKind::kOther: return {};
    case PacketKind::kArp:
    case PacketKind::kDhcp:
    case PacketKind::kIpv4:
    case PacketKind::kRarp: break;
  }
  const Sighting seen = a_.detector.see(p);
  if (seen == Sighting::kRefused || seen == Sighting::kProbeAnswer) return {};
  if (seen == Sighting::kProving) return a_.detector.on_proving();
  if (p.kind == PacketKind::kArp) return a_.arp.on_arp(p);
  if (p.kind == PacketKind::kDhcp) return a_.dhcp.on_dhcp(p);
  return a_.detector.on_traffic(p, seen);
}

ctl::Disposition Dispatcher::on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) {
  const auto arrived = dp.received_at();
  a_.bus.handle([&] { return packet_in(dp.dpid(), pi); },
                arrived == ctl::Datapath::Instant{} ? std::nullopt : std::optional(arrived));
  return ctl::Disposition::kConsumed;
}

void Dispatcher::on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) {
  a_.bus.handle([&] {
    a_.detector.on_port_status(dp.dpid(), ps);
    ctl::Effects out;
    if (ps.reason == of::port_reason::kAdd) {
      const std::span<const of::Port> port(&ps.desc, 1);  // a meter and a gate of its own
      out.send_all(dp.dpid(), pipeline::packet_in_meters(port, meter_rate_));
      out.send_all(dp.dpid(), pipeline::packet_in_gates(port, meter_rate_));
    }
    return out;
  });
}

void Dispatcher::on_message(ctl::Datapath& dp, of::Xid, const of::Message& msg) {
  if (const auto* reply = std::get_if<of::PortStatsReply>(&msg)) a_.paths.on_port_stats(dp.dpid(), *reply);
}

}  // namespace fmc

#include "fmc/packet/packet_context.hpp"

#include "net/dhcp.hpp"

namespace fmc {

const char* to_string(PacketKind k) {
  switch (k) {
    case PacketKind::kMalformed: return "malformed";
    case PacketKind::kProbeArp: return "probe-arp";
    case PacketKind::kRelayArp: return "relay-arp";
    case PacketKind::kArp: return "arp";
    case PacketKind::kRarp: return "rarp";
    case PacketKind::kDhcp: return "dhcp";
    case PacketKind::kProbe: return "probe";
    case PacketKind::kIpv4: return "ipv4";
    case PacketKind::kOther: return "other";
  }
  return "unknown";
}

PacketContext classify(const model::NetworkModel& model, of::Dpid dpid, const of::PacketIn& pi) {
  PacketContext p;
  p.dpid = dpid;
  p.in_port = pi.in_port;
  p.site = model.site_at(dpid);
  p.frame = pi.data;
  const auto eth = net::EthernetView::parse(pi.data);
  if (!eth) return p;
  p.eth = *eth;
  switch (eth->ethertype) {
    case net::ethertype::kArp: {
      p.arp = net::ArpView::parse(eth->payload);
      const bool request = p.arp && p.arp->op == net::arp_op::kRequest;
      if (request && p.site && p.arp->tpa == p.site->probe_address) p.kind = PacketKind::kProbeArp;
      else if (request && p.site && model.dhcp.mode == model::DhcpMode::kRelay && p.site->dhcp_relay_agent &&
               p.arp->tpa == *p.site->dhcp_relay_agent)
        p.kind = PacketKind::kRelayArp;
      else p.kind = PacketKind::kArp;
      return p;
    }
    case net::ethertype::kRarp: p.kind = PacketKind::kRarp; return p;
    case net::ethertype::kIpv4: break;
    default: p.kind = PacketKind::kOther; return p;
  }
  p.kind = PacketKind::kIpv4;
  p.udp = net::parse_udp(*eth);
  if (!p.udp) return p;
  if (p.udp->udp.dst_port == net::kDhcpServerPort) p.kind = PacketKind::kDhcp;
  else if (p.site && p.udp->ip.dst == p.site->probe_address && p.udp->udp.dst_port == model.path_monitor.udp_port)
    p.kind = PacketKind::kProbe;
  return p;
}

}  // namespace fmc

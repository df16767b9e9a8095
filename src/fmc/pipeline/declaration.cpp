#include "fmc/pipeline/declaration.hpp"

#include <array>
#include <cstdio>

namespace fmc::pipeline {

namespace {
using namespace field;
constexpr std::array kTables{TableSpec{table::kVisitor, "visitor"}, TableSpec{table::kCorrespondent, "correspondent"},
                             TableSpec{table::kForward, "forward"}, TableSpec{table::kToController, "to controller"}};
constexpr std::array kFlows{
    FlowSpec{"next table", "pipeline", table::kVisitor, priority::kNextTable, cookie::kHomeForwarding, 0},
    FlowSpec{"next table", "pipeline", table::kCorrespondent, priority::kNextTable, cookie::kHomeForwarding, 0},
    FlowSpec{"miss to controller", "pipeline", table::kForward, priority::kTableMiss, cookie::kHomeForwarding, 0},
    FlowSpec{"to controller through the shared meter", "pipeline", table::kToController, priority::kTableMiss,
             cookie::kPacketInMeter, 0},
    FlowSpec{"to controller through the port's meter", "pipeline", table::kToController, priority::kMeteredPort,
             cookie::kPacketInMeter, kInPort},
    FlowSpec{"RARP to controller", "pipeline", table::kVisitor, priority::kToController, cookie::kHomeForwarding, kEthType},
    FlowSpec{"ARP to controller", "arp_proxy", table::kVisitor, priority::kToController, cookie::kArpProxy, kEthType},
    FlowSpec{"DHCP to controller", "dhcp", table::kVisitor, priority::kToController, cookie::kDhcp,
             kEthType | kIpProto | kUdpDst},
    FlowSpec{"probe to controller", "path_monitor", table::kVisitor, priority::kToController, cookie::kPathProbe,
             kEthType | kIpProto | kIpv4Dst | kUdpDst},
    FlowSpec{"deliver to an endpoint at home", "mobility_detector", table::kForward, priority::kDeliverLocal,
             cookie::kHomeForwarding, kEthDst},
    FlowSpec{"home endpoint to the router", "mobility_detector", table::kForward, priority::kSendUplink,
             cookie::kHomeForwarding, kInPort | kEthSrc},
    FlowSpec{"deliver to a visitor", "packet_manipulator", table::kForward, priority::kDeliverLocal,
             cookie::kVirtualTunnel, kEthDst},
    FlowSpec{"visitor to the router", "packet_manipulator", table::kForward, priority::kSendUplink,
             cookie::kVirtualTunnel, kInPort | kEthSrc},
    FlowSpec{"first hop out of the visited site", "packet_manipulator", table::kVisitor, priority::kTunnel,
             cookie::kVirtualTunnel, kEthType | kInPort | kEthSrc | kIpv4Src},
    FlowSpec{"last hop into the visited site", "packet_manipulator", table::kVisitor, priority::kTunnel,
             cookie::kVirtualTunnel, kEthType | kIpv4Dst},
    FlowSpec{"correspondent: to the visiting address", "packet_manipulator", table::kCorrespondent, priority::kTunnel,
             cookie::kVirtualTunnel, kEthType | kIpv4Dst},
    FlowSpec{"correspondent: from the visiting address", "packet_manipulator", table::kCorrespondent,
             priority::kTunnel, cookie::kVirtualTunnel, kEthType | kIpv4Src},
    FlowSpec{"home: stragglers back to the router", "packet_manipulator", table::kCorrespondent,
             priority::kBackToRouter, cookie::kVirtualTunnel, kEthType | kInPort | kIpv4Dst},
};
constexpr std::uint32_t kOtherField = 1u << 31;
}  // namespace

std::uint32_t fields_of(const of::Match& m) {
  std::uint32_t f = 0;
  if (m.in_port) f |= kInPort;
  if (m.eth_dst) f |= kEthDst;
  if (m.eth_src) f |= kEthSrc;
  if (m.eth_type) f |= kEthType;
  if (m.ip_proto) f |= kIpProto;
  if (m.ipv4_src) f |= kIpv4Src;
  if (m.ipv4_dst) f |= kIpv4Dst;
  if (m.udp_dst) f |= kUdpDst;
  if (m.vlan_vid || m.tcp_src || m.tcp_dst || m.udp_src || m.arp_op || m.arp_spa || m.arp_tpa || m.arp_sha ||
      m.arp_tha)
    f |= kOtherField;
  return f;
}

std::span<const TableSpec> tables() { return kTables; }
std::span<const FlowSpec> flows() { return kFlows; }

std::optional<std::string> check(const of::FlowMod& fm) {
  const std::uint32_t fields = fields_of(fm.match);
  const bool known_table = fm.table_id == of::kTableAll || fm.table_id <= table::kToController;
  if (fm.command == of::FlowModCommand::kDelete || fm.command == of::FlowModCommand::kDeleteStrict) {
    if (!known_table) return "delete in undeclared table " + std::to_string(fm.table_id);
    const bool wipe = fm.cookie_mask == 0 && fields == 0;
    const bool by_owner = (fm.cookie_mask & cookie::kOwnerMask) == cookie::kOwnerMask;
    bool declared_owner = false;
    for (const auto& f : kFlows) declared_owner |= (fm.cookie & cookie::kOwnerMask) == f.cookie;
    if (!wipe && !(by_owner && declared_owner)) return "delete that selects no declared owner's cookie";
    return std::nullopt;
  }
  for (const auto& f : kFlows) {
    if (f.table != fm.table_id || f.priority != fm.priority || (fm.cookie & cookie::kOwnerMask) != f.cookie) continue;
    if ((fields & ~f.fields) == 0) return std::nullopt;
  }
  return "undeclared flow: table " + std::to_string(fm.table_id) + " priority " + std::to_string(fm.priority) +
         " cookie 0x" + [&] {
           char b[17];
           std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(fm.cookie));
           return std::string(b);
         }() + " match fields 0x" + std::to_string(fields);
}

}  // namespace fmc::pipeline

#pragma once
// The Follow-Me Cloud pipeline, declared once: its tables, and every kind of
// flow the apps install (owner, table, priority, cookie, the match fields it
// may use). Every flow is built in flows.cpp from these constants, and tests
// refuse a flow-mod that does not fit the declaration (`check`).
//
//   table 0 visitor        ARP, RARP, DHCP and path probes -> controller; for an
//                          endpoint visiting this switch: first-hop rewrite of
//                          its outbound packets, last-hop rewrite of inbound ones
//   table 1 correspondent  for endpoints visiting elsewhere: to/from their
//                          visiting address; at an endpoint's home, its
//                          stragglers back to the router
//   table 2 forward        deliver to endpoints attached here, their traffic to
//                          the router; a miss -> controller (mobility detection)
//   table 3 to controller  what goes to the controller (but path probes) passes
//                          its ingress port's meter here: a port flooding
//                          table-miss traffic is capped in the switch
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "openflow/messages.hpp"

namespace fmc::pipeline {

namespace table {
inline constexpr std::uint8_t kVisitor = 0;
inline constexpr std::uint8_t kCorrespondent = 1;
inline constexpr std::uint8_t kForward = 2;
inline constexpr std::uint8_t kToController = 3;
}  // namespace table

// Cookie: the top 16 bits name the owner; tunnel and home flows carry the
// endpoint's MAC in the low 48 bits, so one masked delete removes exactly
// one endpoint's flows everywhere.
namespace cookie {
inline constexpr std::uint64_t kOwnerMask = 0xffff'0000'0000'0000ull;
inline constexpr std::uint64_t kArpProxy = 0x0002'0000'0000'0000ull;
inline constexpr std::uint64_t kHomeForwarding = 0x0003'0000'0000'0000ull;
inline constexpr std::uint64_t kVirtualTunnel = 0x0004'0000'0000'0000ull;
inline constexpr std::uint64_t kDhcp = 0x0005'0000'0000'0000ull;
inline constexpr std::uint64_t kPathProbe = 0x0006'0000'0000'0000ull;
inline constexpr std::uint64_t kPacketInMeter = 0x0007'0000'0000'0000ull;
}  // namespace cookie

namespace priority {
inline constexpr std::uint16_t kTableMiss = 0;
inline constexpr std::uint16_t kNextTable = 1;       // tables 0 and 1 default: go on
inline constexpr std::uint16_t kMeteredPort = 100;   // table 3: a port with a meter of its own
inline constexpr std::uint16_t kSendUplink = 400;    // from a home endpoint's port to the router
inline constexpr std::uint16_t kDeliverLocal = 500;  // eth_dst = an endpoint attached here
inline constexpr std::uint16_t kTunnel = 600;        // rewrite flows of visiting endpoints
inline constexpr std::uint16_t kBackToRouter = 650;  // a visitor's stragglers at its home, before any rewrite
inline constexpr std::uint16_t kToController = 1000; // ARP, RARP, DHCP, probes: above every forwarding rule
}  // namespace priority

// Match fields, as bits, for the declaration.
namespace field {
inline constexpr std::uint32_t kInPort = 1u << 0, kEthDst = 1u << 1, kEthSrc = 1u << 2, kEthType = 1u << 3,
                               kIpProto = 1u << 4, kIpv4Src = 1u << 5, kIpv4Dst = 1u << 6, kUdpDst = 1u << 7;
}  // namespace field
std::uint32_t fields_of(const of::Match& m);  // any field outside the list above sets bit 31

struct TableSpec {
  std::uint8_t id;
  std::string_view name;
};

struct FlowSpec {
  std::string_view name;   // what the flow is for
  std::string_view owner;  // the component that installs it
  std::uint8_t table;
  std::uint16_t priority;
  std::uint64_t cookie;    // owner bits (kOwnerMask)
  std::uint32_t fields;    // match fields it may use
};

std::span<const TableSpec> tables();
std::span<const FlowSpec> flows();

// Why `fm` does not fit the declaration, or nullopt if it does. An add must be
// a declared flow (table, priority, owner's cookie, match fields within the
// declared ones); a delete must name a declared table (or all) and either
// wipe everything or select by a declared owner's cookie.
std::optional<std::string> check(const of::FlowMod& fm);

}  // namespace fmc::pipeline

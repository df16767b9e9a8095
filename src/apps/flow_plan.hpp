#pragma once
// The one place that owns table ids, priorities and cookie ranges per app,
// so no two apps can step on each other's flows.
#include <cstdint>

namespace fmc::apps::plan {

inline constexpr std::uint8_t kMainTable = 0;  // the learning switch uses one table
// Follow-Me Cloud pipeline (OpenFlow 1.3), see fmc/pipeline.hpp:
//   table 0  ARP to the controller; rewrites for endpoints visiting this switch
//   table 1  rewrites for endpoints visiting elsewhere (correspondent side)
//   table 2  forwarding; a miss goes to the controller (mobility detection)
inline constexpr std::uint8_t kVisitorTable = 0;
inline constexpr std::uint8_t kCorrespondentTable = 1;
inline constexpr std::uint8_t kForwardTable = 2;

// Cookie: the top 16 bits name the owning app.
inline constexpr std::uint64_t kCookieAppMask = 0xffff'0000'0000'0000ull;
inline constexpr std::uint64_t kLearningSwitchCookie = 0x0001'0000'0000'0000ull;
inline constexpr std::uint64_t kArpProxyCookie = 0x0002'0000'0000'0000ull;
inline constexpr std::uint64_t kHomeForwardingCookie = 0x0003'0000'0000'0000ull;
// Virtual-tunnel flows carry the endpoint's id in the low 48 bits, so that
// one masked delete removes exactly one endpoint's rewrite flows everywhere.
inline constexpr std::uint64_t kVirtualTunnelCookie = 0x0004'0000'0000'0000ull;
inline constexpr std::uint64_t kDhcpCookie = 0x0005'0000'0000'0000ull;
inline constexpr std::uint64_t kPathProbeCookie = 0x0006'0000'0000'0000ull;

namespace priority {
inline constexpr std::uint16_t kTableMiss = 0;
inline constexpr std::uint16_t kLearnedUnicast = 100;
inline constexpr std::uint16_t kArpToController = 1000;  // above every forwarding rule
inline constexpr std::uint16_t kDhcpToController = 1000; // DHCP to a server port, at access switches
inline constexpr std::uint16_t kProbeToController = 1000; // path probes to this site's probe address
inline constexpr std::uint16_t kTunnel = 600;             // rewrite flows of visiting endpoints
inline constexpr std::uint16_t kBackToRouter = 650;       // a visitor's stragglers at its home, before any rewrite
inline constexpr std::uint16_t kNextTable = 1;            // tables 0 and 1 default: go on
inline constexpr std::uint16_t kDeliverLocal = 500;       // eth_dst = an endpoint at home here
inline constexpr std::uint16_t kSendUplink = 400;         // from a home endpoint's port to the router
}  // namespace priority

}  // namespace fmc::apps::plan

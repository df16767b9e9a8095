#pragma once
// The one place that owns table ids, priorities and cookie ranges per app,
// so no two apps can step on each other's flows.
#include <cstdint>

namespace fmc::apps::plan {

inline constexpr std::uint8_t kMainTable = 0;

// Cookie: the top 16 bits name the owning app.
inline constexpr std::uint64_t kCookieAppMask = 0xffff'0000'0000'0000ull;
inline constexpr std::uint64_t kLearningSwitchCookie = 0x0001'0000'0000'0000ull;
inline constexpr std::uint64_t kArpProxyCookie = 0x0002'0000'0000'0000ull;

namespace priority {
inline constexpr std::uint16_t kTableMiss = 0;
inline constexpr std::uint16_t kLearnedUnicast = 100;
inline constexpr std::uint16_t kArpToController = 1000;  // above every forwarding rule
}  // namespace priority

}  // namespace fmc::apps::plan

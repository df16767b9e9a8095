#pragma once
// Table, cookie and priorities of the learning switch (the controller's
// non-Follow-Me mode). The Follow-Me pipeline is declared in fmc/pipeline/.
#include <cstdint>

namespace fmc::apps::plan {

inline constexpr std::uint8_t kMainTable = 0;  // the learning switch uses one table
inline constexpr std::uint64_t kCookieAppMask = 0xffff'0000'0000'0000ull;  // the owner bits
inline constexpr std::uint64_t kLearningSwitchCookie = 0x0001'0000'0000'0000ull;

namespace priority {
inline constexpr std::uint16_t kTableMiss = 0;
inline constexpr std::uint16_t kLearnedUnicast = 100;
}  // namespace priority

}  // namespace fmc::apps::plan

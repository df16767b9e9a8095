#pragma once
// Repeated faults (refused connections, dropped packet-ins, failed writes) are
// logged at their 1st, 2nd, 4th, 8th, ... occurrence: a flood does not flood
// the log, and the count says how big it got. Counters stay exact elsewhere.
#include <bit>
#include <cstdint>

namespace fmc {

// True for the occurrences worth a log line: n = 1, 2, 4, 8, ...
constexpr bool worth_logging(std::uint64_t n) { return std::has_single_bit(n); }

}  // namespace fmc

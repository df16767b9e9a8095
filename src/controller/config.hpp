#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace fmc::ctl {

// What to do when a second connection presents a DPID that is already up.
enum class DuplicateDpidPolicy {
  kReplaceOld,  // the newcomer wins (a restarted switch whose old TCP session is half-dead)
  kRejectNew,   // the first connection keeps the DPID; the newcomer is closed
};

struct ControllerConfig {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 6653;  // 0 = any free port (tests)
  unsigned threads = 1;
  std::chrono::milliseconds echo_interval{5000};
  std::chrono::milliseconds dead_after{15000};  // no message for this long: the peer is dead
  DuplicateDpidPolicy duplicate_dpid = DuplicateDpidPolicy::kReplaceOld;
  std::uint32_t version_bitmap = (1u << 0x01) | (1u << 0x04);
  std::uint16_t miss_send_len = 0xffff;
};

}  // namespace fmc::ctl

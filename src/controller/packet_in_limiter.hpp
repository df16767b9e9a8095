#pragma once
// Caps on the PACKET_INs one switch may make the controller handle: a token
// bucket for the switch and one per ingress port (a rate per second, with a
// burst of one second's worth). What is over a cap is dropped before any app
// sees it, so a port flooding table-miss traffic cannot starve the other
// ports' moves, nor one switch the others. Times are given, not read.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <unordered_map>

namespace fmc::ctl {

class PacketInLimiter {
 public:
  using Time = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxPorts = 4096;  // beyond: the ports share one bucket

  // Rates in PACKET_INs per second; 0: no cap.
  PacketInLimiter(std::uint32_t switch_rate, std::uint32_t port_rate) : switch_rate_(switch_rate), port_rate_(port_rate) {}

  enum class Verdict { kAdmit, kOverPort, kOverSwitch };
  Verdict admit(std::uint32_t port, Time now) {
    if (port_rate_) {
      auto it = ports_.find(port);
      if (it == ports_.end()) it = ports_.try_emplace(ports_.size() < kMaxPorts ? port : kShared).first;
      if (!it->second.take(port_rate_, now)) return Verdict::kOverPort;
    }
    if (switch_rate_ && !switch_.take(switch_rate_, now)) return Verdict::kOverSwitch;
    return Verdict::kAdmit;
  }

 private:
  static constexpr std::uint32_t kShared = 0xffffffff;  // OFPP_ANY: never a real ingress port
  struct Bucket {
    double tokens = 0;
    Time at{};
    bool started = false;
    bool take(std::uint32_t rate, Time now) {
      if (!started) {
        started = true;
        tokens = rate;
      } else {
        tokens = std::min<double>(rate, tokens + std::chrono::duration<double>(now - at).count() * rate);
      }
      at = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    }
  };
  std::uint32_t switch_rate_, port_rate_;
  Bucket switch_;
  std::unordered_map<std::uint32_t, Bucket> ports_;
};

}  // namespace fmc::ctl

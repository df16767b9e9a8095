#pragma once
// Userspace WAN link emulator: forwards Ethernet frames between two
// interfaces, holding each frame back by a delay chosen from its IPv4
// addresses, with optional random loss and a rate limit. Used where the
// kernel has no sch_netem. Pure scheduling logic here; I/O in main.
#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <random>
#include <vector>

#include "net/ipv4.hpp"
#include "util/bytes.hpp"

namespace fmc::linkem {

using Clock = std::chrono::steady_clock;

// Frames whose source or destination lies in `prefix` are delayed by `delay`.
struct DelayRule {
  net::Ipv4Prefix prefix;
  std::chrono::microseconds delay{0};
};

struct LinkConfig {
  std::vector<DelayRule> rules;  // the longest matching prefix wins
  std::chrono::microseconds default_delay{0};
  double loss = 0.0;              // probability in [0, 1)
  std::uint64_t rate_bps = 0;     // 0 = unlimited
};

enum class Side { kA = 0, kB = 1 };

struct Pending {
  Clock::time_point release;
  std::uint64_t seq;
  Side to;
  std::vector<std::uint8_t> frame;
  bool operator>(const Pending& o) const { return release != o.release ? release > o.release : seq > o.seq; }
};

class LinkEmulator {
 public:
  explicit LinkEmulator(LinkConfig config, std::uint32_t seed = 1) : config_(std::move(config)), rng_(seed) {}

  std::chrono::microseconds delay_for(Bytes frame) const;
  // A frame arrived on `from`; it is queued for the other side (or dropped).
  void receive(Side from, Bytes frame, Clock::time_point now);
  // Frames due at `now`, in order.
  std::vector<Pending> due(Clock::time_point now);
  std::optional<Clock::time_point> next_release() const;
  std::uint64_t dropped() const { return dropped_; }

 private:
  LinkConfig config_;
  std::mt19937 rng_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  Clock::time_point busy_until_[2]{};  // rate limiting per direction
  std::uint64_t seq_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace fmc::linkem

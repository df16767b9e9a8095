#pragma once
// Security events are evidence, not a transcript. A port that sends a
// refused frame a million times must not write a million log lines, store
// rows and stream messages: per (kind, switch, port), the first event is
// reported at once; those within `window` of the last one reported are held
// back and counted, and the next one reported after the window says how
// many it stands for. What every app counts (its refusal counters, the
// metrics) stays exact; only the reports are thinned.
#include <chrono>
#include <cstdint>
#include <map>
#include <tuple>

#include "fmc/events/clock.hpp"
#include "fmc/events/events.hpp"

namespace fmc {

class SecurityThrottle {
 public:
  static constexpr std::size_t kMaxSources = 65536;  // (kind, switch, port) triples remembered

  explicit SecurityThrottle(const Clock& clock, std::chrono::milliseconds window = std::chrono::seconds(1))
      : clock_(clock), window_(window) {}
  // True if `e` is to be reported (its detail then counts the ones held back since the
  // last report), false if it is held back.
  bool admit(SecurityEvent& e);
  std::uint64_t held_back() const { return held_back_; }

 private:
  using Source = std::tuple<SecurityKind, std::uint64_t, std::uint32_t>;
  struct Reported {
    Clock::Steady at;
    std::uint64_t held = 0;  // held back since `at`
  };
  const Clock& clock_;
  std::chrono::milliseconds window_;
  std::map<Source, Reported> sources_;
  std::uint64_t held_back_ = 0;
};

}  // namespace fmc

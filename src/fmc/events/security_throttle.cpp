#include "fmc/events/security_throttle.hpp"

#include <string>

namespace fmc {

bool SecurityThrottle::admit(SecurityEvent& e) {
  const Source source{e.kind, e.dpid.value, e.port.value};
  const auto now = clock_.steady();
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    if (sources_.size() >= kMaxSources) sources_.clear();  // forgetting only lets reports through sooner
    sources_.emplace(source, Reported{now, 0});
    return true;
  }
  Reported& r = it->second;
  if (now - r.at < window_) {
    ++r.held;
    ++held_back_;
    return false;
  }
  if (r.held > 0) e.detail += " (and " + std::to_string(r.held) + " more like it before, not reported one by one)";
  r = Reported{now, 0};
  return true;
}

}  // namespace fmc

#include "controller/connection_limits.hpp"

namespace fmc::ctl {

ConnectionLimits::Slot ConnectionLimits::admit(const std::string& address, std::string& why) {
  std::lock_guard lock(state_->mu);
  if (state_->total >= max_total_) {
    why = "the controller already holds " + std::to_string(max_total_) + " connections";
    return nullptr;
  }
  std::size_t& from = state_->per_address[address];
  if (from >= max_per_address_) {
    why = address + " already holds " + std::to_string(max_per_address_) + " connections";
    return nullptr;
  }
  ++from;
  ++state_->total;
  return Slot(state_.get(), [state = state_, address](void*) {
    std::lock_guard lock(state->mu);
    --state->total;
    if (auto it = state->per_address.find(address); it != state->per_address.end() && --it->second == 0)
      state->per_address.erase(it);
  });
}

std::size_t ConnectionLimits::open() const {
  std::lock_guard lock(state_->mu);
  return state_->total;
}

}  // namespace fmc::ctl

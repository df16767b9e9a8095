#include "fmc/location/held_writes.hpp"

#include <algorithm>

namespace fmc {

void HeldWrites::hold(const Endpoint& e, const LocationManager::Move* move) {
  if (move) changes_.push_back(LocationManager::location_change(e, *move));
  endpoints_.push_back(e.number);
}

void HeldWrites::write(const LocationManager& locations, const Sink& sink) {
  for (auto& c : changes_) sink.change(std::move(c));
  changes_.clear();
  std::sort(endpoints_.begin(), endpoints_.end());
  endpoints_.erase(std::unique(endpoints_.begin(), endpoints_.end()), endpoints_.end());
  for (const auto n : endpoints_) sink.record(locations.record(locations.at(n)));
  endpoints_.clear();
}

}  // namespace fmc

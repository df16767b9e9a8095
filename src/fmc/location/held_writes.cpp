#include "fmc/location/held_writes.hpp"

#include <algorithm>

namespace fmc {

HeldWrites::HeldWrites(EventBus& bus, const LocationManager& locations, Sink sink)
    : bus_(bus), locations_(locations), sink_(std::move(sink)) {
  bus_.on_settled([this] { write(); });
}

void HeldWrites::hold(const Endpoint& e, const LocationManager::Move* move) {
  if (move) changes_.push_back(LocationManager::history_row(e, *move));
  endpoints_.push_back(e.number);
  if (!bus_.busy()) write();
}

void HeldWrites::write() {
  if (empty()) return;
  for (const auto& c : changes_) sink_.change(locations_.location_change(c));
  changes_.clear();
  std::sort(endpoints_.begin(), endpoints_.end());
  endpoints_.erase(std::unique(endpoints_.begin(), endpoints_.end()), endpoints_.end());
  for (const auto n : endpoints_) sink_.record(locations_.record(locations_.at(n)));
  endpoints_.clear();
}

}  // namespace fmc

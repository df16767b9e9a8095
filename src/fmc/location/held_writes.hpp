#pragma once
// The Location Manager's changes of one input, held until the input has settled and then
// written once each: every move's history row, and each changed endpoint's record as it
// then is. A move and the visiting address that follows it are one write, not two, and
// other controllers sharing the store see one change.
#include <cstdint>
#include <functional>
#include <vector>

#include "fmc/events/event_bus.hpp"
#include "fmc/location/location_manager.hpp"
#include "store/store.hpp"

namespace fmc {

class HeldWrites {
 public:
  // Where what is held goes: history rows in order, then each endpoint's record once.
  struct Sink {
    std::function<void(store::LocationChange&&)> change;
    std::function<void(store::EndpointRecord&&)> record;
  };
  // Holds what `locations` persists while `bus` handles an input and writes it to `sink`
  // once the input has settled; a change made outside any input is written at once.
  HeldWrites(EventBus& bus, const LocationManager& locations, Sink sink);
  HeldWrites(const HeldWrites&) = delete;
  HeldWrites& operator=(const HeldWrites&) = delete;

  // What the LocationManager's Persist is given.
  void hold(const Endpoint& e, const LocationManager::Move* move);
  bool empty() const { return changes_.empty() && endpoints_.empty(); }
  // Writes what is held now (before a flush of the store) and forgets it.
  void write();

 private:
  EventBus& bus_;
  const LocationManager& locations_;
  Sink sink_;
  std::vector<LocationManager::HistoryRow> changes_;
  std::vector<std::uint32_t> endpoints_;  // by number, in any order and repeated: sorted out on write
};

}  // namespace fmc

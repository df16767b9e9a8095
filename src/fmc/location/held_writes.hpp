#pragma once
// The Location Manager's changes of one input, held until the input has settled and then
// written once each: every move's history row, and each changed endpoint's record as it
// then is. A move and the visiting address that follows it are one write, not two, and
// other controllers sharing the store see one change.
#include <cstdint>
#include <functional>
#include <vector>

#include "fmc/location/location_manager.hpp"
#include "store/store.hpp"

namespace fmc {

class HeldWrites {
 public:
  // What a LocationManager's Persist is given.
  void hold(const Endpoint& e, const LocationManager::Move* move);
  bool empty() const { return changes_.empty() && endpoints_.empty(); }

  // Hands over what is held (history rows in order, then each endpoint's record once) and forgets it.
  struct Sink {
    std::function<void(store::LocationChange)> change;
    std::function<void(store::EndpointRecord)> record;
  };
  void write(const LocationManager& locations, const Sink& sink);

 private:
  std::vector<store::LocationChange> changes_;
  std::vector<std::uint32_t> endpoints_;  // by number, in any order and repeated: sorted out on write
};

}  // namespace fmc

#pragma once
// Composition root of the Follow-Me Cloud controller: the network model, the
// database, the Location Manager and the apps in their fixed order
//   switch directory, mobility detector, ARP proxy, packet manipulator.
// One instance serves every switch; the controller must run one worker.
#include <memory>
#include <string>

#include "controller/app.hpp"
#include "fmc/arp_proxy.hpp"
#include "fmc/location_manager.hpp"
#include "fmc/migrations_in_flight.hpp"
#include "fmc/mobility_detector.hpp"
#include "fmc/packet_manipulator.hpp"
#include "fmc/switch_directory.hpp"
#include "store/write_behind.hpp"

namespace fmc {

class FollowMe {
 public:
  // Opens the database and restores the saved locations.
  static Result<std::unique_ptr<FollowMe>, std::string> create(model::NetworkModel model, const std::string& db_path);
  ~FollowMe();

  // Apps for the controller (handles onto the one shared set).
  ctl::AppList apps();
  LocationManager& locations() { return *locations_; }
  MigrationsInFlight& migrations() { return migrations_; }
  EventBus& bus() { return bus_; }
  void flush_store() { writer_->flush(); }

 private:
  FollowMe() = default;
  model::NetworkModel model_;
  EventBus bus_;
  MigrationsInFlight migrations_;
  std::unique_ptr<store::WriteBehind> writer_;
  std::unique_ptr<LocationManager> locations_;
  SwitchDirectory directory_;
  std::unique_ptr<MobilityDetector> detector_;
  std::unique_ptr<ArpProxy> arp_;
  std::unique_ptr<PacketManipulator> manipulator_;
};

}  // namespace fmc

#pragma once
// What the northbound API reads: the Follow-Me Cloud apps' state and the
// controller's counters. References into the composition root; read on the
// controller's event loop only.
#include <cstdint>
#include <functional>

#include "fmc/events/clock.hpp"
#include "controller/stats.hpp"
#include "fmc/arp/arp_proxy.hpp"
#include "fmc/dhcp/dhcp_service.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/placement/location_mapper.hpp"
#include "fmc/migration/migration_manager.hpp"
#include "fmc/mobility/mobility_detector.hpp"
#include "fmc/packet/packet_in_census.hpp"
#include "fmc/path/path_monitor.hpp"
#include "util/histogram.hpp"
#include "controller/effect_executor.hpp"
#include "store/write_behind.hpp"

namespace fmc::api {

struct ApiContext {
  const model::NetworkModel& model;
  const LocationManager& locations;
  const ctl::EffectExecutor& switches;  // which switches are connected
  const dhcp::DhcpService& dhcp;
  const MobilityDetector& detector;
  const ArpProxy& arp;
  const ctl::ControllerStats& controller;
  MigrationManager* migrations;  // nullptr: no migration driver configured
  const PacketInCensus& census;
  const Histogram& convergence;  // move convergence, seconds
  const PathMonitor& path_monitor;
  LocationMapper& mapper;
  const Clock& clock;
  std::function<store::WriteBehind::Health()> store_health = {};  // empty: not exported
};

}  // namespace fmc::api

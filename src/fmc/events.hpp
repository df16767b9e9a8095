#pragma once
// Events the Follow-Me Cloud apps use to talk to each other (and that the
// API will stream). Delivered through the queued EventBus (event_bus.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "openflow/types.hpp"

namespace fmc {

// Where an endpoint is attached: a site and the switch port it hangs off.
struct Location {
  std::string site;
  of::Dpid dpid;
  of::PortNo port;
  bool operator==(const Location&) const = default;
};

enum class MoveCause { kTraffic, kDhcp, kMigration, kGratuitousArp, kRestored };
const char* to_string(MoveCause c);

struct EndpointMoved {
  std::string endpoint;
  std::optional<Location> from;  // nullopt on first sighting
  Location to;
  MoveCause cause = MoveCause::kTraffic;
  bool at_home = true;  // `to` is the endpoint's home site
};

// Something that looked like an attack or a misconfiguration and was refused.
struct SecurityEvent {
  std::string kind;  // "arp-conflict", "gateway-claim", "spoofed-move", ...
  std::string detail;
  of::Dpid dpid;
  of::PortNo port;
};

// A step of a VM migration the controller ordered (paper §III.C).
struct MigrationStep {
  std::int64_t id = 0;
  std::string vm, from_site, to_site;
  std::string phase;  // started, switchover, completed, failed, cancelled
  double downtime_ms = 0;  // as the hypervisor reports it (completed)
  std::string detail;
};

// The Location Mapper's judgement of where a service should run (paper
// §III.B): the scores it compared and what it decided.
struct PlacementDecision {
  std::string service, vm, policy;
  std::string current_dc;
  std::string target_dc;  // empty: stay
  std::string action;     // stay, wait (dwell), migrate, refused
  std::string reason;
  std::vector<std::pair<std::string, double>> scores;  // DC -> score (lower is better)
  double move_cost = 0;
};

// A path delay the Path Monitor measured (smoothed).
struct PathMeasured {
  std::string access, dc;
  double delay_ms = 0;
};

using FmcEvent = std::variant<EndpointMoved, SecurityEvent, MigrationStep, PlacementDecision, PathMeasured>;



}  // namespace fmc

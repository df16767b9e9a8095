#pragma once
// Events the Follow-Me Cloud apps use to talk to each other (and that the
// API will stream). Delivered through the queued EventBus (event_bus.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fmc/model/site_name.hpp"
#include "openflow/types.hpp"

namespace fmc {

// Where an endpoint is attached: a site and the switch port it hangs off.
// Made as Location{site, dpid, port}; held port first, so that the three fit
// 16 bytes (an endpoint keeps one: millions of them).
struct Location {
  SiteName site;
  of::PortNo port;
  of::Dpid dpid;
  Location() = default;
  Location(SiteName site, of::Dpid dpid, of::PortNo port) : site(site), port(port), dpid(dpid) {}
  bool operator==(const Location&) const = default;
};

// kPeer: learnt from another controller through the shared store.
enum class MoveCause { kTraffic, kDhcp, kMigration, kGratuitousArp, kRestored, kPeer };
const char* to_string(MoveCause c);

struct EndpointMoved {
  std::string endpoint;
  std::optional<Location> from;  // nullopt on first sighting
  Location to;
  MoveCause cause = MoveCause::kTraffic;
  bool at_home = true;  // `to` is the endpoint's home site
  // The endpoint's Location Manager number when the Location Manager published it (this
  // process's own, never stored or sent): the endpoint is found without hashing its name.
  std::optional<std::uint32_t> number;
};

// What was refused as an attack or a misconfiguration.
enum class SecurityKind {
  kArpConflict,      // an ARP claims an address another endpoint holds
  kGatewayClaim,     // an ARP claims a gateway's address
  kSpoofedMove,      // traffic or an announcement claims a move nothing explains
  kRogueDhcpServer,  // a DHCP server message from a port that is not the configured server
  kDhcpAbuse,        // a client over its DHCP rate or lease bounds
};
const char* to_string(SecurityKind k);

// Something that looked like an attack or a misconfiguration and was refused.
struct SecurityEvent {
  SecurityKind kind;
  std::string detail;
  of::Dpid dpid;
  of::PortNo port;
};

// The steps of a migration, in order; it ends in one of the last three. kLocating: the
// controller lost track of how it ended (restarted while it ran, or its command had to be
// killed) and looks for the VM at both ends before it records an end.
enum class MigrationPhase { kStarted, kSwitchover, kLocating, kCompleted, kFailed, kCancelled };
const char* to_string(MigrationPhase p);
// It ended and left the VM where it was.
inline bool left_vm_at_source(MigrationPhase p) { return p == MigrationPhase::kFailed || p == MigrationPhase::kCancelled; }

// A step of a VM migration the controller ordered (paper §III.C).
struct MigrationStep {
  std::int64_t id = 0;
  std::string vm, from_site, to_site;
  MigrationPhase phase = MigrationPhase::kStarted;
  double downtime_ms = 0;  // as the hypervisor reports it (completed)
  std::string detail;
};

// What the Location Mapper decided for a service (or part).
enum class PlacementAction {
  kStay,     // where it is is best
  kWait,     // a better DC exists, but not yet for long enough (dwell, retry)
  kMigrate,  // a migration was ordered
  kRefused,  // a migration would be better but was refused (veto, no driver, ...)
};
const char* to_string(PlacementAction a);

// The Location Mapper's judgement of where a service should run (paper
// §III.B): the scores it compared and what it decided.
struct PlacementDecision {
  std::string service, vm, policy;
  std::string current_dc;
  std::string target_dc;  // empty: stay
  PlacementAction action = PlacementAction::kStay;
  std::string reason;
  std::vector<std::pair<std::string, double>> scores;  // DC -> score (lower is better)
  double move_cost = 0;
};

// A path delay the Path Monitor measured (smoothed).
struct PathMeasured {
  std::string access, dc;
  double delay_ms = 0;
};

// A move's flows that switches refused (e.g. a full flow table): the move is
// not done at `site` until a retry is confirmed.
struct FlowsRefused {
  std::string endpoint, site;
  std::size_t refused = 0;  // flow-mods the switches answered with an error
  bool table_full = false;  // at least one of them for want of room (OFPFMFC_TABLE_FULL)
  std::uint32_t attempt = 1;
};

// An endpoint being looked for (a migration's kLocating) answered at `site`.
struct EndpointLocated {
  std::string endpoint, site;
};

// How busy a data center's servers are, as its hypervisors report it (0..1):
// the QoS input of the Location Mapper (paper §III.B).
struct UtilisationMeasured {
  std::string dc;
  double utilisation = 0;
};

using FmcEvent = std::variant<EndpointMoved, SecurityEvent, MigrationStep, PlacementDecision, PathMeasured, FlowsRefused,
                              EndpointLocated, UtilisationMeasured>;

}  // namespace fmc

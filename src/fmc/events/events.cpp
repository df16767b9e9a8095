#include "fmc/events/events.hpp"

namespace fmc {

// These names are what the API, the event stream and the logs show.

const char* to_string(MoveCause c) {
  switch (c) {
    case MoveCause::kTraffic: return "traffic";
    case MoveCause::kDhcp: return "dhcp";
    case MoveCause::kMigration: return "migration";
    case MoveCause::kGratuitousArp: return "gratuitous-arp";
    case MoveCause::kRestored: return "restored";
    case MoveCause::kPeer: return "peer";
  }
  return "unknown";
}

const char* to_string(SecurityKind k) {
  switch (k) {
    case SecurityKind::kArpConflict: return "arp-conflict";
    case SecurityKind::kGatewayClaim: return "gateway-claim";
    case SecurityKind::kSpoofedMove: return "spoofed-move";
    case SecurityKind::kRogueDhcpServer: return "rogue-dhcp-server";
    case SecurityKind::kDhcpAbuse: return "dhcp-abuse";
  }
  return "unknown";
}

const char* to_string(MigrationPhase p) {
  switch (p) {
    case MigrationPhase::kStarted: return "started";
    case MigrationPhase::kSwitchover: return "switchover";
    case MigrationPhase::kLocating: return "locating";
    case MigrationPhase::kCompleted: return "completed";
    case MigrationPhase::kFailed: return "failed";
    case MigrationPhase::kCancelled: return "cancelled";
  }
  return "unknown";
}

const char* to_string(PlacementAction a) {
  switch (a) {
    case PlacementAction::kStay: return "stay";
    case PlacementAction::kWait: return "wait";
    case PlacementAction::kMigrate: return "migrate";
    case PlacementAction::kRefused: return "refused";
  }
  return "unknown";
}

}  // namespace fmc

#pragma once
// Mobility Detector (paper §IV.B.3). Home locations get proactive rules;
// visited ones none, so the first packet of a moved endpoint at a visited
// switch misses and comes here. A move is accepted only if something explains
// it: a migration in flight, or the old location having gone quiet (its port
// was removed or went down), and only onto a port the configuration gives the
// endpoint on that switch. A client known only from DHCP may move to any
// client port of an access network, its DHCP there explaining the move once
// proven (MoveProofs): while its old location is live, that location is probed
// first and the move waits for its silence.
// Anything else is refused and reported as a spoofing attempt (host-location
// hijacking); its packets are dropped.
// A hypervisor that reports the switchover of a live migration (the VM stopped
// at the source for its last copy) moves the VM to its target port at once: its
// traffic then waits at the target for the VM to resume instead of being lost
// at the source. If the migration fails after that, the VM is moved back.
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "controller/effects.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/mobility/migrations_in_flight.hpp"
#include "fmc/mobility/move_proofs.hpp"
#include "fmc/packet/packet_context.hpp"

namespace fmc {

struct MobilityStats {
  std::uint64_t moves_accepted = 0;
  std::uint64_t moves_refused = 0;
  std::uint64_t moves_proven = 0;      // accepted after the old location was probed and stayed silent
  std::uint64_t moves_disproved = 0;   // refused: the old location answered (also in moves_refused)
  std::uint64_t unknown_sources = 0;
};

// What a packet's source says about where it is.
enum class Sighting {
  kNotAnEndpoint,  // the router, a stranger, or a switch outside the model
  kInPlace,        // where the Location Manager has it
  kMoved,          // a move, accepted (EndpointMoved is queued)
  kRefused,        // a move nothing explains (SecurityEvent queued): drop the packet
  kProving,        // a DHCP-claimed move being proven: drop the packet (its sender asks again)
  kProbeAnswer,    // the old location answering a proof's probe: consumed
};

class MobilityDetector {
 public:
  MobilityDetector(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                   MigrationsInFlight& migrations, const Clock& clock);
  // Home rules for the endpoints at home at this switch.
  ctl::Effects on_switch_up(of::Dpid dpid);
  void on_switch_down(of::Dpid dpid);
  void on_port_status(of::Dpid dpid, const of::PortStatus& ps);
  // Every packet from an endpoint is a possible move (ARP and DHCP included:
  // their owners answer them afterwards unless the move was refused).
  Sighting see(const PacketContext& p);
  // A data packet (or RARP): after a move, the packet that revealed it goes
  // through the new flows once they are installed.
  ctl::Effects on_traffic(const PacketContext& p, Sighting s) const;
  // After kProving: the probe of the endpoint's old location, if its proof has just started.
  ctl::Effects on_proving();
  // Periodic: claims whose old location stayed silent are accepted as moves
  // (and their held packets sent through the new flows); endpoints being located
  // (a migration's kLocating) are asked for, every second, at each place they may be.
  ctl::Effects tick();
  const MobilityStats& stats() const { return stats_; }

 private:
  struct PortKey {
    std::uint64_t dpid;
    std::uint32_t port;
    auto operator<=>(const PortKey&) const = default;
  };
  // The configured port of `endpoint` on the switch of `site`, if any.
  std::optional<of::PortNo> configured_port(const model::Site& site, const std::string& endpoint) const;
  bool old_location_quiet(const Endpoint& e) const;
  void on_migration_step(const MigrationStep& step);
  void refuse(const Endpoint& e, const PacketContext& p, bool plausible);
  Sighting prove(const Endpoint& e, const PacketContext& p, const Location& here);
  Sighting sighting(const PacketContext& p);
  // Who has e's address? Asked of e's MAC alone out of `at`, from its gateway, with no
  // sender address (an RFC 5227 probe: the answer names no one else's address).
  void probe(ctl::Effects& out, const Endpoint& e, const Location& at) const;

  const model::NetworkModel& model_;
  LocationManager& locations_;
  EventBus& bus_;
  MigrationsInFlight& migrations_;
  const Clock& clock_;
  MoveProofs proofs_;
  std::optional<std::uint32_t> probe_due_;  // the endpoint whose proof the packet being handled started
  std::set<PortKey> quiet_;  // ports that were removed or went down
  struct Search {
    std::vector<Location> places;
    Clock::Steady next_probe;
  };
  std::map<std::string, Search> locating_;  // endpoint -> where it may be
  MobilityStats stats_;
};

}  // namespace fmc

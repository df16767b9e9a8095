#pragma once
// Mobility Detector (paper §IV.B.3). Home locations get proactive rules;
// visited ones none, so the first packet of a moved endpoint at a visited
// switch misses and comes here. A move is accepted only if something explains
// it: a migration in flight, or the old location having gone quiet (its port
// was removed or went down), and only onto a port the configuration gives the
// endpoint on that switch. A client known only from DHCP may move to any
// client port of an access network, its DHCP there explaining the move.
// Anything else is refused and reported as a spoofing attempt (host-location
// hijacking); its packets are dropped.
// A hypervisor that reports the switchover of a live migration (the VM stopped
// at the source for its last copy) moves the VM to its target port at once: its
// traffic then waits at the target for the VM to resume instead of being lost
// at the source. If the migration fails after that, the VM is moved back.
#include <cstdint>
#include <map>
#include <set>

#include "controller/app.hpp"
#include "fmc/location_manager.hpp"
#include "fmc/migrations_in_flight.hpp"

namespace fmc {

struct MobilityStats {
  std::uint64_t moves_accepted = 0;
  std::uint64_t moves_refused = 0;
  std::uint64_t unknown_sources = 0;
};

class MobilityDetector final : public ctl::App {
 public:
  MobilityDetector(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                   MigrationsInFlight& migrations);
  std::string_view name() const override { return "mobility_detector"; }
  void on_switch_up(ctl::Datapath& dp) override;
  void on_switch_down(of::Dpid dpid) override;
  void on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) override;
  ctl::Disposition on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) override;
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

  const model::NetworkModel& model_;
  LocationManager& locations_;
  EventBus& bus_;
  MigrationsInFlight& migrations_;
  std::set<PortKey> quiet_;  // ports that were removed or went down
  MobilityStats stats_;
};

}  // namespace fmc

#pragma once
// Composition root of the Follow-Me Cloud controller: the network model, the
// database, the Location Manager, the apps behind their one Dispatcher (which
// owns the dispatch rule), the queued EventBus and the EffectExecutor, and
// the Location Mapper, which judges placements on the apps' events.
// One instance serves every switch; the controller must run one worker.
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "controller/app.hpp"
#include "fmc/dispatch.hpp"
#include "fmc/events/event_json.hpp"
#include "fmc/events/security_throttle.hpp"
#include "fmc/location/held_writes.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/placement/location_mapper.hpp"
#include "fmc/placement/utilisation_monitor.hpp"
#include "fmc/migration/migration_manager.hpp"
#include "fmc/mobility/migrations_in_flight.hpp"
#include "store/write_behind.hpp"
#include "util/histogram.hpp"

namespace fmc {

class FollowMe {
 public:
  // Restores the saved state from `db` (described as `where` in logs) and writes to it from then on.
  static Result<std::unique_ptr<FollowMe>, std::string> create(model::NetworkModel model, std::unique_ptr<store::Store> db,
                                                               const std::string& where);
  // The same on the SQLite database at `db_path`.
  static Result<std::unique_ptr<FollowMe>, std::string> create(model::NetworkModel model, const std::string& db_path);
  ~FollowMe();

  // Apps for the controller (handles onto the one shared set).
  ctl::AppList apps();
  // How work finished elsewhere (a stored lease) gets back onto the apps'
  // event loop; nullptr detaches (results arriving later are dropped).
  using Post = std::function<void(std::function<void()>)>;
  void run_on(Post post);
  // Runs `fn` on the attached event loop; callable from any thread (dropped, with a warning, if detached).
  void post(std::function<void()> fn);
  // Like post, for work that results in effects (handled as an input of the event bus).
  void post_effects(std::function<ctl::Effects()> fn);
  // Lets the controller order migrations through `driver` (MigrationManager).
  void use_migration_driver(std::unique_ptr<migration::Driver> driver);
  // Who copies services' parts between data centers (after use_migration_driver).
  void use_transfer_driver(std::unique_ptr<migration::Driver> transfers);
  // Servers' utilisation measured by the hypervisors (--utilisation-command): runs
  // `argv` every `interval`; each data center's first value, then every change of
  // at least 0.02, is published as UtilisationMeasured; failures are logged.
  void measure_utilisation(std::vector<std::string> argv, std::chrono::milliseconds interval);
  // nullptr until a driver is configured.
  MigrationManager* migration_manager() { return migration_manager_.get(); }
  LocationManager& locations() { return *locations_; }
  MigrationsInFlight& migrations() { return migrations_; }
  EventBus& bus() { return bus_; }
  dhcp::DhcpService& dhcp() { return *dhcp_; }
  const model::NetworkModel& model() const { return model_; }
  const ctl::EffectExecutor& switches() const { return executor_; }
  const MobilityDetector& detector() const { return *detector_; }
  const ArpProxy& arp() const { return *arp_; }
  const PacketInCensus& census() const { return census_; }
  // Time from the arrival of the packet that revealed a move (else from the move) to its
  // flows confirmed by barriers on every switch, in seconds.
  const Histogram& convergence() const { return convergence_; }
  void flush_store() {
    held_->write();
    writer_->flush();
  }
  store::WriteBehind::Health store_health() const { return writer_->health(); }
  // Calls `report` on the apps' loop with each event once the store has it, in order
  // (the API's stream and notifications: nothing is reported that a restart would not
  // find), with its JSON form stamped when the apps saw it. Set once, from any thread.
  using StoredEventReport = std::function<void(const FmcEvent&, const EventText&)>;
  void report_stored_events(StoredEventReport report);
  // Before taking over switches another controller held: reads where every endpoint is
  // from the shared store (after our own pending writes), then runs `then` on the loop.
  // Callable from any thread. If the store cannot be read, `then` runs with what we knew.
  // Once shared (share), the watch has done it: `then` runs at once.
  void refresh(std::function<void()> then);
  // With several controllers on one shared store (after run_on): learns every other
  // controller's endpoint and migration records as they are written, and judges
  // placements only for services whose VM is at a site `answers` says is ours;
  // acknowledges its visitors' tunnels to, and awaits theirs from, the controllers of
  // `other_scopes` (PacketManipulator::Sharing).
  std::optional<std::string> share(LocationMapper::Answers answers, std::vector<std::string> other_scopes);
  // Caps each switch port's PACKET_INs in the switch itself (OpenFlow 1.3 meters) at `rate`/s; 0: off (default).
  void meter_packet_ins(std::uint32_t rate) { dispatcher_->meter_packet_ins(rate); }
  // Periodic work (probes, dwell times); call every ~100 ms on the apps' loop.
  void tick();
  const PathMonitor& path_monitor() const { return *path_monitor_; }
  LocationMapper& mapper() { return *mapper_; }
  const Clock& clock() const { return clock_; }

 private:
  FollowMe() = default;
  model::NetworkModel model_;
  SystemClock clock_;
  ctl::EffectExecutor executor_;
  EventBus bus_{&executor_};
  SecurityThrottle security_reports_{clock_};
  MigrationsInFlight migrations_;
  std::unique_ptr<store::WriteBehind> writer_;
  std::map<std::string, double> utilisation_published_;
  std::uint64_t utilisation_failures_ = 0;
  StoredEventReport report_stored_;
  std::atomic<bool> reporting_{false};
  store::Store* db_ = nullptr;  // owned by writer_; only for share()
  bool shared_ = false;
  std::unique_ptr<LocationManager> locations_;
  std::unique_ptr<HeldWrites> held_;  // locations_'s writes of the input being handled, for writer_
  PacketInCensus census_;
  Histogram convergence_{{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1}};
  std::unique_ptr<MobilityDetector> detector_;
  std::unique_ptr<dhcp::DhcpService> dhcp_;
  std::unique_ptr<ArpProxy> arp_;
  std::vector<Migration> saved_migrations_;
  std::unique_ptr<migration::Driver> driver_, transfers_;
  std::unique_ptr<MigrationManager> migration_manager_;
  std::mutex post_mu_;
  Post post_;
  std::unique_ptr<PacketManipulator> manipulator_;
  std::unique_ptr<PathMonitor> path_monitor_;
  std::unique_ptr<LocationMapper> mapper_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<UtilisationMonitor> utilisation_monitor_;  // declared last: its thread stops first
};

}  // namespace fmc

#pragma once
// Orders VM migrations from the hypervisor (paper §III.C, Fig. 4 steps
// 11-13) and keeps their history: validates a request against the network
// model, tells the Mobility Detector to expect the VM at its target, runs
// the driver, and publishes each step (MigrationStep: started, switchover,
// completed / failed / cancelled). A migration that fails or is cancelled
// leaves the VM where it was and nothing expected.
// Whoever decides (the Location Mapper, an operator through the API) calls
// start(); a veto (e.g. an ETSI MEC 021 "mobility not allowed") can refuse.
// Services' other parts move the same way (start_part), through a transfer
// driver, in the same history; a failed copy leaves the part where it was.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fmc/events/clock.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/migration/driver.hpp"
#include "fmc/migration/migration.hpp"
#include "fmc/mobility/migrations_in_flight.hpp"

namespace fmc {

class MigrationManager {
 public:
  using Persist = std::function<void(const Migration&)>;
  // Why `vm` may not be moved now, if anything.
  using Veto = std::function<std::optional<std::string>(const std::string& vm)>;

  MigrationManager(const model::NetworkModel& model, const LocationManager& locations, MigrationsInFlight& in_flight,
                   EventBus& bus, migration::Driver& driver, Persist persist, const Clock& clock);

  // History saved earlier; new ids continue after the largest.
  void restore(const std::vector<Migration>& saved);
  void set_veto(Veto veto) { veto_ = std::move(veto); }
  // With several controllers: new ids come from blocks of numbers `reserve` sets aside
  // in the shared store for this controller (it returns the block's last, or nullopt).
  using Reserve = std::function<std::optional<std::int64_t>(std::int64_t count)>;
  void reserve_ids_with(Reserve reserve) { reserve_ = std::move(reserve); }
  // A migration another controller sharing the store ordered: kept in the history,
  // its id not handed out here, a moved part's place learnt.
  void observe(const Migration& m);

  // Who copies services' other parts (disk images, user data); without one they stay put.
  void use_transfer_driver(migration::Driver& transfers) { transfers_ = &transfers; }
  // A migration running longer than `limit` is cancelled (and fails); its command is
  // killed if it has not ended kGrace later, and the VM is then located. Zero: no limit.
  void set_timeout(std::chrono::seconds limit) { timeout_ = limit; }
  static constexpr std::chrono::seconds kGrace{10};
  // How long a VM whose migration's end was missed is looked for before the record
  // says it answered nowhere.
  static constexpr std::chrono::seconds kLocateFor{30};
  // Periodic (every ~100 ms): timeouts, and searches that found nothing.
  void tick();
  // The bus's events (its owner subscribes it): a VM being looked for answered.
  void on_event(const FmcEvent& e);

  // Starts moving `vm` to data center `to`. The error says why not.
  Result<Migration, std::string> start(const std::string& vm, const std::string& to, const std::string& cause);
  // Starts moving part `part` of `service` to `to`; recorded as "service/part".
  Result<Migration, std::string> start_part(const std::string& service, const std::string& part,
                                                         const std::string& to, const std::string& cause);
  // Where a part is: where its last completed move took it, else where the configuration puts it.
  std::string part_dc(const model::ServiceSpec& service, const model::ServicePart& part) const;
  // Cancels a running migration; false if it is not running.
  bool cancel(std::int64_t id);
  // The running migration of `vm`, if any: this controller's, or one another controller runs (observe).
  std::optional<std::int64_t> running_for(const std::string& vm) const;
  const Migration* find(std::int64_t id) const;
  std::vector<Migration> all() const;
  std::string_view driver_name() const { return driver_.name(); }

 private:
  Result<Migration, std::string> launch(const std::string& what, const std::string& from, const std::string& to,
                                                     const std::string& cause, migration::Driver& driver,
                                                     const std::string& handle);
  void switched_over(std::int64_t id);
  void finished(std::int64_t id, const migration::Result& r);
  // The end of migration `id` is not known (`why`): the VM is looked for at both ends.
  void locate(Migration& m, const std::string& why);
  void on_located(const EndpointLocated& l);
  void end(Migration& m, MigrationState state, const std::string& detail, double downtime_ms = 0);
  void step(const Migration& m, MigrationPhase phase, double downtime_ms = 0);

  const model::NetworkModel& model_;
  const LocationManager& locations_;
  MigrationsInFlight& in_flight_;
  EventBus& bus_;
  migration::Driver& driver_;
  Persist persist_;
  const Clock& clock_;
  Veto veto_;
  std::map<std::int64_t, Migration> history_;
  migration::Driver* transfers_ = nullptr;
  struct Running {
    migration::Driver* driver;
    migration::MigrationId id;  // the driver's
    Clock::Steady started;
    bool timed_out = false;  // cancelled for taking too long
    bool abandoned = false;  // its command killed after that: what it reports means nothing
  };
  std::chrono::seconds timeout_{0};
  struct Search {
    Clock::Steady until;
    std::string why;  // the end was missed because ...
  };
  std::map<std::int64_t, Search> locating_;  // by our id
  std::map<std::int64_t, Running> running_;  // by our id
  std::map<std::int64_t, std::string> peers_running_;  // id -> what: migrations other controllers run
  std::map<std::string, std::string> part_dc_;  // "service/part" -> DC, once moved
  // The next id, and with reserve_, the last of the block it comes from.
  std::optional<std::int64_t> take_id();
  std::int64_t next_id_ = 1;
  std::int64_t block_last_ = 0;
  Reserve reserve_;
};

}  // namespace fmc

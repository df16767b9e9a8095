#include "fmc/follow_me.hpp"

#include <chrono>
#include <cmath>

#include "controller/log.hpp"
#include "fmc/events/event_json.hpp"
#include "fmc/placement/location_mapper.hpp"
#include "fmc/path/path_monitor.hpp"
#include "store/sqlite_store.hpp"
#include "util/log_thinning.hpp"

namespace fmc {

namespace {

// The stored event history's bound: a flood of events ages out the oldest
// instead of filling the disk (security events are also thinned before this).
constexpr std::int64_t kRetainedEvents = 100'000;
constexpr std::int64_t kTrimEvery = 1'000;

// Hands the one shared dispatcher to the controller's per-worker app list.
class SharedApp final : public ctl::App {
 public:
  explicit SharedApp(ctl::App& target) : target_(target) {}
  std::string_view name() const override { return target_.name(); }
  void on_switch_up(ctl::Datapath& dp) override { target_.on_switch_up(dp); }
  void on_switch_down(of::Dpid d) override { target_.on_switch_down(d); }
  ctl::Disposition on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) override { return target_.on_packet_in(dp, pi); }
  void on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) override { target_.on_port_status(dp, ps); }
  void on_message(ctl::Datapath& dp, of::Xid x, const of::Message& m) override { target_.on_message(dp, x, m); }

 private:
  ctl::App& target_;
};

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

store::LeaseRecord to_record(const dhcp::LeaseChange& c) {
  const auto& l = c.lease;
  return store::LeaseRecord{c.network, l.ip.to_string(), l.client, l.mac.to_string(), dhcp::to_string(l.state), l.expires_s, l.host_name};
}

std::optional<dhcp::LeaseChange> from_record(const store::LeaseRecord& r) {
  auto ip = net::Ipv4Addr::parse(r.ip);
  auto mac = net::MacAddr::parse(r.mac);
  auto state = dhcp::lease_state_from(r.state);
  if (!ip || !mac || !state) return std::nullopt;
  return dhcp::LeaseChange{r.network, dhcp::Lease{*ip, r.client, *mac, *state, r.expires_s, r.host_name}};
}

}  // namespace

void FollowMe::run_on(Post post) {
  std::lock_guard lock(post_mu_);
  post_ = std::move(post);
}

void FollowMe::post_effects(std::function<ctl::Effects()> fn) {
  post([this, fn = std::move(fn)] { bus_.handle(fn); });
}

void FollowMe::post(std::function<void()> fn) {
  std::lock_guard lock(post_mu_);
  if (post_) post_(std::move(fn));
  else log::warn("follow_me", "a stored result arrived with no event loop attached; dropped");
}

Result<std::unique_ptr<FollowMe>, std::string> FollowMe::create(model::NetworkModel model, const std::string& db_path) {
  auto db = store::SqliteStore::open(db_path);
  if (!db) return Unexpected{db.error().message};
  return create(std::move(model), std::move(*db), db_path);
}

Result<std::unique_ptr<FollowMe>, std::string> FollowMe::create(model::NetworkModel model, std::unique_ptr<store::Store> db,
                                                                const std::string& where) {
  auto saved = db->endpoints();
  if (!saved) return Unexpected{saved.error().message};
  auto saved_leases = db->leases();
  if (!saved_leases) return Unexpected{saved_leases.error().message};
  auto saved_migrations = db->migrations();
  if (!saved_migrations) return Unexpected{saved_migrations.error().message};

  std::unique_ptr<FollowMe> f(new FollowMe());
  f->model_ = std::move(model);
  f->model_.index();  // frozen from here: the apps hold it
  for (const auto& r : *saved_migrations) {
    if (auto m = from_record(r)) f->saved_migrations_.push_back(*m);
    else log::warn("follow_me", "stored migration " + std::to_string(r.id) + " has unknown state '" + r.state + "'; skipped");
  }
  f->db_ = db.get();
  f->writer_ = std::make_unique<store::WriteBehind>(
      std::move(db),
      store::WriteBehind::Reports{[](const store::StoreError& e) { log::error("store", e.message); },
                                  [](const std::string& what) { log::info("store", what); }},
      store::WriteBehind::Options{});
  auto* writer = f->writer_.get();
  // An input's changes to one endpoint (a move, then its visiting address) are written
  // as one record once the input has settled: other controllers see one change, not two.
  f->locations_ = std::make_unique<LocationManager>(
      f->model_, f->bus_, [f = f.get()](const Endpoint& e, const LocationManager::Move* m) { f->held_->hold(e, m); },
      f->clock_);
  f->held_ = std::make_unique<HeldWrites>(
      f->bus_, *f->locations_,
      HeldWrites::Sink{[writer](store::LocationChange&& c) {
                         writer->submit([c = std::move(c)](store::Store& s) { return s.add_location_change(c); });
                       },
                       [writer](store::EndpointRecord&& r) {
                         const auto key = "endpoint:" + r.name;  // before r moves into the write
                         writer->submit_latest(key, [r = std::move(r)](store::Store& s) { return s.put_endpoint(r); });
                       }});
  f->locations_->restore(*saved);
  log::info("follow_me", "restored " + std::to_string(saved->size()) + " endpoint records from " + where);

  // Every event is logged and persisted; the store keeps the event history. Security
  // events are thinned first: a flood of refused frames is not a flood of rows.
  f->bus_.filter([throttle = &f->security_reports_](FmcEvent& e) {
    auto* s = std::get_if<SecurityEvent>(&e);
    return !s || throttle->admit(*s);
  });
  f->bus_.subscribe([f = f.get(), writer](const FmcEvent& e) {
    const EventTime at{f->clock_.wall_ms(), f->clock_.steady_us()};
    EventText t = event_json(e, at);
    (t.kind == "SecurityEvent" ? log::warn : log::info)("event", t.kind + " " + json_escape(t.json));
    store::WriteBehind::Done reported;
    if (f->reporting_)
      reported = [f, e, t](const store::StoreResult<Ok>& r) {
        if (r) f->post([f, e, t] { f->report_stored_(e, t); });
      };
    writer->submit(
        [t = std::move(t), at_ms = at.wall_ms](store::Store& s) -> store::StoreResult<Ok> {
          auto r = s.append_event(store::EventRecord{0, at_ms, t.kind, t.json});
          if (!r) return Unexpected{r.error()};
          // The history keeps the last kRetainedEvents, trimmed every kTrimEvery.
          if (*r % kTrimEvery == 0 && *r > kRetainedEvents) return s.forget_events_before(*r - kRetainedEvents + 1);
          return Ok{};
        },
        std::move(reported));
  });

  f->detector_ = std::make_unique<MobilityDetector>(f->model_, *f->locations_, f->bus_, f->migrations_, f->clock_);
  auto persist_leases = [f = f.get(), writer](std::vector<dhcp::LeaseChange> changes, dhcp::DhcpService::Stored stored) {
    store::WriteBehind::Done done;
    if (stored)
      done = [f, stored = std::move(stored)](const store::StoreResult<Ok>& r) {
        if (r) f->post_effects(stored);  // else not durable: no ACK, the client will ask again
      };
    writer->submit(
        [changes = std::move(changes)](store::Store& s) -> store::StoreResult<Ok> {
          for (const auto& c : changes)
            if (auto r = s.put_lease(to_record(c)); !r) return r;
          return Ok{};
        },
        std::move(done), store::WriteBehind::OnOutage::kReport);  // the client asks again; an ACK never waits
  };
  f->dhcp_ = std::make_unique<dhcp::DhcpService>(f->model_, *f->locations_, f->bus_, std::move(persist_leases), f->clock_);
  std::vector<dhcp::LeaseChange> leases;
  for (const auto& r : *saved_leases)
    if (auto l = from_record(r)) leases.push_back(*l);
  f->dhcp_->restore(leases);
  log::info("follow_me", "restored " + std::to_string(leases.size()) + " DHCP leases");
  f->arp_ = std::make_unique<ArpProxy>(f->model_, *f->locations_, f->bus_);
  f->manipulator_ = std::make_unique<PacketManipulator>(
      f->model_, *f->locations_, f->bus_, f->clock_,
      [f = f.get()](const MoveConverged& c) {
        // Only moves whose flows every switch took are done.
        if (c.ok) f->convergence_.observe(std::chrono::duration<double>(c.elapsed).count());
      });
  f->path_monitor_ = std::make_unique<PathMonitor>(f->model_, f->bus_, f->clock_);
  // Measured round trips; the configured WAN delays until a path has been measured.
  auto delay = [f = f.get()](const std::string& access, const std::string& dc) -> std::optional<double> {
    if (auto measured = f->path_monitor_->rtt_ms(access, dc)) return measured;
    return f->model_.wan_delay(access, dc);
  };
  // Subscribed last: its decisions come after every other app has seen the move.
  f->mapper_ = std::make_unique<LocationMapper>(f->model_, *f->locations_, f->bus_, delay, f->clock_);
  f->bus_.subscribe([mapper = f->mapper_.get()](const FmcEvent& e) { mapper->on_event(e); });
  f->dispatcher_ = std::make_unique<Dispatcher>(FollowMeApps{f->model_, f->bus_, f->executor_, f->census_, *f->detector_,
                                                             *f->manipulator_, *f->arp_, *f->dhcp_, *f->path_monitor_});
  return f;
}

FollowMe::~FollowMe() = default;

void FollowMe::use_migration_driver(std::unique_ptr<migration::Driver> driver) {
  driver_ = std::move(driver);
  auto* writer = writer_.get();
  migration_manager_ = std::make_unique<MigrationManager>(
      model_, *locations_, migrations_, bus_, *driver_,
      [writer](const Migration& m) {
        writer->submit([m = to_record(m)](store::Store& s) -> store::StoreResult<Ok> {
          auto r = s.put_migration(m);
          if (!r) return Unexpected{r.error()};
          return Ok{};
        });
      },
      clock_);
  bus_.subscribe([m = migration_manager_.get()](const FmcEvent& e) { m->on_event(e); });
  migration_manager_->restore(saved_migrations_);
  mapper_->use(migration_manager_.get());
}

void FollowMe::use_transfer_driver(std::unique_ptr<migration::Driver> transfers) {
  transfers_ = std::move(transfers);
  if (migration_manager_) migration_manager_->use_transfer_driver(*transfers_);
}

void FollowMe::refresh(std::function<void()> then) {
  // Shared, the watch keeps every record current, each applied only if newer than the
  // last; a reload now could put back an older one it has already replaced.
  if (shared_) return post(std::move(then));
  auto records = std::make_shared<std::vector<store::EndpointRecord>>();
  writer_->submit(
      [records](store::Store& s) -> store::StoreResult<Ok> {
        auto r = s.endpoints();
        if (!r) return Unexpected{r.error()};
        *records = std::move(*r);
        return Ok{};
      },
      [this, records, then = std::move(then)](const store::StoreResult<Ok>& read) {
        post([this, records, read, then] {
          if (read) {
            locations_->restore(*records);
            log::info("follow_me", "refreshed " + std::to_string(records->size()) + " endpoint records from the store");
          } else {
            log::warn("follow_me", "could not refresh from the store (" + read.error().message + "); taking over with what this controller knew");
          }
          then();
        });
      },
      store::WriteBehind::OnOutage::kReport);
}

void FollowMe::measure_utilisation(std::vector<std::string> argv, std::chrono::milliseconds interval) {
  auto on_reading = [this](const Result<UtilisationReading, std::string>& reading) {
    if (!reading) {
      if (worth_logging(++utilisation_failures_))
        log::warn("utilisation", "reading refused (" + std::to_string(utilisation_failures_) +
                                     " so far; the last readings stay): " + reading.error());
      return;
    }
    for (const auto& [dc, value] : *reading) {
      const auto last = utilisation_published_.find(dc);
      if (last != utilisation_published_.end() && std::abs(last->second - value) < 0.02) continue;
      utilisation_published_[dc] = value;
      bus_.publish(UtilisationMeasured{dc, value});
    }
  };
  utilisation_monitor_ = std::make_unique<UtilisationMonitor>(
      std::move(argv), interval, model_, [this](std::function<void()> fn) { post(std::move(fn)); }, std::move(on_reading));
}

void FollowMe::report_stored_events(StoredEventReport report) {
  report_stored_ = std::move(report);
  reporting_ = true;
}

std::optional<std::string> FollowMe::share(LocationMapper::Answers answers, std::vector<std::string> other_scopes) {
  mapper_->answer_for(std::move(answers));
  manipulator_->share({std::move(other_scopes), [writer = writer_.get()](const store::TunnelAck& ack) {
                         writer->submit([ack](store::Store& s) { return s.put_tunnel_ack(ack); });
                       }});
  if (migration_manager_)
    migration_manager_->reserve_ids_with([db = db_](std::int64_t count) -> std::optional<std::int64_t> {
      auto last = db->reserve("migrations", count);
      if (!last) log::error("store", last.error().message);
      return last ? std::optional<std::int64_t>(*last) : std::nullopt;
    });
  store::Feeds feeds{
      [this](const store::EndpointRecord& r, std::int64_t revision, bool ours) {
        post_effects([this, r, revision, ours] {
          locations_->apply_stored(r, revision, ours);
          return ctl::Effects{};
        });
      },
      [this](const store::MigrationRecord& r, bool ours) {
        if (ours) return;
        auto m = from_record(r);
        if (!m) return;
        post([this, m = *m] {
          // The VM may turn up at the target: expected there while the peer's migration runs.
          if (m.state == MigrationState::kRunning) migrations_.expect(m.vm, m.to_site);
          else if (m.state != MigrationState::kCompleted) migrations_.done(m.vm);
          if (migration_manager_) migration_manager_->observe(m);
        });
      },
      [](const std::string& what) { log::warn("store", what); },
      [this](const store::TunnelAck& ack, bool ours) {
        if (!ours) post_effects([this, ack] { return manipulator_->on_acknowledged(ack); });
      }};
  if (auto r = db_->follow(std::move(feeds)); !r) return r.error().message;
  shared_ = true;
  return std::nullopt;
}

void FollowMe::tick() {
  bus_.handle([this] {
    auto out = path_monitor_->tick();
    out.append(detector_->tick());
    out.append(manipulator_->tick());
    if (migration_manager_) migration_manager_->tick();
    mapper_->tick();
    return out;
  });
}

ctl::AppList FollowMe::apps() {
  ctl::AppList list;
  list.push_back(std::make_unique<SharedApp>(*dispatcher_));
  return list;
}

}  // namespace fmc

#include "fmc/migration/migration_manager.hpp"

#include "controller/log.hpp"

namespace fmc {

MigrationManager::MigrationManager(const model::NetworkModel& model, const LocationManager& locations,
                                   MigrationsInFlight& in_flight, EventBus& bus, migration::Driver& driver,
                                   Persist persist, const Clock& clock)
    : model_(model),
      locations_(locations),
      in_flight_(in_flight),
      bus_(bus),
      driver_(driver),
      persist_(std::move(persist)),
      clock_(clock) {}

void MigrationManager::on_event(const FmcEvent& e) {
  if (const auto* l = std::get_if<EndpointLocated>(&e)) on_located(*l);
}

void MigrationManager::restore(const std::vector<Migration>& saved) {
  for (const auto& m : saved) {
    history_[m.id] = m;
    next_id_ = std::max(next_id_, m.id + 1);
  }
  for (auto& [_, m] : history_) {
    // The controller stopped while it ran: nobody will report its end. A VM is looked
    // for; a part's copy (nothing answers for it) stays where it was.
    if (m.state == MigrationState::kRunning && model::ServiceSpec::is_part_id(m.vm))
      end(m, MigrationState::kFailed, "the controller restarted during the copy; the part stays at " + m.from_site);
    else if (m.state == MigrationState::kRunning)
      locate(m, "the controller restarted during the migration");
    if (m.state == MigrationState::kCompleted && model::ServiceSpec::is_part_id(m.vm)) part_dc_[m.vm] = m.to_site;
  }
}

void MigrationManager::locate(Migration& m, const std::string& why) {
  locating_[m.id] = Search{clock_.steady() + kLocateFor, why};
  m.detail = why + "; looking for " + m.vm + " at " + m.from_site + " and " + m.to_site;
  persist_(m);
  log::warn("migration", "migration " + std::to_string(m.id) + ": " + m.detail);
  step(m, MigrationPhase::kLocating);
}

void MigrationManager::on_located(const EndpointLocated& l) {
  for (auto it = locating_.begin(); it != locating_.end(); ++it) {
    auto& m = history_.at(it->first);
    if (m.vm != l.endpoint) continue;
    const std::string why = std::move(it->second.why);
    locating_.erase(it);
    end(m, l.site == m.to_site ? MigrationState::kCompleted : MigrationState::kFailed,
        why + "; " + m.vm + " answered at " + l.site);
    return;
  }
}

void MigrationManager::tick() {
  const auto now = clock_.steady();
  std::vector<std::pair<std::int64_t, Running*>> due;
  for (auto& [id, run] : running_)
    if (timeout_.count() > 0 && now - run.started >= timeout_ + (run.timed_out ? kGrace : std::chrono::seconds{0}) &&
        !run.abandoned)
      due.emplace_back(id, &run);
  for (auto [id, run] : due) {
    // (cancel or abandon may report the end at once, which erases `run`: flags first)
    const auto& m = history_.at(id);
    if (!run->timed_out) {
      run->timed_out = true;
      log::warn("migration", "migration " + std::to_string(id) + " of " + m.vm + " timed out after " +
                                 std::to_string(timeout_.count()) + " s; cancelling it");
      run->driver->cancel(run->id);
    } else {
      run->abandoned = true;
      log::warn("migration", "migration " + std::to_string(id) + " of " + m.vm + " did not end within " +
                                 std::to_string(kGrace.count()) + " s of being cancelled; killing its command");
      run->driver->abandon(run->id);
    }
  }
  for (auto it = locating_.begin(); it != locating_.end();) {
    if (now < it->second.until) {
      ++it;
      continue;
    }
    auto& m = history_.at(it->first);
    const std::string why = std::move(it->second.why);
    it = locating_.erase(it);
    end(m, MigrationState::kFailed, why + "; " + m.vm + " answered at neither " + m.from_site + " nor " + m.to_site +
                                        " within " + std::to_string(kLocateFor.count()) + " s");
  }
}

void MigrationManager::observe(const Migration& m) {
  if (running_.count(m.id)) return;  // ours
  history_[m.id] = m;
  if (m.state == MigrationState::kRunning) peers_running_[m.id] = m.vm;
  else peers_running_.erase(m.id);
  if (!reserve_) next_id_ = std::max(next_id_, m.id + 1);
  if (m.state == MigrationState::kCompleted && model::ServiceSpec::is_part_id(m.vm)) part_dc_[m.vm] = m.to_site;
}

Result<Migration, std::string> MigrationManager::start(const std::string& vm, const std::string& to,
                                                                    const std::string& cause) {
  const Endpoint* e = locations_.by_name(vm);
  if (!e || e->kind != store::EndpointKind::kVm) return Unexpected{"no VM named '" + vm + "'"};
  const model::Site* target = model_.site_named(to);
  if (!target || target->kind != model::SiteKind::kDataCenter) return Unexpected{"'" + to + "' is not a data center"};
  const model::SwitchSpec* sw = model_.switch_named(target->switch_name);
  if (!sw || !sw->ports.count(vm)) return Unexpected{"the switch of " + to + " has no port for " + vm + " in the configuration"};
  const std::string from = e->current ? e->current->site : e->home_site;
  if (from == to) return Unexpected{vm + " is already in " + to};
  if (auto id = running_for(vm)) return Unexpected{vm + " is already migrating (migration " + std::to_string(*id) + ")"};
  if (veto_)
    if (auto why = veto_(vm)) return Unexpected{*why};

  in_flight_.expect(vm, to);
  const model::VmSpec* spec = model_.vm_named(vm);
  auto launched = launch(vm, from, to, cause, driver_, spec ? spec->hypervisor : "");
  if (!launched) in_flight_.done(vm);
  return launched;
}

Result<Migration, std::string> MigrationManager::start_part(const std::string& service, const std::string& part,
                                                                         const std::string& to, const std::string& cause) {
  const model::ServiceSpec* s = nullptr;
  const model::ServicePart* p = nullptr;
  for (const auto& candidate : model_.services)
    if (candidate.name == service) s = &candidate;
  if (s)
    for (const auto& candidate : s->parts)
      if (candidate.name == part) p = &candidate;
  const std::string what = model::ServiceSpec::part_id(service, part);
  if (!p) return Unexpected{"no part named '" + what + "'"};
  if (!p->follows) return Unexpected{what + " is pinned to " + p->initial_dc};
  const model::Site* target = model_.site_named(to);
  if (!target || target->kind != model::SiteKind::kDataCenter) return Unexpected{"'" + to + "' is not a data center"};
  const std::string from = part_dc(*s, *p);
  if (from == to) return Unexpected{what + " is already in " + to};
  if (auto id = running_for(what)) return Unexpected{what + " is already moving (migration " + std::to_string(*id) + ")"};
  if (!transfers_) return Unexpected{std::string("no transfer driver is configured for services' parts")};
  return launch(what, from, to, cause, *transfers_, "part");
}

std::string MigrationManager::part_dc(const model::ServiceSpec& service, const model::ServicePart& part) const {
  auto it = part_dc_.find(model::ServiceSpec::part_id(service.name, part.name));
  return it == part_dc_.end() ? part.initial_dc : it->second;
}

Result<Migration, std::string> MigrationManager::launch(const std::string& what, const std::string& from,
                                                                     const std::string& to, const std::string& cause,
                                                                     migration::Driver& driver, const std::string& handle) {
  const auto taken = take_id();
  if (!taken) return Unexpected{std::string("no migration id could be reserved in the shared store; try again")};
  const std::int64_t id = *taken;
  Migration m{id, what, from, to, MigrationState::kRunning, clock_.wall_ms(), 0, cause};
  history_[id] = m;
  persist_(m);
  step(m, MigrationPhase::kStarted);
  const auto driver_id = driver.start(migration::Request{what, from, to, handle},
                                      {[this, id](migration::MigrationId, const migration::Result& r) { finished(id, r); },
                                       [this, id](migration::MigrationId) { switched_over(id); }});
  if (history_.at(id).state == MigrationState::kRunning) running_[id] = Running{&driver, driver_id, clock_.steady()};
  log::info("migration", "migration " + std::to_string(id) + ": " + what + " " + from + " -> " + to + " (" + cause + ")");
  return m;
}

std::optional<std::int64_t> MigrationManager::take_id() {
  constexpr std::int64_t kBlock = 100;
  if (reserve_ && next_id_ > block_last_) {
    const auto last = reserve_(kBlock);
    if (!last) return std::nullopt;
    next_id_ = *last - kBlock + 1;
    block_last_ = *last;
  }
  return next_id_++;
}

std::optional<std::int64_t> MigrationManager::running_for(const std::string& vm) const {
  for (const auto& [id, _] : running_)
    if (history_.at(id).vm == vm) return id;
  for (const auto& [id, _] : locating_)
    if (history_.at(id).vm == vm) return id;
  for (const auto& [id, m] : peers_running_)
    if (m == vm) return id;
  return std::nullopt;
}

bool MigrationManager::cancel(std::int64_t id) {
  auto it = running_.find(id);
  return it != running_.end() && it->second.driver->cancel(it->second.id);
}

void MigrationManager::switched_over(std::int64_t id) {
  if (!running_.count(id)) return;
  const auto& m = history_.at(id);
  log::info("migration", "migration " + std::to_string(id) + ": " + m.vm + " stopped at " + m.from_site +
                             " for its last copy; its traffic goes to " + m.to_site);
  step(m, MigrationPhase::kSwitchover);
}

void MigrationManager::finished(std::int64_t id, const migration::Result& r) {
  auto it = running_.find(id);
  const Running run = it != running_.end() ? it->second : Running{};
  if (it != running_.end()) running_.erase(it);
  auto& m = history_.at(id);
  std::string detail = r.detail;
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  if (detail.empty()) detail = m.detail;
  const std::string limit = "timed out after " + std::to_string(timeout_.count()) + " s";
  if (run.abandoned) return locate(m, limit + ", did not end when cancelled and its command was killed");
  MigrationState state = state_of(r.outcome);
  if (run.timed_out && state != MigrationState::kCompleted) {
    state = MigrationState::kFailed;
    detail = limit + " and was cancelled; " + detail;
  }
  end(m, state, detail, std::chrono::duration<double, std::milli>(r.downtime).count());
}

void MigrationManager::end(Migration& m, MigrationState state, const std::string& detail, double downtime_ms) {
  m.finished_ms = clock_.wall_ms();
  m.state = state;
  m.detail = detail;
  // Only a completed migration leaves the VM elsewhere; otherwise it stays
  // at its source and a "move" to the target would be a spoofing attempt.
  if (state != MigrationState::kCompleted) in_flight_.done(m.vm);
  else if (model::ServiceSpec::is_part_id(m.vm)) part_dc_[m.vm] = m.to_site;
  persist_(m);
  step(m, final_phase(m.state), downtime_ms);
  log::info("migration", "migration " + std::to_string(m.id) + " " + to_string(m.state) + " after " +
                             std::to_string(m.finished_ms - m.started_ms) + " ms");
}

void MigrationManager::step(const Migration& m, MigrationPhase phase, double downtime_ms) {
  bus_.publish(MigrationStep{m.id, m.vm, m.from_site, m.to_site, phase, downtime_ms, m.detail});
}

const Migration* MigrationManager::find(std::int64_t id) const {
  auto it = history_.find(id);
  return it == history_.end() ? nullptr : &it->second;
}

std::vector<Migration> MigrationManager::all() const {
  std::vector<Migration> out;
  for (const auto& [_, m] : history_) out.push_back(m);
  return out;
}

}  // namespace fmc

#include "fmc/placement/location_mapper.hpp"

#include "controller/log.hpp"
#include "fmc/migration/migration_manager.hpp"

namespace fmc {

namespace {
std::vector<std::string> access_network_names(const model::NetworkModel& m) {
  std::vector<std::string> out;
  for (const model::Site* s : m.sites_of(model::SiteKind::kAccessNetwork)) out.push_back(s->name);
  return out;
}
}  // namespace

LocationMapper::LocationMapper(const model::NetworkModel& model, const LocationManager& locations, EventBus& bus,
                               placement::DelayOf delay, const Clock& clock)
    : model_(model), locations_(locations), bus_(bus), delay_(std::move(delay)), clock_(clock) {
  set_settings(model.placement);
}

void LocationMapper::set_settings(const model::PlacementSettings& settings) {
  settings_ = settings;
  policy_ = placement::make_policy(settings_, access_network_names(model_), [this] { return now_s(); });
  for (auto& [name, j] : judged_) j.pending.reset();
}

std::string LocationMapper::dc_of(const std::string& vm) const {
  const Endpoint* e = locations_.by_name(vm);
  if (!e) {
    const model::VmSpec* spec = model_.vm_named(vm);
    return spec ? spec->home : "";
  }
  return e->current ? e->current->site : e->home_site;
}

void LocationMapper::on_event(const FmcEvent& e) {
  if (const auto* m = std::get_if<EndpointMoved>(&e)) {
    if (!model_.site_named(m->to.site) || model_.site_named(m->to.site)->kind != model::SiteKind::kAccessNetwork) return;
    if (policy_) policy_->user_moved(m->endpoint, m->from ? m->from->site : "", m->to.site, now_s());
    // Judged on the next tick, once every app has seen the move.
    for (const auto& s : model_.services)
      for (const auto& u : s.users)
        if (u == m->endpoint) due_.insert(s.name);
  } else if (const auto* u = std::get_if<UtilisationMeasured>(&e)) {
    utilisation_[u->dc] = u->utilisation;  // judged again on the next sweep
  } else if (const auto* step = std::get_if<MigrationStep>(&e)) {
    if (!left_vm_at_source(step->phase)) return;
    for (const auto& s : model_.services)
      if (s.vm == step->vm) judged_[s.name].hold_until_s = now_s() + settings_.retry_after_s;
    // A part is judged under its own name.
    if (model::ServiceSpec::is_part_id(step->vm)) judged_[step->vm].hold_until_s = now_s() + settings_.retry_after_s;
  }
}

std::optional<double> LocationMapper::measured_utilisation(const std::string& dc) const {
  const auto it = utilisation_.find(dc);
  return it == utilisation_.end() ? std::nullopt : std::optional(it->second);
}

void LocationMapper::tick() {
  // Services whose users moved or that wait out a dwell at once; all of them
  // each second (measured delays change).
  const double now = now_s();
  const bool sweep = now >= next_sweep_s_;
  if (sweep) next_sweep_s_ = now + 1;
  for (const auto& s : model_.services) {
    const auto j = judged_.find(s.name);
    if (sweep || due_.count(s.name) || (j != judged_.end() && j->second.pending)) judge(s);
  }
  due_.clear();
}

void LocationMapper::judge(const model::ServiceSpec& service) {
  if (!policy_) return;
  if (answers_ && !answers_(dc_of(service.vm))) return;  // another controller's to judge
  placement::ServiceView v;
  v.service = service.name;
  for (const auto& u : service.users) {
    const Endpoint* e = locations_.by_name(u);
    if (!e || !e->current) continue;
    v.users.push_back(u);
    v.user_sites.push_back(e->current->site);
  }
  const placement::UtilisationOf busy = [this](const model::Site& dc) {
    return measured_utilisation(dc.name).value_or(dc.utilisation);
  };
  v.scores = placement::score_data_centers(model_, settings_, delay_, v.user_sites, busy);
  v.cost_at = [this, busy](const std::string& access, const std::string& dc) -> std::optional<double> {
    const model::Site* site = model_.site_named(dc);
    return site ? placement::user_cost(settings_, delay_, access, *site, busy) : std::nullopt;
  };

  // The running VM, then every part that may follow the users: each placed on
  // its own, with what moving it costs.
  const model::VmSpec* vm = model_.vm_named(service.vm);
  v.current_dc = dc_of(service.vm);
  v.move_cost = vm ? placement::migration_cost(settings_, *vm) : 0;
  judge_unit(service, service.name, service.vm, v, [this, &service](const std::string& to) {
    return migrations_->start(service.vm, to, "location-mapper");
  });
  for (const auto& part : service.parts) {
    if (!part.follows) continue;
    const std::string id = model::ServiceSpec::part_id(service.name, part.name);
    v.current_dc = migrations_ ? migrations_->part_dc(service, part) : part.initial_dc;
    v.move_cost = placement::move_cost(settings_, part.size_mib, 0);
    judge_unit(service, id, id, v, [this, &service, &part](const std::string& to) {
      return migrations_->start_part(service.name, part.name, to, "location-mapper");
    });
  }
}

void LocationMapper::judge_unit(const model::ServiceSpec& service, const std::string& key, const std::string& what,
                                const placement::ServiceView& v, const Start& start) {
  Judged& j = judged_[key];
  const double now = now_s();
  PlacementDecision d{service.name, what, model::to_string(settings_.policy), v.current_dc, "", PlacementAction::kStay, "", {}, v.move_cost};
  for (const auto& s : v.scores) d.scores.emplace_back(s.dc, s.score);
  if (v.users.empty()) {
    d.reason = "none of the service's users is located";
    return publish(j, std::move(d));
  }
  if (migrations_ && migrations_->running_for(what)) {
    d.action = PlacementAction::kWait;
    d.reason = "a migration of it is running";
    return publish(j, std::move(d));
  }
  if (now < j.hold_until_s) {
    d.action = PlacementAction::kWait;
    d.reason = "holding after a failed or refused migration";
    return publish(j, std::move(d));
  }
  const placement::Verdict verdict = policy_->decide(v);
  d.reason = verdict.reason;
  if (!verdict.move_to) {
    j.pending.reset();
    return publish(j, std::move(d));
  }
  d.target_dc = *verdict.move_to;
  const bool dwell = settings_.policy != model::PlacementPolicyKind::kNearest;
  if (!j.pending || j.pending->to != d.target_dc) j.pending = Pending{d.target_dc, now};
  if (dwell && now - j.pending->since_s < settings_.dwell_s) {
    d.action = PlacementAction::kWait;
    d.reason += "; waiting out the dwell time";
    return publish(j, std::move(d));
  }
  j.pending.reset();
  if (!migrations_) {
    d.action = PlacementAction::kRefused;
    d.reason += "; no migration driver is configured";
    j.hold_until_s = now + settings_.retry_after_s;
    return publish(j, std::move(d));
  }
  d.action = PlacementAction::kMigrate;
  publish(j, d);
  if (auto started = start(d.target_dc); !started) {
    log::warn("location_mapper", service.name + ": moving " + what + " to " + d.target_dc + " refused: " + started.error());
    j.hold_until_s = now + settings_.retry_after_s;
    d.action = PlacementAction::kRefused;
    d.reason = started.error();
    publish(j, std::move(d));
  }
}

void LocationMapper::publish(Judged& j, PlacementDecision d) {
  const bool same = j.last && j.last->action == d.action && j.last->target_dc == d.target_dc &&
                    j.last->current_dc == d.current_dc && j.last->reason == d.reason;
  j.last = d;
  if (!same) bus_.publish(d);
}

std::vector<LocationMapper::ServiceState> LocationMapper::services() const {
  std::vector<ServiceState> out;
  for (const auto& s : model_.services) {
    ServiceState st{&s, dc_of(s.vm), std::nullopt, {}};
    if (auto it = judged_.find(s.name); it != judged_.end()) st.last = it->second.last;
    for (const auto& part : s.parts) {
      PartState ps{&part, migrations_ ? migrations_->part_dc(s, part) : part.initial_dc, std::nullopt};
      if (auto it = judged_.find(model::ServiceSpec::part_id(s.name, part.name)); it != judged_.end()) ps.last = it->second.last;
      st.parts.push_back(std::move(ps));
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace fmc

#include "fmc/events/event_json.hpp"

#include <nlohmann/json.hpp>

namespace fmc {

namespace {
nlohmann::json location(const Location& l) {
  return {{"site", l.site}, {"dpid", l.dpid.value}, {"port", l.port.value}};
}

// The event's own fields; `kind` gets its name.
nlohmann::json fields(const FmcEvent& e, std::string& kind) {
  if (const auto* m = std::get_if<EndpointMoved>(&e)) {
    kind = "EndpointMoved";
    return nlohmann::json{{"endpoint", m->endpoint},
                          {"from", m->from ? location(*m->from) : nlohmann::json(nullptr)},
                          {"to", location(m->to)},
                          {"cause", to_string(m->cause)},
                          {"at_home", m->at_home}};
  }
  if (const auto* m = std::get_if<MigrationStep>(&e)) {
    kind = "MigrationStep";
    return nlohmann::json{{"id", m->id},
                          {"vm", m->vm},
                          {"from", m->from_site},
                          {"to", m->to_site},
                          {"phase", to_string(m->phase)},
                          {"downtime_ms", m->downtime_ms},
                          {"detail", m->detail}};
  }
  if (const auto* d = std::get_if<PlacementDecision>(&e)) {
    nlohmann::json scores = nlohmann::json::object();
    for (const auto& [dc, score] : d->scores) scores[dc] = score;
    kind = "PlacementDecision";
    return nlohmann::json{{"service", d->service},    {"vm", d->vm},
                          {"policy", d->policy},      {"current", d->current_dc},
                          {"target", d->target_dc},   {"action", to_string(d->action)},
                          {"reason", d->reason},      {"scores", scores},
                          {"move_cost", d->move_cost}};
  }
  if (const auto* p = std::get_if<PathMeasured>(&e)) {
    kind = "PathMeasured";
    return nlohmann::json{{"access", p->access}, {"dc", p->dc}, {"delay_ms", p->delay_ms}};
  }
  if (const auto* r = std::get_if<FlowsRefused>(&e)) {
    kind = "FlowsRefused";
    return nlohmann::json{{"endpoint", r->endpoint},
                          {"site", r->site},
                          {"refused", r->refused},
                          {"table_full", r->table_full},
                          {"attempt", r->attempt}};
  }
  if (const auto* l = std::get_if<EndpointLocated>(&e)) {
    kind = "EndpointLocated";
    return nlohmann::json{{"endpoint", l->endpoint}, {"site", l->site}};
  }
  if (const auto* u = std::get_if<UtilisationMeasured>(&e)) {
    kind = "UtilisationMeasured";
    return nlohmann::json{{"dc", u->dc}, {"utilisation", u->utilisation}};
  }
  const auto& s = std::get<SecurityEvent>(e);
  kind = "SecurityEvent";
  return {{"kind", to_string(s.kind)}, {"detail", s.detail}, {"dpid", s.dpid.value}, {"port", s.port.value}};
}

}  // namespace

EventText event_json(const FmcEvent& e, std::optional<EventTime> at) {
  EventText t;
  nlohmann::json j = fields(e, t.kind);
  if (at) {
    j["at_ms"] = at->wall_ms;
    j["steady_us"] = at->steady_us;
  }
  t.json = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return t;
}

}  // namespace fmc

#include "fmc/events/event_json.hpp"

#include <nlohmann/json.hpp>

namespace fmc {

namespace {
nlohmann::json location(const Location& l) {
  return {{"site", l.site}, {"dpid", l.dpid.value}, {"port", l.port.value}};
}
}  // namespace

EventText event_json(const FmcEvent& e) {
  if (const auto* m = std::get_if<EndpointMoved>(&e)) {
    nlohmann::json j{{"endpoint", m->endpoint},
                     {"from", m->from ? location(*m->from) : nlohmann::json(nullptr)},
                     {"to", location(m->to)},
                     {"cause", to_string(m->cause)},
                     {"at_home", m->at_home}};
    return {"EndpointMoved", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  if (const auto* m = std::get_if<MigrationStep>(&e)) {
    nlohmann::json j{{"id", m->id},   {"vm", m->vm},       {"from", m->from_site},        {"to", m->to_site},
                     {"phase", to_string(m->phase)}, {"downtime_ms", m->downtime_ms}, {"detail", m->detail}};
    return {"MigrationStep", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  if (const auto* d = std::get_if<PlacementDecision>(&e)) {
    nlohmann::json scores = nlohmann::json::object();
    for (const auto& [dc, score] : d->scores) scores[dc] = score;
    nlohmann::json j{{"service", d->service}, {"vm", d->vm},         {"policy", d->policy},
                     {"current", d->current_dc}, {"target", d->target_dc}, {"action", to_string(d->action)},
                     {"reason", d->reason},   {"scores", scores},   {"move_cost", d->move_cost}};
    return {"PlacementDecision", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  if (const auto* p = std::get_if<PathMeasured>(&e)) {
    nlohmann::json j{{"access", p->access}, {"dc", p->dc}, {"delay_ms", p->delay_ms}};
    return {"PathMeasured", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  if (const auto* r = std::get_if<FlowsRefused>(&e)) {
    nlohmann::json j{{"endpoint", r->endpoint}, {"site", r->site}, {"refused", r->refused},
                     {"table_full", r->table_full}, {"attempt", r->attempt}};
    return {"FlowsRefused", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  if (const auto* l = std::get_if<EndpointLocated>(&e)) {
    nlohmann::json j{{"endpoint", l->endpoint}, {"site", l->site}};
    return {"EndpointLocated", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  const auto& s = std::get<SecurityEvent>(e);
  nlohmann::json j{{"kind", to_string(s.kind)}, {"detail", s.detail}, {"dpid", s.dpid.value}, {"port", s.port.value}};
  return {"SecurityEvent", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace fmc

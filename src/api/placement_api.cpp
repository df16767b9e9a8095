#include "api/placement_api.hpp"

#include <algorithm>
#include <span>

#include "api/json_response.hpp"
#include "fmc/model/placement_settings.hpp"

namespace fmc::api {

using nlohmann::json;

namespace {

json direction_json(const PathMonitor::Direction& d) {
  return {{"delay_ms", d.smoothed_ms ? json(*d.smoothed_ms) : json(nullptr)},
          {"sent", d.sent},
          {"received", d.received},
          {"lost", d.lost}};
}

HttpResponse paths(const ApiContext& ctx) {
  json list = json::array();
  for (const auto& p : ctx.path_monitor.paths()) {
    const auto configured = ctx.model.wan_delay(p.access, p.dc);
    list.push_back({{"access", p.access},
                    {"dc", p.dc},
                    {"rtt_ms", p.rtt_ms ? json(*p.rtt_ms) : json(nullptr)},
                    {"configured_rtt_ms", configured ? json(*configured) : json(nullptr)},
                    {"to_dc", direction_json(p.to_dc)},
                    {"to_access", direction_json(p.to_access)}});
  }
  json uplinks = json::array();
  for (const auto& s : ctx.model.sites)
    if (const auto load = ctx.path_monitor.uplink_load(s.name))
      uplinks.push_back({{"site", s.name}, {"rx_mbps", load->rx_mbps}, {"tx_mbps", load->tx_mbps}});
  return json_response({{"paths", list}, {"uplinks", uplinks}, {"interval_ms", ctx.model.path_monitor.interval_ms}});
}

json decision_json(const PlacementDecision& d) {
  json scores = json::object();
  for (const auto& [dc, score] : d.scores) scores[dc] = score;
  return {{"action", to_string(d.action)}, {"target", d.target_dc}, {"reason", d.reason}, {"policy", d.policy},
          {"scores", scores},   {"move_cost", d.move_cost}};
}

HttpResponse services(const ApiContext& ctx) {
  json list = json::array();
  for (const auto& s : ctx.mapper.services()) {
    json users = json::array();
    for (const auto& u : s.spec->users) {
      const Endpoint* e = ctx.locations.by_name(u);
      users.push_back({{"name", u}, {"site", e && e->current ? json(e->current->site) : json(nullptr)}});
    }
    json parts = json::array();
    for (const auto& p : s.parts)
      parts.push_back({{"name", p.spec->name},
                       {"size_mib", p.spec->size_mib},
                       {"follows", p.spec->follows},
                       {"data_center", p.current_dc},
                       {"last_decision", p.last ? decision_json(*p.last) : json(nullptr)}});
    list.push_back({{"name", s.spec->name},
                    {"vm", s.spec->vm},
                    {"data_center", s.current_dc},
                    {"users", users},
                    {"last_decision", s.last ? decision_json(*s.last) : json(nullptr)},
                    {"parts", parts}});
  }
  return json_response({{"services", list}});
}

// The settings' number `n` from `j` into `s`, if `j` holds it.
std::optional<std::string> read(const json& j, const model::PlacementNumber& n, const std::string& prefix,
                                model::PlacementSettings& s) {
  if (!j.contains(n.key)) return std::nullopt;
  const json& v = j[n.key];
  const std::string what = prefix + n.key;
  if (!v.is_number()) return what + " must be a number";
  if (auto why = model::out_of_range(n, v.get<double>(), what)) return why;
  s.*n.field = v.get<double>();
  return std::nullopt;
}

std::optional<std::string> unknown_key(const json& j, std::span<const char* const> keys, const std::string& prefix) {
  for (const auto& [key, _] : j.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) return "unknown key '" + prefix + key + "'";
  return std::nullopt;
}

}  // namespace

json policy_json(const model::PlacementSettings& s) {
  return {{"policy", model::to_string(s.policy)},
          {"weights",
           {{"delay", s.weight_delay}, {"utilisation", s.weight_utilisation}, {"cost", s.weight_cost}, {"preferred", s.weight_preferred}}},
          {"preferred_providers", s.preferred_providers},
          {"hysteresis", s.hysteresis},
          {"dwell_s", s.dwell_s},
          {"horizon_s", s.horizon_s},
          {"discount", s.discount},
          {"link_mbps", s.link_mbps},
          {"expected_downtime_ms", s.expected_downtime_ms},
          {"migration_weight", s.migration_weight},
          {"retry_after_s", s.retry_after_s}};
}

std::optional<std::string> apply_policy_json(const json& j, model::PlacementSettings& target) {
  if (auto why = unknown_key(j, model::placement_keys(), "")) return why;
  model::PlacementSettings s = target;
  if (j.contains("policy")) {
    if (!j["policy"].is_string()) return "policy must be one of off, nearest, threshold, mdp";
    const auto name = j["policy"].get<std::string>();
    if (auto why = model::unknown_policy(name, "policy")) return why;
    s.policy = *model::placement_policy_from_string(name);
  }
  if (j.contains("weights")) {
    const json& w = j["weights"];
    if (!w.is_object()) return "weights must be an object";
    if (auto why = unknown_key(w, model::placement_weight_keys(), "weights.")) return why;
    for (const auto& weight : model::placement_weights())
      if (auto why = read(w, weight, "weights.", s)) return why;
  }
  if (j.contains("preferred_providers")) {
    const json& p = j["preferred_providers"];
    if (!p.is_array()) return "preferred_providers must be a list of names";
    s.preferred_providers.clear();
    for (const auto& v : p) {
      if (!v.is_string()) return "preferred_providers must be a list of names";
      s.preferred_providers.push_back(v.get<std::string>());
    }
  }
  for (const auto& number : model::placement_numbers())
    if (auto why = read(j, number, "", s)) return why;
  target = s;
  return std::nullopt;
}

HttpResponse placement_resource(const ApiContext& ctx, const HttpRequest& r, const std::string& resource) {
  if (resource == "policy" && r.method == "PUT") {
    HttpResponse error;
    auto body = json_body(r, error);
    if (!body) return error;
    model::PlacementSettings s = ctx.mapper.settings();
    if (auto why = apply_policy_json(*body, s)) return problem(400, *why);
    ctx.mapper.set_settings(s);
    return json_response(policy_json(ctx.mapper.settings()));
  }
  if (r.method != "GET") return problem(405, r.method + " is not supported on " + r.path);
  if (resource == "paths") return paths(ctx);
  if (resource == "services") return services(ctx);
  if (resource == "policy") return json_response(policy_json(ctx.mapper.settings()));
  return problem(404, "no resource " + r.path);
}

}  // namespace fmc::api

#include "api/mec_app_mobility.hpp"

#include <algorithm>

#include "api/json_response.hpp"

namespace fmc::api {

using nlohmann::json;

namespace {

const std::string kBase = "/amsi/v1";
// APP_MOBILITY_WITH_CONFIRMATION is refused by name: a migration here never waits for an
// application's answer, so accepting it would promise what is not done.
const char* kLevels[] = {"APP_MOBILITY_NOT_ALLOWED", "APP_MOBILITY_WITHOUT_CONFIRMATION"};
const char* kStatuses[] = {"INTERHOST_MOVEOUT_TRIGGERED", "INTERHOST_MOVEOUT_COMPLETED", "INTERHOST_MOVEOUT_FAILED"};

template <class Array>
bool one_of(const Array& options, const std::string& v) {
  return std::find_if(std::begin(options), std::end(options), [&](const char* o) { return v == o; }) != std::end(options);
}

const std::string* string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

}  // namespace

HttpResponse AppMobilityService::handle(const HttpRequest& r, const std::vector<std::string>& parts) {
  if (!parts.empty() && parts[0] == "app_mobility_services") return services(r, parts);
  if (!parts.empty() && parts[0] == "subscriptions") return subscriptions(r, parts);
  if (parts.size() == 2 && parts[0] == "queries" && parts[1] == "adjacent_app_instances") {
    if (r.method != "GET") return problem(405, r.method + " is not supported on " + r.path);
    return adjacent(r);
  }
  return problem(404, "no resource " + r.path);
}

std::optional<std::string> AppMobilityService::check_registration(const json& j) const {
  const json consumer = j.value("serviceConsumerId", json::object());
  const std::string* app = consumer.is_object() ? string_at(consumer, "appInstanceId") : nullptr;
  if (!app) return "serviceConsumerId.appInstanceId is required";
  const Endpoint* vm = ctx_.locations.by_name(*app);
  if (!vm || vm->kind != store::EndpointKind::kVm) return "appInstanceId '" + *app + "' is not a known service VM";
  if (j.contains("deviceInformation")) {
    if (!j["deviceInformation"].is_array()) return "deviceInformation must be a list";
    for (const auto& d : j["deviceInformation"]) {
      const json a = d.is_object() ? d.value("associateId", json::object()) : json();
      const std::string* type = a.is_object() ? string_at(a, "type") : nullptr;
      const std::string* value = a.is_object() ? string_at(a, "value") : nullptr;
      if (!type || !value || *type != "UE_IPv4_ADDRESS" || !net::Ipv4Addr::parse(*value))
        return "each deviceInformation needs associateId {type: UE_IPv4_ADDRESS, value: <IPv4 address>}";
      const std::string* level = string_at(d, "appMobilityServiceLevel");
      if (level && *level == "APP_MOBILITY_WITH_CONFIRMATION")
        return "appMobilityServiceLevel APP_MOBILITY_WITH_CONFIRMATION is not supported: this controller does not "
               "wait for an application's confirmation before a migration; use APP_MOBILITY_NOT_ALLOWED (no "
               "migration) or APP_MOBILITY_WITHOUT_CONFIRMATION";
      if (!level || !one_of(kLevels, *level))
        return "appMobilityServiceLevel must be APP_MOBILITY_NOT_ALLOWED or APP_MOBILITY_WITHOUT_CONFIRMATION";
    }
  }
  return std::nullopt;
}

HttpResponse AppMobilityService::services(const HttpRequest& r, const std::vector<std::string>& parts) {
  const std::string base = kBase + "/app_mobility_services";
  if (parts.size() > 2) return problem(404, "no resource " + r.path);
  if (parts.size() == 2) {
    auto it = registrations_.find(parts[1]);
    if (it == registrations_.end()) return problem(404, "no application mobility service " + parts[1]);
    if (r.method == "GET") return json_response(it->second.body);
    if (r.method == "DELETE") {
      registrations_.erase(it);
      return HttpResponse{204, "", "", {}};
    }
    if (r.method == "PUT") {
      HttpResponse error;
      auto body = json_body(r, error);
      if (!body) return error;
      if (auto why = check_registration(*body)) return problem(400, *why);
      (*body)["appMobilityServiceId"] = it->first;
      it->second.app_instance = (*body)["serviceConsumerId"]["appInstanceId"];
      it->second.body = *body;
      return json_response(*body);
    }
    return problem(405, r.method + " is not supported on " + r.path);
  }
  if (r.method == "GET") {
    json list = json::array();
    for (const auto& [_, reg] : registrations_) list.push_back(reg.body);
    return json_response(list);
  }
  if (r.method != "POST") return problem(405, r.method + " is not supported on " + r.path);
  HttpResponse error;
  auto body = json_body(r, error);
  if (!body) return error;
  if (auto why = check_registration(*body)) return problem(400, *why);
  Registration reg;
  reg.id = "ams-" + std::to_string(next_id_++);
  reg.app_instance = (*body)["serviceConsumerId"]["appInstanceId"];
  (*body)["appMobilityServiceId"] = reg.id;
  reg.body = *body;
  registrations_[reg.id] = reg;
  HttpResponse resp = json_response(reg.body, 201);
  resp.headers.emplace_back("Location", base + "/" + reg.id);
  return resp;
}

HttpResponse AppMobilityService::subscriptions(const HttpRequest& r, const std::vector<std::string>& parts) {
  const std::string base = kBase + "/subscriptions";
  if (parts.size() > 2) return problem(404, "no resource " + r.path);
  if (parts.size() == 2) {
    auto it = subs_.find(parts[1]);
    if (it == subs_.end()) return problem(404, "no subscription " + parts[1]);
    if (r.method == "GET") return json_response(it->second.body);
    if (r.method == "DELETE") {
      subs_.erase(it);
      return HttpResponse{204, "", "", {}};
    }
    return problem(405, r.method + " is not supported on " + r.path);
  }
  if (r.method == "GET") {
    json links = json::array();
    for (const auto& [id, s] : subs_)
      links.push_back({{"href", base + "/" + id}, {"subscriptionType", "MobilityProcedureSubscription"}});
    return json_response({{"_links", {{"self", {{"href", base}}}}}, {"subscription", links}});
  }
  if (r.method != "POST") return problem(405, r.method + " is not supported on " + r.path);
  HttpResponse error;
  auto body = json_body(r, error);
  if (!body) return error;
  const std::string* type = string_at(*body, "subscriptionType");
  if (!type || *type != "MobilityProcedureSubscription") return problem(400, "subscriptionType must be MobilityProcedureSubscription");
  const std::string* callback = string_at(*body, "callbackReference");
  if (!callback) return problem(400, "callbackReference (a URL) is required");
  auto url = parse_callback_url(*callback);
  if (!url) return problem(400, "callbackReference must be http://host[:port]/path, got '" + *callback + "'");
  Subscription s;
  s.callback = *callback;
  s.url = *url;
  const json filter = body->value("filterCriteria", json::object());
  if (!filter.is_object()) return problem(400, "filterCriteria must be an object");
  if (const std::string* app = string_at(filter, "appInstanceId")) s.app_instance = *app;
  if (filter.contains("associateId")) {
    if (!filter["associateId"].is_array()) return problem(400, "filterCriteria.associateId must be a list");
    for (const auto& a : filter["associateId"]) {
      const std::string* value = a.is_object() ? string_at(a, "value") : nullptr;
      if (!value) return problem(400, "each associateId needs a value");
      s.associates.insert(*value);
    }
  }
  if (filter.contains("mobilityStatus")) {
    if (!filter["mobilityStatus"].is_array()) return problem(400, "filterCriteria.mobilityStatus must be a list");
    for (const auto& st : filter["mobilityStatus"]) {
      if (!st.is_string() || !one_of(kStatuses, st.get<std::string>()))
        return problem(400, "mobilityStatus holds INTERHOST_MOVEOUT_TRIGGERED, _COMPLETED or _FAILED");
      s.statuses.insert(st.get<std::string>());
    }
  }
  s.id = "sub-" + std::to_string(next_id_++);
  (*body)["_links"] = {{"self", {{"href", base + "/" + s.id}}}};
  s.body = *body;
  subs_[s.id] = s;
  HttpResponse resp = json_response(s.body, 201);
  resp.headers.emplace_back("Location", base + "/" + s.id);
  return resp;
}

HttpResponse AppMobilityService::adjacent(const HttpRequest& r) const {
  // The same service at the other data centers: where it could be relocated to.
  auto it = r.query.find("appInstanceId");
  if (it == r.query.end()) return problem(400, "appInstanceId is required");
  const Endpoint* vm = ctx_.locations.by_name(it->second);
  if (!vm || vm->kind != store::EndpointKind::kVm) return problem(404, "no application instance " + it->second);
  const std::string here = vm->current ? vm->current->site : vm->home_site;
  json list = json::array();
  for (const model::Site* dc : ctx_.model.sites_of(model::SiteKind::kDataCenter)) {
    if (dc->name == here) continue;
    const model::SwitchSpec* sw = ctx_.model.switch_named(dc->switch_name);
    if (!sw || !sw->ports.count(vm->name)) continue;
    list.push_back({{"appDId", vm->name},
                    {"appInstanceId", vm->name + "@" + dc->name},
                    {"appInstanceCommLink", {{"host", vm->ip ? vm->ip->to_string() : ""}, {"port", 0}}},
                    {"mecHostInformation", {{"hostId", dc->name}, {"hostName", dc->name}}}});
  }
  return json_response(list);
}

std::optional<std::string> AppMobilityService::veto(const std::string& vm) const {
  for (const auto& [id, reg] : registrations_) {
    if (reg.app_instance != vm || !reg.body.contains("deviceInformation")) continue;
    for (const auto& d : reg.body["deviceInformation"])
      if (d.value("appMobilityServiceLevel", "") == "APP_MOBILITY_NOT_ALLOWED")
        return "MEC 021 registration " + id + " does not allow moving " + vm;
  }
  return std::nullopt;
}

void AppMobilityService::on_event(const FmcEvent& e) {
  const auto* m = std::get_if<MigrationStep>(&e);
  // MEC 021 speaks of application instances (VMs), and has no status for a switchover.
  if (!m || subs_.empty() || m->phase == MigrationPhase::kSwitchover || !ctx_.locations.by_name(m->vm)) return;
  const std::string status = m->phase == MigrationPhase::kStarted ? "INTERHOST_MOVEOUT_TRIGGERED"
                             : m->phase == MigrationPhase::kCompleted ? "INTERHOST_MOVEOUT_COMPLETED"
                                                       : "INTERHOST_MOVEOUT_FAILED";
  // The devices registered for this application instance.
  json associates = json::array();
  std::set<std::string> addresses;
  for (const auto& [_, reg] : registrations_) {
    if (reg.app_instance != m->vm || !reg.body.contains("deviceInformation")) continue;
    for (const auto& d : reg.body["deviceInformation"]) {
      associates.push_back(d["associateId"]);
      addresses.insert(d["associateId"]["value"].get<std::string>());
    }
  }
  const Endpoint* vm = ctx_.locations.by_name(m->vm);
  for (const auto& [id, s] : subs_) {
    if (!s.app_instance.empty() && s.app_instance != m->vm) continue;
    if (!s.statuses.empty() && !s.statuses.count(status)) continue;
    if (!s.associates.empty() && std::none_of(s.associates.begin(), s.associates.end(),
                                              [&](const std::string& a) { return addresses.count(a) > 0; }))
      continue;
    json n{{"notificationType", "MobilityProcedureNotification"},
           {"timeStamp", mec_timestamp(ctx_.clock.wall_ms())},
           {"associateId", associates},
           {"mobilityStatus", status},
           {"targetAppInfo", {{"appInstanceId", m->vm + "@" + m->to_site},
                              {"commInterface", {{"ipAddresses", json::array({{{"host", vm && vm->ip ? vm->ip->to_string() : ""}, {"port", 0}}})}}}}},
           {"_links", {{"subscription", {{"href", kBase + "/subscriptions/" + id}}}}}};
    sink_.notify(s.url, dump(n));
  }
}

}  // namespace fmc::api

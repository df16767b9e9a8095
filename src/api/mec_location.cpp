#include "api/mec_location.hpp"

#include <algorithm>
#include <charconv>

#include "api/json_response.hpp"

namespace fmc::api {

using nlohmann::json;

namespace {

const std::string kBase = "/location/v2";

std::string access_point_id(const model::Site& s, of::PortNo p) { return s.switch_name + ":" + std::to_string(p.value); }

std::vector<std::string> comma_list(const HttpRequest& r, const char* key) {
  std::vector<std::string> values;
  if (auto it = r.query.find(key); it != r.query.end()) {
    std::string_view v = it->second;
    while (!v.empty()) {
      const auto comma = v.find(',');
      values.emplace_back(v.substr(0, comma));
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
  }
  return values;
}

bool valid_address(const std::string& a) { return a.rfind("acr:", 0) == 0 && net::Ipv4Addr::parse(a.substr(4)); }

const char* kEvents[] = {"Entering", "Leaving", "Transferring"};

}  // namespace

HttpResponse LocationService::handle(const HttpRequest& r, const std::vector<std::string>& parts) {
  if (!parts.empty() && parts[0] == "subscriptions") return subscriptions(r, parts);
  if (r.method != "GET") return problem(405, r.method + " is not supported on " + r.path);
  if (parts.size() == 2 && parts[0] == "queries" && parts[1] == "users") return users(r);
  if (parts.size() >= 2 && parts[0] == "queries" && parts[1] == "zones") return zones(parts);
  return problem(404, "no resource " + r.path);
}

HttpResponse LocationService::users(const HttpRequest& r) const {
  const auto zones = comma_list(r, "zoneId"), aps = comma_list(r, "accessPointId"), addresses = comma_list(r, "address");
  for (const auto& a : addresses)
    if (!valid_address(a)) return problem(400, "address must be acr:<IPv4 address>, got '" + a + "'");
  const auto wanted = [](const std::vector<std::string>& set, const std::string& v) {
    return set.empty() || std::find(set.begin(), set.end(), v) != set.end();
  };
  json users = json::array();
  for (const Endpoint* e : ctx_.locations.all()) {
    if (e->kind != store::EndpointKind::kClient || !e->current || !e->ip) continue;
    const model::Site* site = ctx_.model.site_named(e->current->site);
    if (!site) continue;
    const std::string address = "acr:" + e->ip->to_string(), ap = access_point_id(*site, e->current->port);
    if (!wanted(zones, site->name) || !wanted(aps, ap) || !wanted(addresses, address)) continue;
    users.push_back({{"address", address},
                     {"accessPointId", ap},
                     {"zoneId", site->name},
                     {"resourceURL", kBase + "/queries/users?address=" + address},
                     {"timestamp", mec_timestamp(ctx_.clock.wall_ms())},
                     {"locationInfo", {{"latitude", {site->latitude}}, {"longitude", {site->longitude}}, {"shape", 2}}}});
  }
  std::sort(users.begin(), users.end(), [](const json& a, const json& b) { return a["address"] < b["address"]; });
  if (!addresses.empty() && users.empty()) return problem(404, "none of the addresses is a located user");
  return json_response({{"userList", {{"user", users}, {"resourceURL", kBase + "/queries/users"}}}});
}

HttpResponse LocationService::zones(const std::vector<std::string>& parts) const {
  const auto users_at = [&](const model::Site& s, std::optional<of::PortNo> port) {
    int n = 0;
    for (const Endpoint* e : ctx_.locations.all())
      n += e->kind == store::EndpointKind::kClient && e->current && e->current->site == s.name && (!port || e->current->port == *port);
    return n;
  };
  const auto client_ports = [&](const model::Site& s) {
    std::set<std::uint32_t> ports;
    const auto uplink = ctx_.model.uplink_port(s);
    if (const model::SwitchSpec* sw = ctx_.model.switch_named(s.switch_name))
      for (const auto& [_, p] : sw->ports)
        if (p != uplink) ports.insert(p.value);
    for (const Endpoint* e : ctx_.locations.all())
      if (e->current && e->current->site == s.name) ports.insert(e->current->port.value);
    return ports;
  };
  const auto connected = [&](const model::Site& s) {
    const model::SwitchSpec* sw = ctx_.model.switch_named(s.switch_name);
    return sw && ctx_.switches.connected(sw->dpid);
  };
  const auto zone_json = [&](const model::Site& s) {
    const auto n = static_cast<int>(client_ports(s).size());
    return json{{"zoneId", s.name},
                {"numberOfAccessPoints", n},
                {"numberOfUnserviceableAccessPoints", connected(s) ? 0 : n},
                {"numberOfUsers", users_at(s, std::nullopt)},
                {"resourceURL", kBase + "/queries/zones/" + s.name}};
  };
  if (parts.size() == 2) {
    json zones = json::array();
    for (const model::Site* s : ctx_.model.sites_of(model::SiteKind::kAccessNetwork)) zones.push_back(zone_json(*s));
    return json_response({{"zoneList", {{"zone", zones}, {"resourceURL", kBase + "/queries/zones"}}}});
  }
  const model::Site* site = ctx_.model.site_named(parts[2]);
  if (!site || site->kind != model::SiteKind::kAccessNetwork) return problem(404, "no zone " + parts[2]);
  if (parts.size() == 3) return json_response({{"zoneInfo", zone_json(*site)}});
  if (parts[3] != "accessPoints" || parts.size() > 5) return problem(404, "no such zone resource");
  json aps = json::array();
  for (std::uint32_t p : client_ports(*site)) {
    const std::string id = access_point_id(*site, of::PortNo{p});
    if (parts.size() == 5 && parts[4] != id) continue;
    aps.push_back({{"accessPointId", id},
                   {"connectionType", "Wifi"},
                   {"operationStatus", connected(*site) ? "Serviceable" : "Unserviceable"},
                   {"numberOfUsers", users_at(*site, of::PortNo{p})},
                   {"resourceURL", kBase + "/queries/zones/" + site->name + "/accessPoints/" + id}});
  }
  if (parts.size() == 5) {
    if (aps.empty()) return problem(404, "no access point " + parts[4] + " in " + site->name);
    return json_response({{"accessPointInfo", aps[0]}});
  }
  return json_response({{"accessPointList",
                         {{"zoneId", site->name}, {"accessPoint", aps}, {"resourceURL", kBase + "/queries/zones/" + site->name + "/accessPoints"}}}});
}

HttpResponse LocationService::subscriptions(const HttpRequest& r, const std::vector<std::string>& parts) {
  if (parts.size() < 2 || (parts[1] != "userTracking" && parts[1] != "zonalTraffic") || parts.size() > 3)
    return problem(404, "no resource " + r.path);
  const std::string type = parts[1];
  const std::string object = type + "Subscription";
  const std::string base = kBase + "/subscriptions/" + type;
  const auto to_json = [&](const Subscription& s) {
    json j{{"clientCorrelator", s.client_correlator},
           {"callbackReference", {{"notifyURL", s.notify_url}, {"callbackData", s.callback_data}}},
           {"userEventCriteria", s.criteria},
           {"resourceURL", base + "/" + std::to_string(s.id)}};
    j[type == "userTracking" ? "address" : "zoneId"] = s.subject;
    return j;
  };
  if (parts.size() == 3) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), id);
    auto it = ec == std::errc() && end == parts[2].data() + parts[2].size() ? subs_.find(id) : subs_.end();
    if (it == subs_.end() || it->second.type != type) return problem(404, "no subscription " + r.path);
    if (r.method == "GET") return json_response({{object, to_json(it->second)}});
    if (r.method == "DELETE") {
      subs_.erase(it);
      return HttpResponse{204, "", "", {}};
    }
    return problem(405, r.method + " is not supported on " + r.path);
  }
  if (r.method == "GET") {
    json list = json::array();
    for (const auto& [_, s] : subs_)
      if (s.type == type) list.push_back(to_json(s));
    return json_response({{"notificationSubscriptionList", {{object, list}, {"resourceURL", base}}}});
  }
  if (r.method != "POST") return problem(405, r.method + " is not supported on " + r.path);
  HttpResponse error;
  auto body = json_body(r, error);
  if (!body) return error;
  if (!body->contains(object) || !(*body)[object].is_object()) return problem(400, "expected {\"" + object + "\": {...}}");
  const json& j = (*body)[object];
  Subscription s;
  s.type = type;
  const json cb = j.value("callbackReference", json::object());
  if (!cb.is_object() || !cb.contains("notifyURL") || !cb["notifyURL"].is_string()) return problem(400, "callbackReference.notifyURL is required");
  s.notify_url = cb["notifyURL"];
  auto url = parse_callback_url(s.notify_url);
  if (!url) return problem(400, "notifyURL must be http://host[:port]/path, got '" + s.notify_url + "'");
  s.url = *url;
  if (cb.contains("callbackData") && cb["callbackData"].is_string()) s.callback_data = cb["callbackData"];
  if (j.contains("clientCorrelator") && j["clientCorrelator"].is_string()) s.client_correlator = j["clientCorrelator"];
  const char* subject_key = type == "userTracking" ? "address" : "zoneId";
  if (!j.contains(subject_key) || !j[subject_key].is_string()) return problem(400, std::string(subject_key) + " is required");
  s.subject = j[subject_key];
  if (type == "userTracking" && !valid_address(s.subject)) return problem(400, "address must be acr:<IPv4 address>");
  if (type == "zonalTraffic") {
    const model::Site* zone = ctx_.model.site_named(s.subject);
    if (!zone || zone->kind != model::SiteKind::kAccessNetwork) return problem(400, "no zone " + s.subject);
  }
  if (j.contains("userEventCriteria")) {
    if (!j["userEventCriteria"].is_array()) return problem(400, "userEventCriteria must be a list");
    for (const auto& c : j["userEventCriteria"]) {
      if (!c.is_string() || std::find(std::begin(kEvents), std::end(kEvents), c.get<std::string>()) == std::end(kEvents))
        return problem(400, "userEventCriteria holds Entering, Leaving or Transferring");
      s.criteria.insert(c.get<std::string>());
    }
  }
  if (s.criteria.empty()) s.criteria = {std::begin(kEvents), std::end(kEvents)};
  s.id = next_id_++;
  subs_[s.id] = s;
  HttpResponse resp = json_response({{object, to_json(s)}}, 201);
  resp.headers.emplace_back("Location", base + "/" + std::to_string(s.id));
  return resp;
}

void LocationService::on_event(const FmcEvent& e) {
  const auto* m = std::get_if<EndpointMoved>(&e);
  if (!m || subs_.empty()) return;
  const Endpoint* ep = ctx_.locations.by_name(m->endpoint);
  if (!ep || ep->kind != store::EndpointKind::kClient || !ep->ip) return;
  const std::string address = "acr:" + ep->ip->to_string();
  const model::Site* to = ctx_.model.site_named(m->to.site);
  const model::Site* from = m->from ? ctx_.model.site_named(m->from->site) : nullptr;
  if (!to) return;
  const std::string current_ap = access_point_id(*to, m->to.port);
  const std::string previous_ap = from ? access_point_id(*from, m->from->port) : "";
  // (zone, event) pairs this move makes.
  std::vector<std::pair<std::string, std::string>> happened;
  if (from && from->name == to->name) {
    happened.emplace_back(to->name, "Transferring");
  } else {
    if (from) happened.emplace_back(from->name, "Leaving");
    happened.emplace_back(to->name, "Entering");
  }
  for (const auto& [_, s] : subs_)
    for (const auto& [zone, event] : happened) {
      const bool subject = s.type == "userTracking" ? s.subject == address : s.subject == zone;
      if (subject && s.criteria.count(event)) notify(s, zone, address, event, current_ap, previous_ap);
    }
}

void LocationService::notify(const Subscription& s, const std::string& zone, const std::string& address,
                             const std::string& event, const std::string& current_ap, const std::string& previous_ap) {
  json n{{"callbackData", s.callback_data},
         {"zoneId", zone},
         {"address", address},
         {"userEventType", event},
         {"currentAccessPointId", current_ap},
         {"previousAccessPointId", previous_ap},
         {"timestamp", mec_timestamp(ctx_.clock.wall_ms())},
         {"link", json::array({{{"rel", s.type == "userTracking" ? "UserTrackingSubscription" : "ZonalTrafficSubscription"},
                                {"href", kBase + "/subscriptions/" + s.type + "/" + std::to_string(s.id)}}})}};
  sink_.notify(s.url, dump({{"zonalPresenceNotification", n}}));
}

}  // namespace fmc::api

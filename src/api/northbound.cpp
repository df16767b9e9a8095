#include "api/northbound.hpp"

#include <nlohmann/json.hpp>

#include "fmc/event_json.hpp"

namespace fmc::api {

using nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

HttpResponse ok(const json& j) { return HttpResponse{200, "application/json", dump(j), {}}; }

HttpResponse problem(int status, const std::string& detail) {
  // RFC 7807 problem details, as ETSI MEC APIs answer errors.
  return HttpResponse{status, "application/problem+json", dump({{"status", status}, {"title", reason_phrase(status)}, {"detail", detail}}), {}};
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 1;
  while (i <= path.size()) {
    const auto slash = path.find('/', i);
    std::string part = path.substr(i, slash == std::string::npos ? std::string::npos : slash - i);
    if (!part.empty()) parts.push_back(std::move(part));
    if (slash == std::string::npos) break;
    i = slash + 1;
  }
  return parts;
}

std::string hex_dpid(of::Dpid d) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(d.value));
  return buf;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0 && !b.empty();
}

json endpoint_json(const Endpoint& e) {
  json j{{"name", e.name},
         {"kind", e.kind == store::EndpointKind::kVm ? "vm" : "client"},
         {"mac", e.mac.to_string()},
         {"ip", e.ip ? json(e.ip->to_string()) : json(nullptr)},
         {"home", e.home_site},
         {"at_home", e.at_home()},
         {"visiting_ip", e.visiting_ip ? json(e.visiting_ip->to_string()) : json(nullptr)}};
  j["location"] = e.current ? json{{"site", e.current->site}, {"dpid", hex_dpid(e.current->dpid)}, {"port", e.current->port.value}}
                            : json(nullptr);
  return j;
}

// MEC 013 names: a zone is an access network (or data center), an access
// point a client port of its switch, a user's address "acr:<ip>".
std::string access_point_id(const model::Site& s, of::PortNo p) { return s.switch_name + ":" + std::to_string(p.value); }

json timestamp(std::int64_t ms) { return {{"seconds", ms / 1000}, {"nanoSeconds", (ms % 1000) * 1000000}}; }

}  // namespace

std::string Northbound::event_chunk(const FmcEvent& e) {
  const EventText t = event_json(e);
  return "event: " + t.kind + "\ndata: " + t.json + "\n\n";
}

bool Northbound::authorized(const HttpRequest& r) const {
  if (options_.open_reads && r.method == "GET") return true;
  const auto h = r.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  return h && h->size() > kBearer.size() && h->substr(0, kBearer.size()) == kBearer &&
         constant_time_equal(h->substr(kBearer.size()), options_.token);
}

HttpServer::Reply Northbound::handle(const HttpRequest& r) const {
  if (r.path == "/health" && r.method == "GET") return {ok({{"status", "ok"}}), false};
  if (!authorized(r)) {
    auto resp = problem(401, "a valid bearer token is required (Authorization: Bearer <token>)");
    resp.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fmc\"");
    return {resp, false};
  }
  if (r.path == "/api/v1/events") {
    if (r.method != "GET") return {problem(405, "the event stream is read with GET"), false};
    return {HttpResponse{200, "text/event-stream", ": Follow-Me Cloud events\n\n", {}}, true};
  }
  return {route(r), false};
}

HttpResponse Northbound::route(const HttpRequest& r) const {
  const auto parts = split_path(r.path);
  if (r.method != "GET") return problem(405, r.method + " is not supported on " + r.path);
  if (r.path == "/metrics") return metrics();
  if (parts.size() >= 2 && parts[0] == "api" && parts[1] == "v1") {
    if (parts.size() >= 3 && parts[2] == "endpoints") return endpoints(r, parts);
    if (parts.size() == 3 && parts[2] == "sites") return sites();
    if (parts.size() == 3 && parts[2] == "switches") return switches();
    if (parts.size() == 3 && parts[2] == "leases") return leases();
  }
  if (parts.size() >= 4 && parts[0] == "location" && parts[1] == "v2" && parts[2] == "queries") {
    if (parts.size() == 4 && parts[3] == "users") return location_users(r);
    if (parts[3] == "zones") return location_zones(parts);
  }
  return problem(404, "no resource " + r.path);
}

HttpResponse Northbound::endpoints(const HttpRequest& r, const std::vector<std::string>& parts) const {
  if (parts.size() == 4) {
    const Endpoint* e = ctx_.locations.by_name(parts[3]);
    return e ? ok(endpoint_json(*e)) : problem(404, "no endpoint " + parts[3]);
  }
  if (parts.size() != 3) return problem(404, "no resource " + r.path);
  const auto kind = r.query.find("kind");
  if (kind != r.query.end() && kind->second != "vm" && kind->second != "client")
    return problem(400, "kind must be vm or client");
  json list = json::array();
  for (const Endpoint* e : ctx_.locations.all()) {
    const bool vm = e->kind == store::EndpointKind::kVm;
    if (kind == r.query.end() || (kind->second == "vm") == vm) list.push_back(endpoint_json(*e));
  }
  std::sort(list.begin(), list.end(), [](const json& a, const json& b) { return a["name"] < b["name"]; });
  return ok({{"endpoints", list}});
}

HttpResponse Northbound::sites() const {
  json list = json::array();
  for (const auto& s : ctx_.model.sites) {
    json j{{"name", s.name},
           {"kind", s.kind == model::SiteKind::kDataCenter ? "data_center" : "access_network"},
           {"switch", s.switch_name},
           {"subnet", s.subnet.to_string()},
           {"gateway", s.gateway.ip.to_string()},
           {"location", {{"lat", s.latitude}, {"lon", s.longitude}}}};
    if (s.dhcp_pool) j["dhcp_pool"] = {{"first", s.dhcp_pool->first.to_string()}, {"last", s.dhcp_pool->last.to_string()}};
    list.push_back(j);
  }
  json wan = json::array();
  for (const auto& d : ctx_.model.wan) wan.push_back({{"from", d.from}, {"to", d.to}, {"delay_ms", d.delay_ms}});
  return ok({{"sites", list}, {"wan_delays_ms", wan}});
}

HttpResponse Northbound::switches() const {
  json list = json::array();
  for (const auto& sw : ctx_.model.switches) {
    json ports = json::object();
    for (const auto& [name, no] : sw.ports) ports[name] = no.value;
    list.push_back({{"name", sw.name}, {"dpid", hex_dpid(sw.dpid)}, {"connected", ctx_.switches.find(sw.dpid) != nullptr},
                    {"ports", ports}});
  }
  return ok({{"switches", list}});
}

HttpResponse Northbound::leases() const {
  const std::int64_t now = ctx_.now_ms() / 1000;
  json list = json::array();
  for (const auto& s : ctx_.model.sites) {
    const auto* table = ctx_.dhcp.server().table(s.name);
    if (!table) continue;
    for (const auto& l : table->all())
      list.push_back({{"network", s.name}, {"ip", l.ip.to_string()}, {"mac", l.mac.to_string()}, {"client", l.client},
                      {"state", dhcp::to_string(l.state)}, {"expires_in_s", l.expires_s - now}, {"host_name", l.host_name}});
  }
  return ok({{"leases", list}, {"mode", ctx_.model.dhcp.mode == model::DhcpMode::kServe ? "serve" : "relay"}});
}

HttpResponse Northbound::location_users(const HttpRequest& r) const {
  // GET /location/v2/queries/users?zoneId=..&accessPointId=..&address=acr:<ip> (each optional, repeatable as a list)
  const auto filter = [&](const char* key) {
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
  };
  const auto zones = filter("zoneId"), aps = filter("accessPointId"), addresses = filter("address");
  for (const auto& a : addresses)
    if (a.rfind("acr:", 0) != 0 || !net::Ipv4Addr::parse(a.substr(4)))
      return problem(400, "address must be acr:<IPv4 address>, got '" + a + "'");
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
                     {"resourceURL", "/location/v2/queries/users?address=" + address},
                     {"timestamp", timestamp(ctx_.now_ms())},
                     {"locationInfo", {{"latitude", {site->latitude}}, {"longitude", {site->longitude}}, {"shape", 2}}}});
  }
  if (!addresses.empty() && users.empty()) return problem(404, "none of the addresses is a located user");
  return ok({{"userList", {{"user", users}, {"resourceURL", r.target}}}});
}

HttpResponse Northbound::location_zones(const std::vector<std::string>& parts) const {
  // /location/v2/queries/zones[/{zoneId}[/accessPoints[/{accessPointId}]]]
  const auto users_at = [&](const model::Site& s, std::optional<of::PortNo> port) {
    int n = 0;
    for (const Endpoint* e : ctx_.locations.all())
      n += e->kind == store::EndpointKind::kClient && e->current && e->current->site == s.name && (!port || e->current->port == *port);
    return n;
  };
  const auto client_ports = [&](const model::Site& s) {
    std::set<std::uint32_t> ports;
    const model::SwitchSpec* sw = ctx_.model.switch_named(s.switch_name);
    const auto uplink = ctx_.model.uplink_port(s);
    if (sw)
      for (const auto& [_, p] : sw->ports)
        if (p != uplink) ports.insert(p.value);
    for (const Endpoint* e : ctx_.locations.all())
      if (e->current && e->current->site == s.name) ports.insert(e->current->port.value);
    return ports;
  };
  const auto zone_json = [&](const model::Site& s) {
    const bool up = ctx_.switches.find(ctx_.model.switch_named(s.switch_name)->dpid) != nullptr;
    const auto n = static_cast<int>(client_ports(s).size());
    return json{{"zoneId", s.name}, {"numberOfAccessPoints", n}, {"numberOfUnserviceableAccessPoints", up ? 0 : n},
                {"numberOfUsers", users_at(s, std::nullopt)}, {"resourceURL", "/location/v2/queries/zones/" + s.name}};
  };
  const auto access_networks = ctx_.model.sites_of(model::SiteKind::kAccessNetwork);
  if (parts.size() == 4) {
    json zones = json::array();
    for (const model::Site* s : access_networks) zones.push_back(zone_json(*s));
    return ok({{"zoneList", {{"zone", zones}, {"resourceURL", "/location/v2/queries/zones"}}}});
  }
  const model::Site* site = ctx_.model.site_named(parts[4]);
  if (!site || site->kind != model::SiteKind::kAccessNetwork) return problem(404, "no zone " + parts[4]);
  if (parts.size() == 5) return ok({{"zoneInfo", zone_json(*site)}});
  if (parts[5] != "accessPoints" || parts.size() > 7) return problem(404, "no such zone resource");
  const bool up = ctx_.switches.find(ctx_.model.switch_named(site->switch_name)->dpid) != nullptr;
  json aps = json::array();
  for (std::uint32_t p : client_ports(*site)) {
    const std::string id = access_point_id(*site, of::PortNo{p});
    if (parts.size() == 7 && parts[6] != id) continue;
    aps.push_back({{"accessPointId", id},
                   {"connectionType", "Wifi"},
                   {"operationStatus", up ? "Serviceable" : "Unserviceable"},
                   {"numberOfUsers", users_at(*site, of::PortNo{p})},
                   {"resourceURL", "/location/v2/queries/zones/" + site->name + "/accessPoints/" + id}});
  }
  if (parts.size() == 7) {
    if (aps.empty()) return problem(404, "no access point " + parts[6] + " in " + site->name);
    return ok({{"accessPointInfo", aps[0]}});
  }
  return ok({{"accessPointList", {{"zoneId", site->name}, {"accessPoint", aps},
                                  {"resourceURL", "/location/v2/queries/zones/" + site->name + "/accessPoints"}}}});
}

}  // namespace fmc::api

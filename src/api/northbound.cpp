#include "api/northbound.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "api/json_response.hpp"
#include "api/placement_api.hpp"

namespace fmc::api {

using nlohmann::json;

namespace {

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

}  // namespace

std::string Northbound::event_chunk(const EventText& t) {
  return "event: " + t.kind + "\ndata: " + t.json + "\n\n";
}

bool Northbound::authorized(const HttpRequest& r) const {
  if (options_.open_reads && r.method == "GET") return true;
  const auto h = r.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  return h && h->size() > kBearer.size() && h->substr(0, kBearer.size()) == kBearer &&
         constant_time_equal(h->substr(kBearer.size()), options_.token);
}

Northbound::Northbound(ApiContext ctx, ApiOptions options, NotificationSink& sink)
    : ctx_(std::move(ctx)), options_(std::move(options)), location_(ctx_, sink), app_mobility_(ctx_, sink) {
  if (ctx_.migrations) ctx_.migrations->set_veto([this](const std::string& vm) { return app_mobility_.veto(vm); });
}

void Northbound::on_event(const FmcEvent& e) {
  location_.on_event(e);
  app_mobility_.on_event(e);
}

HttpServer::Reply Northbound::handle(const HttpRequest& r) {
  if (r.path == "/health" && r.method == "GET") {
    // Still 200 while the store is out: the controller serves, and a restart would not help.
    if (ctx_.store_health && !ctx_.store_health().writable)
      return {json_response({{"status", "degraded"},
                             {"store", "cannot take writes; " + std::to_string(ctx_.store_health().held) + " held"}}),
              false};
    return {json_response({{"status", "ok"}}), false};
  }
  if (auto page = dashboard(r)) return {*page, false};
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

std::optional<HttpResponse> Northbound::dashboard(const HttpRequest& r) const {
  constexpr std::string_view kDir = "/dashboard/";
  if (r.method != "GET") return std::nullopt;
  if (r.path == "/" || r.path == "/dashboard") return HttpResponse{302, "text/plain", "", {{"Location", "/dashboard/"}}};
  if (!r.path.starts_with(kDir)) return std::nullopt;
  if (options_.dashboard.empty())
    return problem(404, "this controller was built without its dashboard (cmake -DFMC_DASHBOARD=ON needs Node.js and npm)");
  const std::string_view name = r.path.size() == kDir.size() ? "index.html" : std::string_view(r.path).substr(kDir.size());
  for (const auto& f : options_.dashboard)
    if (f.name == name)
      return HttpResponse{200,
                          std::string(f.content_type),
                          std::string(f.body),
                          {{"Cache-Control", "no-cache"},
                           {"Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"},
                           {"X-Content-Type-Options", "nosniff"},
                           {"Referrer-Policy", "no-referrer"}}};
  return problem(404, "no file " + r.path);
}

HttpResponse Northbound::route(const HttpRequest& r) {
  const auto parts = split_path(r.path);
  const std::vector<std::string> rest(parts.size() >= 2 ? parts.begin() + 2 : parts.end(), parts.end());
  if (parts.size() >= 2 && parts[0] == "location" && parts[1] == "v2") return location_.handle(r, rest);
  if (parts.size() >= 2 && parts[0] == "amsi" && parts[1] == "v1") return app_mobility_.handle(r, rest);
  if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "migrations") return migrations(r, parts);
  if (parts.size() == 3 && parts[0] == "api" && parts[1] == "v1" &&
      (parts[2] == "paths" || parts[2] == "services" || parts[2] == "policy"))
    return placement_resource(ctx_, r, parts[2]);
  if (r.method != "GET") return problem(405, r.method + " is not supported on " + r.path);
  if (r.path == "/metrics") return metrics();
  if (parts.size() >= 2 && parts[0] == "api" && parts[1] == "v1") {
    if (parts.size() >= 3 && parts[2] == "endpoints") return endpoints(r, parts);
    if (parts.size() == 3 && parts[2] == "sites") return sites();
    if (parts.size() == 3 && parts[2] == "switches") return switches();
    if (parts.size() == 3 && parts[2] == "leases") return leases();
  }
  return problem(404, "no resource " + r.path);
}

HttpResponse Northbound::endpoints(const HttpRequest& r, const std::vector<std::string>& parts) const {
  if (parts.size() == 4) {
    const Endpoint* e = ctx_.locations.by_name(parts[3]);
    return e ? json_response(endpoint_json(*e)) : problem(404, "no endpoint " + parts[3]);
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
  return json_response({{"endpoints", list}});
}

static json migration_json(const Migration& m) {
  return {{"id", m.id},       {"vm", m.vm},         {"from", m.from_site},         {"to", m.to_site},
          {"state", to_string(m.state)}, {"started_ms", m.started_ms}, {"finished_ms", m.finished_ms},
          {"duration_ms", m.finished_ms ? m.finished_ms - m.started_ms : 0}, {"detail", m.detail}};
}

HttpResponse Northbound::migrations(const HttpRequest& r, const std::vector<std::string>& parts) const {
  MigrationManager* mm = ctx_.migrations;
  if (!mm) return problem(503, "no migration driver is configured (fmc-controller --migrate-command)");
  std::optional<std::int64_t> id;
  if (parts.size() == 4) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), v);
    if (ec != std::errc() || end != parts[3].data() + parts[3].size()) return problem(404, "no migration " + parts[3]);
    id = v;
  } else if (parts.size() != 3) {
    return problem(404, "no resource " + r.path);
  }
  if (r.method == "GET") {
    if (id) {
      const auto* m = mm->find(*id);
      return m ? json_response(migration_json(*m)) : problem(404, "no migration " + parts[3]);
    }
    json list = json::array();
    for (const auto& m : mm->all()) list.push_back(migration_json(m));
    return json_response({{"migrations", list}, {"driver", std::string(mm->driver_name())}});
  }
  if (r.method == "POST" && !id) {
    HttpResponse error;
    auto body = json_body(r, error);
    if (!body) return error;
    if (!body->contains("vm") || !(*body)["vm"].is_string() || !body->contains("to") || !(*body)["to"].is_string())
      return problem(400, "expected {\"vm\": \"<name>\", \"to\": \"<data center>\"}");
    // "service/part" names a part of a service (a disk image, user data).
    const std::string what = (*body)["vm"], to = (*body)["to"];
    const auto slash = what.find('/');
    auto started = model::ServiceSpec::is_part_id(what) ? mm->start_part(what.substr(0, slash), what.substr(slash + 1), to, "api")
                                                        : mm->start(what, to, "api");
    if (!started) return problem(409, started.error());
    HttpResponse resp = json_response(migration_json(*started));
    resp.status = 202;
    resp.headers.emplace_back("Location", "/api/v1/migrations/" + std::to_string(started->id));
    return resp;
  }
  if (r.method == "DELETE" && id) {
    if (!mm->find(*id)) return problem(404, "no migration " + parts[3]);
    if (!mm->cancel(*id)) return problem(409, "migration " + parts[3] + " is not running");
    HttpResponse resp = json_response({{"id", *id}, {"state", "cancelling"}});
    resp.status = 202;
    return resp;
  }
  return problem(405, r.method + " is not supported on " + r.path);
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
    if (s.kind == model::SiteKind::kDataCenter) {
      const auto measured = ctx_.mapper.measured_utilisation(s.name);
      j["utilisation"] = {{"configured", s.utilisation}, {"measured", measured ? json(*measured) : json(nullptr)}};
    }
    list.push_back(j);
  }
  json wan = json::array();
  for (const auto& d : ctx_.model.wan) wan.push_back({{"from", d.from}, {"to", d.to}, {"delay_ms", d.delay_ms}});
  return json_response({{"sites", list}, {"router", {{"name", ctx_.model.router.name}}}, {"wan_delays_ms", wan}});
}

HttpResponse Northbound::switches() const {
  json list = json::array();
  for (const auto& sw : ctx_.model.switches) {
    json ports = json::object();
    for (const auto& [name, no] : sw.ports) ports[name] = no.value;
    list.push_back({{"name", sw.name}, {"dpid", hex_dpid(sw.dpid)}, {"connected", ctx_.switches.connected(sw.dpid)},
                    {"ports", ports}});
  }
  return json_response({{"switches", list}});
}

HttpResponse Northbound::leases() const {
  const std::int64_t now = ctx_.clock.wall_ms() / 1000;
  json list = json::array();
  for (const auto& s : ctx_.model.sites) {
    const auto* table = ctx_.dhcp.server().table(s.name);
    if (!table) continue;
    for (const auto& l : table->all())
      list.push_back({{"network", s.name}, {"ip", l.ip.to_string()}, {"mac", l.mac.to_string()}, {"client", l.client},
                      {"state", dhcp::to_string(l.state)}, {"expires_in_s", l.expires_s - now}, {"host_name", l.host_name}});
  }
  return json_response({{"leases", list}, {"mode", ctx_.model.dhcp.mode == model::DhcpMode::kServe ? "serve" : "relay"}});
}

}  // namespace fmc::api

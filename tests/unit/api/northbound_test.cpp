// The northbound router against the real apps on fake switches: auth,
// REST resources, MEC 013/021 formats and notifications, migrations
// through a fake driver, metrics.
#include "api/northbound.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fmc/arp/arp_proxy.hpp"
#include "fmc/model/config_yaml.hpp"
#include "support/fake_driver.hpp"

using namespace fmc;
using namespace fmc::api;
using nlohmann::json;

using test_support::FakeDriver;

namespace {

const std::string kToken = "0123456789abcdef0123";

struct FakeSink : NotificationSink {
  std::vector<std::pair<std::string, json>> sent;  // (path, body)
  void notify(const CallbackUrl& to, std::string body) override { sent.emplace_back(to.path, json::parse(body)); }
};

struct World {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  ManualClock clock{std::chrono::milliseconds(5000)};
  EventBus bus;
  LocationManager locations{model, bus, nullptr, clock};
  ctl::EffectExecutor switches;
  MigrationsInFlight in_flight;
  MobilityDetector detector{model, locations, bus, in_flight, clock};
  dhcp::DhcpService dhcp{model, locations, bus, [](auto, auto) {}, clock};
  ArpProxy arp{model, locations, bus};
  ctl::ControllerStats stats;
  FakeDriver driver;
  MigrationManager migrations{model, locations, in_flight, bus, driver, [](const Migration&) {},
                              clock};
  PacketInCensus census;
  Histogram convergence{{0.001, 0.01}};
  FakeSink sink;
  PathMonitor path_monitor{model, bus, clock};
  LocationMapper mapper{model, locations, bus, [this](const std::string& a, const std::string& d) { return model.wan_delay(a, d); },
                        clock};
  Northbound api{context(), ApiOptions{kToken, false}, sink};

  ApiContext context() {
    return ApiContext{model,  locations,   switches,     dhcp,   detector, arp, stats, &migrations, census,
                      convergence, path_monitor, mapper, clock};
  }

  World() {
    bus.subscribe([this](const FmcEvent& e) { api.on_event(e); });
  }
  HttpServer::Reply raw(const std::string& method, const std::string& target, const std::string& body = "",
                        const std::string& token = kToken) {
    RequestParser p;
    std::string bytes = method + " " + target + " HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    if (!token.empty()) bytes += "Authorization: Bearer " + token + "\r\n";
    bytes += "\r\n" + body;
    EXPECT_EQ(p.feed(bytes), RequestParser::State::kComplete);
    return api.handle(p.take());
  }
  std::pair<int, json> call(const std::string& method, const std::string& target, const json& body = nullptr) {
    auto r = raw(method, target, body.is_null() ? "" : body.dump());
    return {r.response.status, r.response.body.empty() || r.response.content_type.find("json") == std::string::npos
                                   ? json()
                                   : json::parse(r.response.body)};
  }
  // client1 with an address, at `site` port 2.
  void client_at(const char* site, std::uint64_t dpid) {
    locations.assign_ip("client1", *net::Ipv4Addr::parse("10.10.1.100"));
    locations.move("client1", Location{site, of::Dpid{dpid}, of::PortNo{2}}, MoveCause::kDhcp);
  }
};

}  // namespace

TEST(Northbound, TokenIsRequiredAndHealthIsOpen) {
  World w;
  auto r = w.raw("GET", "/api/v1/endpoints", "", "");
  EXPECT_EQ(r.response.status, 401);
  EXPECT_EQ(r.response.headers.at(0).first, "WWW-Authenticate");
  EXPECT_EQ(w.raw("GET", "/api/v1/endpoints", "", kToken + "x").response.status, 401);
  EXPECT_EQ(w.raw("GET", "/api/v1/endpoints", "", "short").response.status, 401);
  EXPECT_EQ(w.raw("GET", "/health", "", "").response.status, 200);
  EXPECT_EQ(w.raw("GET", "/api/v1/events").stream, true);
  EXPECT_EQ(w.raw("GET", "/api/v1/events", "", "").stream, false);
}

TEST(Northbound, TheDashboardIsServedWithoutTheTokenButItsDataIsNot) {
  World w;
  const StaticFile files[] = {{"index.html", "text/html; charset=utf-8", "<!doctype html>page"},
                              {"app.js", "text/javascript; charset=utf-8", "js"}};
  Northbound with{w.context(), ApiOptions{kToken, false, files}, w.sink};
  const auto get = [&](Northbound& api, const std::string& method, const std::string& target) {
    RequestParser p;
    EXPECT_EQ(p.feed(method + " " + target + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), RequestParser::State::kComplete);
    return api.handle(p.take()).response;
  };
  const auto header = [](const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return std::string();
  };
  for (const char* entry : {"/", "/dashboard"}) {
    const auto r = get(with, "GET", entry);
    EXPECT_EQ(r.status, 302) << entry;
    EXPECT_EQ(header(r, "Location"), "/dashboard/") << entry;
  }
  const auto page = get(with, "GET", "/dashboard/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, "<!doctype html>page");
  EXPECT_NE(header(page, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(get(with, "GET", "/dashboard/app.js").body, "js");
  EXPECT_EQ(get(with, "GET", "/dashboard/../token").status, 404);
  EXPECT_EQ(get(with, "GET", "/dashboard/secret.txt").status, 404);
  // The page holds no data: what it reads still needs the token, and only GET is open.
  EXPECT_EQ(get(with, "GET", "/api/v1/endpoints").status, 401);
  EXPECT_EQ(get(with, "POST", "/dashboard/").status, 401);
  // Built without it: a clear answer, not an empty page.
  const auto none = get(w.api, "GET", "/dashboard/");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.body.find("built without its dashboard"), std::string::npos);
}

TEST(Northbound, OpenReadsStillGuardWrites) {
  World w;
  Northbound open{w.context(), ApiOptions{kToken, true}, w.sink};
  RequestParser p;
  p.feed("GET /api/v1/endpoints HTTP/1.1\r\n\r\n");
  EXPECT_EQ(open.handle(p.take()).response.status, 200);
  p.feed("POST /api/v1/migrations HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(open.handle(p.take()).response.status, 401);
}

TEST(Northbound, EndpointsAndErrors) {
  World w;
  w.client_at("wlan1", 0xa1);
  auto [status, body] = w.call("GET", "/api/v1/endpoints");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(body["endpoints"].size(), 2u);
  EXPECT_EQ(body["endpoints"][0]["name"], "client1");
  EXPECT_EQ(body["endpoints"][0]["location"]["site"], "wlan1");
  EXPECT_EQ(body["endpoints"][0]["location"]["dpid"], "0xa1");
  EXPECT_EQ(w.call("GET", "/api/v1/endpoints?kind=vm").second["endpoints"].size(), 1u);
  EXPECT_EQ(w.call("GET", "/api/v1/endpoints?kind=cow").first, 400);
  auto [s404, problem] = w.call("GET", "/api/v1/endpoints/nobody");
  EXPECT_EQ(s404, 404);
  EXPECT_EQ(problem["status"], 404);
  EXPECT_EQ(problem["detail"], "no endpoint nobody");
  EXPECT_EQ(w.call("DELETE", "/api/v1/endpoints").first, 405);
  EXPECT_EQ(w.call("GET", "/nowhere").first, 404);
}

TEST(Northbound, Mec013UsersZonesAndAccessPoints) {
  World w;
  w.client_at("wlan1", 0xa1);
  auto [s, users] = w.call("GET", "/location/v2/queries/users?zoneId=wlan1");
  ASSERT_EQ(s, 200);
  ASSERT_EQ(users["userList"]["user"].size(), 1u);
  const auto& u = users["userList"]["user"][0];
  EXPECT_EQ(u["address"], "acr:10.10.1.100");
  EXPECT_EQ(u["accessPointId"], "s-wlan1:2");
  EXPECT_EQ(u["timestamp"]["seconds"], 5);
  EXPECT_EQ(w.call("GET", "/location/v2/queries/users?zoneId=wlan2").second["userList"]["user"].size(), 0u);
  EXPECT_EQ(w.call("GET", "/location/v2/queries/users?address=acr:10.9.9.9").first, 404);
  EXPECT_EQ(w.call("GET", "/location/v2/queries/users?address=10.10.1.100").first, 400);
  auto zones = w.call("GET", "/location/v2/queries/zones").second["zoneList"]["zone"];
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0]["zoneId"], "wlan1");
  EXPECT_EQ(zones[0]["numberOfUsers"], 1);
  auto aps = w.call("GET", "/location/v2/queries/zones/wlan1/accessPoints").second["accessPointList"]["accessPoint"];
  ASSERT_EQ(aps.size(), 1u);
  EXPECT_EQ(aps[0]["accessPointId"], "s-wlan1:2");
  EXPECT_EQ(aps[0]["operationStatus"], "Unserviceable");  // its switch is not connected
  EXPECT_EQ(w.call("GET", "/location/v2/queries/zones/dc1").first, 404);
}

TEST(Northbound, Mec013SubscriptionsNotifyMoves) {
  World w;
  w.client_at("wlan1", 0xa1);
  auto [s, created] = w.call("POST", "/location/v2/subscriptions/userTracking", json::parse(R"({"userTrackingSubscription": {
      "callbackReference": {"notifyURL": "http://127.0.0.1:9/user", "callbackData": "cd"}, "address": "acr:10.10.1.100"}})"));
  ASSERT_EQ(s, 201);
  const std::string url = created["userTrackingSubscription"]["resourceURL"];
  w.call("POST", "/location/v2/subscriptions/zonalTraffic", json::parse(R"({"zonalTrafficSubscription": {
      "callbackReference": {"notifyURL": "http://127.0.0.1:9/zone"}, "zoneId": "wlan2", "userEventCriteria": ["Entering"]}})"));
  EXPECT_EQ(w.call("GET", "/location/v2/subscriptions/zonalTraffic").second["notificationSubscriptionList"]["zonalTrafficSubscription"].size(), 1u);
  w.locations.move("client1", Location{"wlan2", of::Dpid{0xa2}, of::PortNo{2}}, MoveCause::kDhcp);
  std::vector<std::string> got;
  for (const auto& [path, body] : w.sink.sent)
    got.push_back(path + " " + body["zonalPresenceNotification"]["zoneId"].get<std::string>() + " " +
                  body["zonalPresenceNotification"]["userEventType"].get<std::string>());
  EXPECT_EQ(got, (std::vector<std::string>{"/user wlan1 Leaving", "/user wlan2 Entering", "/zone wlan2 Entering"}));
  EXPECT_EQ(w.sink.sent[0].second["zonalPresenceNotification"]["callbackData"], "cd");
  EXPECT_EQ(w.sink.sent[1].second["zonalPresenceNotification"]["previousAccessPointId"], "s-wlan1:2");

  EXPECT_EQ(w.call("DELETE", url).first, 204);
  EXPECT_EQ(w.call("GET", url).first, 404);
  // Bad subscriptions are refused and change nothing.
  for (const char* bad : {
           R"({"userTrackingSubscription": {"callbackReference": {"notifyURL": "ftp://x/y"}, "address": "acr:10.0.0.1"}})",
           R"({"userTrackingSubscription": {"callbackReference": {"notifyURL": "http://x/y"}, "address": "10.0.0.1"}})",
           R"({"userTrackingSubscription": {"callbackReference": {"notifyURL": "http://x/y"}, "address": "acr:10.0.0.1",
                                            "userEventCriteria": ["Flying"]}})",
           R"({"userTrackingSubscription": {"address": "acr:10.0.0.1"}})",
           R"({"somethingElse": 1})"})
    EXPECT_EQ(w.call("POST", "/location/v2/subscriptions/userTracking", json::parse(bad)).first, 400) << bad;
  EXPECT_EQ(w.raw("POST", "/location/v2/subscriptions/userTracking", "{not json").response.status, 400);
  EXPECT_EQ(w.call("GET", "/location/v2/subscriptions/userTracking").second["notificationSubscriptionList"]["userTrackingSubscription"].size(), 0u);
}

TEST(Northbound, ADeeplyNestedOrHugeBodyIsRefusedBeforeAnyoneReadsIt) {
  World w;
  // ~200 KB, under the 1 MiB body limit: 100,000 levels deep once crashed the controller
  // (the subscription handlers copy and echo what they are given, recursively).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::pair<const char*, std::string> posts[] = {
      {"/location/v2/subscriptions/userTracking",
       R"({"userTrackingSubscription": {"callbackReference": {"notifyURL": "http://x/y"}, "address": "acr:10.0.0.1", "callbackData": )" +
           deep + "}}"},
      {"/amsi/v1/app_mobility_services", R"({"serviceConsumerId": {"appInstanceId": "vm1"}, "extra": )" + deep + "}"}};
  for (const auto& [path, body] : posts) {
    const auto r = w.raw("POST", path, body);
    EXPECT_EQ(r.response.status, 400) << path;
    EXPECT_NE(r.response.body.find("nested deeper than"), std::string::npos) << r.response.body;
  }
  EXPECT_EQ(w.call("GET", "/amsi/v1/app_mobility_services").second.size(), 0u);
  std::string many = "{\"a\": [";
  for (int i = 0; i < 100000; ++i) many += "0,";
  many += "0]}";
  const auto r = w.raw("POST", "/location/v2/subscriptions/userTracking", many);
  EXPECT_EQ(r.response.status, 400);
  EXPECT_NE(r.response.body.find("more than"), std::string::npos) << r.response.body;
  // Braces inside strings are text, not nesting.
  const std::string text = "{\"userTrackingSubscription\": {\"callbackReference\": {\"notifyURL\": \"http://x/y\"}, "
                           "\"address\": \"acr:10.0.0.1\", \"callbackData\": \"" + std::string(1000, '[') + "\\\"\"}}";
  EXPECT_EQ(w.raw("POST", "/location/v2/subscriptions/userTracking", text).response.status, 201);
}

TEST(Northbound, MigrationsThroughTheApiWithMec021Notifications) {
  World w;
  w.client_at("wlan1", 0xa1);
  auto [rs, reg] = w.call("POST", "/amsi/v1/app_mobility_services", json::parse(R"({
      "serviceConsumerId": {"appInstanceId": "vm1"},
      "deviceInformation": [{"associateId": {"type": "UE_IPv4_ADDRESS", "value": "10.10.1.100"},
                             "appMobilityServiceLevel": "APP_MOBILITY_WITHOUT_CONFIRMATION"}]})"));
  ASSERT_EQ(rs, 201);
  ASSERT_EQ(w.call("POST", "/amsi/v1/subscriptions", json::parse(R"({
      "subscriptionType": "MobilityProcedureSubscription", "callbackReference": "http://127.0.0.1:9/amsi",
      "filterCriteria": {"appInstanceId": "vm1",
                         "mobilityStatus": ["INTERHOST_MOVEOUT_TRIGGERED", "INTERHOST_MOVEOUT_COMPLETED"]}})")).first,
            201);
  auto [ms, m] = w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}, {"to", "dc2"}});
  ASSERT_EQ(ms, 202);
  EXPECT_EQ(m["state"], "running");
  ASSERT_EQ(w.driver.started.size(), 1u);
  EXPECT_EQ(w.driver.started[0].first.to_site, "dc2");
  EXPECT_TRUE(w.in_flight.expected("vm1", "dc2"));
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}, {"to", "dc2"}}).first, 409);  // already migrating
  w.driver.switchover(0);
  EXPECT_EQ(w.sink.sent.size(), 1u);  // MEC 021 has no status for the switchover
  EXPECT_EQ(w.locations.by_name("vm1")->current->site, "dc2");  // its traffic goes there from now on
  w.driver.finish(0, migration::Outcome::kCompleted);
  EXPECT_EQ(w.call("GET", "/api/v1/migrations/1").second["state"], "completed");
  ASSERT_EQ(w.sink.sent.size(), 2u);
  EXPECT_EQ(w.sink.sent[0].second["mobilityStatus"], "INTERHOST_MOVEOUT_TRIGGERED");
  EXPECT_EQ(w.sink.sent[1].second["mobilityStatus"], "INTERHOST_MOVEOUT_COMPLETED");
  EXPECT_EQ(w.sink.sent[1].second["associateId"][0]["value"], "10.10.1.100");
  EXPECT_EQ(w.sink.sent[1].second["targetAppInfo"]["appInstanceId"], "vm1@dc2");

  // A failed migration is not expected any more (a later "move" would be spoofing) and is notified only if asked for.
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}, {"to", "dc1"}}).first, 202);
  w.driver.finish(1, migration::Outcome::kFailed);
  EXPECT_FALSE(w.in_flight.expected("vm1", "dc1"));
  EXPECT_EQ(w.locations.by_name("vm1")->current->site, "dc2");  // it failed before its switchover
  EXPECT_EQ(w.sink.sent.size(), 3u);  // TRIGGERED only: the filter leaves FAILED out
  EXPECT_EQ(w.call("DELETE", "/api/v1/migrations/2").first, 409);  // not running
  EXPECT_EQ(w.call("DELETE", "/api/v1/migrations/99").first, 404);

  // A part of a service moves by its "service/part" name, through the transfer driver.
  EXPECT_NE(w.call("POST", "/api/v1/migrations", {{"vm", "video/profile"}, {"to", "dc2"}}).second["detail"].get<std::string>().find(
                "no transfer driver"),
            std::string::npos);
  FakeDriver transfers;
  w.migrations.use_transfer_driver(transfers);
  w.mapper.use(&w.migrations);  // as the controller wires them: the mapper asks where parts are
  auto [ps, part] = w.call("POST", "/api/v1/migrations", {{"vm", "video/profile"}, {"to", "dc2"}});
  EXPECT_EQ(ps, 202);
  ASSERT_EQ(transfers.started.size(), 1u);
  EXPECT_EQ(transfers.started[0].first.vm, "video/profile");
  transfers.finish(0, migration::Outcome::kCompleted);
  EXPECT_EQ(w.call("GET", "/api/v1/services").second["services"][0]["parts"][0]["data_center"], "dc2");
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "video/library"}, {"to", "dc2"}}).first, 409);  // pinned

  // NOT_ALLOWED vetoes.
  auto body = reg;
  body["deviceInformation"][0]["appMobilityServiceLevel"] = "APP_MOBILITY_NOT_ALLOWED";
  EXPECT_EQ(w.call("PUT", "/amsi/v1/app_mobility_services/" + reg["appMobilityServiceId"].get<std::string>(), body).first, 200);
  auto [vs, veto] = w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}, {"to", "dc1"}});
  EXPECT_EQ(vs, 409);
  EXPECT_NE(veto["detail"].get<std::string>().find("does not allow"), std::string::npos);
  EXPECT_EQ(w.driver.started.size(), 2u);

  auto adjacent = w.call("GET", "/amsi/v1/queries/adjacent_app_instances?appInstanceId=vm1").second;
  ASSERT_EQ(adjacent.size(), 1u);
  EXPECT_EQ(adjacent[0]["mecHostInformation"]["hostId"], "dc1");
}

TEST(Northbound, BadMigrationAndRegistrationRequestsChangeNothing) {
  World w;
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}}).first, 400);
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}, {"to", "wlan1"}}).first, 409);
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "vm1"}, {"to", "dc1"}}).first, 409);  // already there
  EXPECT_EQ(w.call("POST", "/api/v1/migrations", {{"vm", "client1"}, {"to", "dc2"}}).first, 409);
  auto r = w.raw("POST", "/api/v1/migrations", "[1,2]");
  EXPECT_EQ(r.response.status, 400);
  EXPECT_EQ(w.driver.started.size(), 0u);
  EXPECT_EQ(w.call("POST", "/amsi/v1/app_mobility_services", {{"serviceConsumerId", {{"appInstanceId", "client1"}}}}).first, 400);
  EXPECT_EQ(w.call("POST", "/amsi/v1/app_mobility_services", json::parse(R"({
                "serviceConsumerId": {"appInstanceId": "vm1"},
                "deviceInformation": [{"associateId": {"type": "UE_IPv4_ADDRESS", "value": "10.10.1.100"},
                                       "appMobilityServiceLevel": "WHENEVER"}]})")).first,
            400);
  // Asking for a confirmation this controller would never wait for is refused, saying so.
  auto [confirm_status, confirm] = w.call("POST", "/amsi/v1/app_mobility_services", json::parse(R"({
                "serviceConsumerId": {"appInstanceId": "vm1"},
                "deviceInformation": [{"associateId": {"type": "UE_IPv4_ADDRESS", "value": "10.10.1.100"},
                                       "appMobilityServiceLevel": "APP_MOBILITY_WITH_CONFIRMATION"}]})"));
  EXPECT_EQ(confirm_status, 400);
  EXPECT_NE(confirm["detail"].get<std::string>().find("WITH_CONFIRMATION is not supported"), std::string::npos) << confirm;
  EXPECT_EQ(w.call("POST", "/amsi/v1/subscriptions", {{"subscriptionType", "MobilityProcedureSubscription"}, {"callbackReference", "nope"}}).first,
            400);
  EXPECT_EQ(w.call("GET", "/amsi/v1/app_mobility_services").second.size(), 0u);
}

TEST(Northbound, MetricsAreWellFormedPrometheusText) {
  World w;
  w.convergence.observe(0.0005);
  w.convergence.observe(0.5);
  auto r = w.raw("GET", "/metrics");
  ASSERT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.content_type, "text/plain; version=0.0.4");
  const std::string& t = r.response.body;
  EXPECT_NE(t.find("# TYPE fmc_move_convergence_seconds histogram\n"), std::string::npos);
  EXPECT_NE(t.find("fmc_move_convergence_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("fmc_move_convergence_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("fmc_switch_connected{switch=\"s-wlan1\",dpid=\"161\"} 0\n"), std::string::npos);
  EXPECT_NE(t.find("fmc_messages_for_absent_switches_total 0\n"), std::string::npos);
  // A flow for a switch that is not connected is dropped and counted.
  ctl::Effects e;
  e.send(of::Dpid{0xa1}, of::FlowMod{});
  w.switches.execute(e);
  EXPECT_NE(w.raw("GET", "/metrics").response.body.find("fmc_messages_for_absent_switches_total 1\n"), std::string::npos);
  // Every sample line belongs to a family declared by a TYPE line before it.
  std::set<std::string> families;
  std::istringstream lines(t);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) families.insert(line.substr(7, line.find(' ', 7) - 7));
    if (line.empty() || line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!families.count(name) && name.size() > std::strlen(suffix) && name.ends_with(suffix)) name.resize(name.size() - std::strlen(suffix));
    EXPECT_TRUE(families.count(name)) << line;
  }
}

namespace {

TEST(Northbound, PolicyIsReadAndChangedAtRunTimeAllOrNothing) {
  World w;
  auto [status, body] = w.call("GET", "/api/v1/policy");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["policy"], "threshold");  // config/fig1.yaml
  EXPECT_EQ(body["dwell_s"], 2);

  std::tie(status, body) = w.call("PUT", "/api/v1/policy", json::parse(R"({"policy": "mdp", "dwell_s": 5, "weights": {"cost": 2}})"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["policy"], "mdp");
  EXPECT_EQ(w.mapper.settings().policy, model::PlacementPolicyKind::kMdp);
  EXPECT_EQ(w.mapper.settings().dwell_s, 5);
  EXPECT_EQ(w.mapper.settings().weight_cost, 2);
  EXPECT_EQ(w.mapper.settings().weight_delay, 1);  // untouched

  for (const char* bad : {R"({"policy": "greedy"})", R"({"discount": 1})", R"({"dwell_s": -1, "policy": "off"})",
                          R"({"dwell_s": "5"})", R"({"weights": {"speed": 1}})", R"({"colour": "red"})",
                          R"({"link_mbps": 0})", R"({"preferred_providers": [1]})"}) {
    std::tie(status, body) = w.call("PUT", "/api/v1/policy", json::parse(bad));
    EXPECT_EQ(status, 400) << bad;
    EXPECT_TRUE(body.contains("detail")) << bad;
  }
  EXPECT_EQ(w.raw("PUT", "/api/v1/policy", "{\"policy\": ").response.status, 400);
  EXPECT_EQ(w.raw("PUT", "/api/v1/policy", R"({"policy": "off"})", "").response.status, 401);
  EXPECT_EQ(w.mapper.settings().policy, model::PlacementPolicyKind::kMdp) << "a refused change changed something";
  EXPECT_EQ(w.mapper.settings().dwell_s, 5);
  EXPECT_EQ(w.call("DELETE", "/api/v1/policy").first, 405);
}

TEST(Northbound, ServicesShowPlacementUsersAndTheLastDecision) {
  World w;
  w.client_at("wlan2", 0xa2);
  w.mapper.tick();
  auto [status, body] = w.call("GET", "/api/v1/services");
  EXPECT_EQ(status, 200);
  ASSERT_EQ(body["services"].size(), 1u);
  const json& s = body["services"][0];
  EXPECT_EQ(s["name"], "video");
  EXPECT_EQ(s["vm"], "vm1");
  EXPECT_EQ(s["data_center"], "dc1");
  EXPECT_EQ(s["users"][0]["site"], "wlan2");
  EXPECT_EQ(s["last_decision"]["action"], "wait");  // the dwell time
  EXPECT_EQ(s["last_decision"]["target"], "dc2");
  EXPECT_EQ(s["last_decision"]["scores"]["dc1"], 50);
}

TEST(Northbound, PathsListEveryAccessToDataCenterPair) {
  World w;
  auto [status, body] = w.call("GET", "/api/v1/paths");
  EXPECT_EQ(status, 200);
  ASSERT_EQ(body["paths"].size(), 4u);
  EXPECT_EQ(body["paths"][0]["access"], "wlan1");
  EXPECT_EQ(body["paths"][0]["dc"], "dc1");
  EXPECT_TRUE(body["paths"][0]["rtt_ms"].is_null());  // nothing measured yet
  EXPECT_EQ(body["paths"][0]["configured_rtt_ms"], 1);
  EXPECT_EQ(body["paths"][1]["configured_rtt_ms"], 50);
}

}  // namespace

#pragma once
// The northbound API's router: authentication, the REST resources
// (/api/v1/...), ETSI MEC 013 (/location/v2/..., mec_location) and MEC 021
// (/amsi/v1/..., mec_app_mobility), Prometheus metrics (/metrics) and the
// event stream (/api/v1/events). Every answer is JSON; every refusal says
// why (RFC 7807). The contract is docs/openapi.yaml.
#include <string>

#include "api/api_context.hpp"
#include "api/http_server.hpp"
#include "api/mec_app_mobility.hpp"
#include "api/mec_location.hpp"
#include "api/static_file.hpp"
#include "fmc/events/event_json.hpp"

namespace fmc::api {

struct ApiOptions {
  std::string token;        // bearer token; required (no default credentials)
  bool open_reads = false;  // GETs without the token (writes always need it)
  // Served at /dashboard/ without the token: the page holds no data; it asks for
  // the token and reads the API with it.
  std::span<const StaticFile> dashboard = {};
};

class Northbound {
 public:
  Northbound(ApiContext ctx, ApiOptions options, NotificationSink& sink);

  HttpServer::Reply handle(const HttpRequest& request);
  // Feeds the MEC subscriptions (call for every event on the bus).
  void on_event(const FmcEvent& e);
  // An event in text/event-stream form, for HttpServer::publish.
  static std::string event_chunk(const EventText& t);

 private:
  bool authorized(const HttpRequest& r) const;
  HttpResponse route(const HttpRequest& r);
  std::optional<HttpResponse> dashboard(const HttpRequest& r) const;
  HttpResponse endpoints(const HttpRequest& r, const std::vector<std::string>& parts) const;
  HttpResponse sites() const;
  HttpResponse switches() const;
  HttpResponse leases() const;
  HttpResponse migrations(const HttpRequest& r, const std::vector<std::string>& parts) const;
  HttpResponse metrics() const;

  ApiContext ctx_;
  ApiOptions options_;
  LocationService location_;
  AppMobilityService app_mobility_;
};

}  // namespace fmc::api

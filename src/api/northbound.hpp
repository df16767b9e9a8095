#pragma once
// The northbound API's router: authentication, the REST resources
// (/api/v1/...), the ETSI MEC 013 location subset (/location/v2/...),
// Prometheus metrics (/metrics) and the event stream. Every answer is JSON;
// every refusal says why. See api/openapi.yaml for the contract.
#include <string>

#include "api/api_context.hpp"
#include "api/http_server.hpp"
#include "fmc/events.hpp"

namespace fmc::api {

struct ApiOptions {
  std::string token;        // bearer token; required (no default credentials)
  bool open_reads = false;  // GETs without the token (writes always need it)
};

class Northbound {
 public:
  Northbound(ApiContext ctx, ApiOptions options) : ctx_(std::move(ctx)), options_(std::move(options)) {}

  HttpServer::Reply handle(const HttpRequest& request) const;
  // An event in text/event-stream form, for HttpServer::publish.
  static std::string event_chunk(const FmcEvent& e);

 private:
  bool authorized(const HttpRequest& r) const;
  HttpResponse route(const HttpRequest& r) const;
  HttpResponse endpoints(const HttpRequest& r, const std::vector<std::string>& parts) const;
  HttpResponse sites() const;
  HttpResponse switches() const;
  HttpResponse leases() const;
  HttpResponse location_users(const HttpRequest& r) const;
  HttpResponse location_zones(const std::vector<std::string>& parts) const;
  HttpResponse metrics() const;

  ApiContext ctx_;
  ApiOptions options_;
};

}  // namespace fmc::api

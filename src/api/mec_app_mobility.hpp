#pragma once
// ETSI GS MEC 021 Application Mobility Service API, the subset for the
// Follow-Me Cloud (under /amsi/v1): an application instance is a service
// VM (appInstanceId = the VM's name), its devices are clients by address
// (associateId type UE_IPv4_ADDRESS), and a relocation is a VM migration.
//   POST/GET /app_mobility_services, GET/PUT/DELETE /app_mobility_services/{id}
//   POST/GET /subscriptions, GET/DELETE /subscriptions/{id}
//       (MobilityProcedureSubscription; notifications
//        INTERHOST_MOVEOUT_TRIGGERED / _COMPLETED / _FAILED)
//   GET /queries/adjacent_app_instances?appInstanceId=
// A registration with appMobilityServiceLevel APP_MOBILITY_NOT_ALLOWED
// vetoes migrations of that VM.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_context.hpp"
#include "api/http.hpp"
#include "api/notifier.hpp"

namespace fmc::api {

class AppMobilityService {
 public:
  AppMobilityService(const ApiContext& ctx, NotificationSink& sink) : ctx_(ctx), sink_(sink) {}
  // `parts`: the path's segments after "amsi", "v1".
  HttpResponse handle(const HttpRequest& r, const std::vector<std::string>& parts);
  void on_event(const FmcEvent& e);
  // Why migrating `vm` is not allowed by a registration, if it is not.
  std::optional<std::string> veto(const std::string& vm) const;

 private:
  struct Registration {
    std::string id;
    std::string app_instance;
    nlohmann::json body;  // as registered, with its id
  };
  struct Subscription {
    std::string id;
    std::string callback;
    CallbackUrl url;
    std::string app_instance;          // filter; empty = any
    std::set<std::string> associates;  // filter on device addresses; empty = any
    std::set<std::string> statuses;    // filter; empty = any
    nlohmann::json body;
  };
  HttpResponse services(const HttpRequest& r, const std::vector<std::string>& parts);
  HttpResponse subscriptions(const HttpRequest& r, const std::vector<std::string>& parts);
  HttpResponse adjacent(const HttpRequest& r) const;
  std::optional<std::string> check_registration(const nlohmann::json& j) const;

  const ApiContext& ctx_;
  NotificationSink& sink_;
  std::map<std::string, Registration> registrations_;
  std::map<std::string, Subscription> subs_;
  std::int64_t next_id_ = 1;
};

}  // namespace fmc::api

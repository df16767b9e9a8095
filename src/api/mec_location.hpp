#pragma once
// ETSI GS MEC 013 Location API, the subset for the Follow-Me Cloud
// (resource names of v2.1.1, under /location/v2): a zone is an access
// network, an access point a client port of its switch ("<switch>:<port>"),
// a user a located client, addressed "acr:<IPv4 address>".
//   GET  /queries/users            ?zoneId=&accessPointId=&address= (comma lists)
//   GET  /queries/zones[/{zoneId}[/accessPoints[/{accessPointId}]]]
//   POST/GET /subscriptions/userTracking, /subscriptions/zonalTraffic
//   GET/DELETE /subscriptions/{userTracking|zonalTraffic}/{id}
// Subscribers get a zonalPresenceNotification (Entering, Leaving,
// Transferring) at their notifyURL when a user moves.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/api_context.hpp"
#include "api/http.hpp"
#include "api/notifier.hpp"

namespace fmc::api {

class LocationService {
 public:
  LocationService(const ApiContext& ctx, NotificationSink& sink) : ctx_(ctx), sink_(sink) {}
  // `parts`: the path's segments after "location", "v2".
  HttpResponse handle(const HttpRequest& r, const std::vector<std::string>& parts);
  void on_event(const FmcEvent& e);
  std::size_t subscriptions() const { return subs_.size(); }

 private:
  struct Subscription {
    std::int64_t id = 0;
    std::string type;  // userTracking | zonalTraffic
    std::string notify_url;
    CallbackUrl url;
    std::string callback_data, client_correlator;
    std::string subject;  // the address (userTracking) or the zoneId (zonalTraffic)
    std::set<std::string> criteria;  // Entering, Leaving, Transferring
  };
  HttpResponse users(const HttpRequest& r) const;
  HttpResponse zones(const std::vector<std::string>& parts) const;
  HttpResponse subscriptions(const HttpRequest& r, const std::vector<std::string>& parts);
  void notify(const Subscription& s, const std::string& zone, const std::string& address, const std::string& event,
              const std::string& current_ap, const std::string& previous_ap);

  const ApiContext& ctx_;
  NotificationSink& sink_;
  std::map<std::int64_t, Subscription> subs_;
  std::int64_t next_id_ = 1;
};

}  // namespace fmc::api

#pragma once
// The Location Mapper (paper §III.B, Fig. 4 step 10): for every service,
// scores the data centers for the access networks its users are in now and
// lets the configured policy decide whether the VM should move, and each
// part of the service that follows its users (with what copying it costs).
// A move the policy wants must hold for the dwell time (threshold and mdp
// policies) so that a user walking along a cell border does not make the VM
// ping-pong; it is not re-ordered while a migration of it runs, and after a
// failed or refused one it waits retry_after_s. Every judgement that changes
// is published as a PlacementDecision (with the scores).
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fmc/events/clock.hpp"
#include "fmc/events/event_bus.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/placement/placement_policy.hpp"
#include "fmc/migration/migration.hpp"
#include "fmc/model/network_model.hpp"

namespace fmc {

class MigrationManager;

class LocationMapper {
 public:

  LocationMapper(const model::NetworkModel& model, const LocationManager& locations, EventBus& bus,
                 placement::DelayOf delay, const Clock& clock);

  // Who carries decisions out; without one the mapper only judges.
  void use(MigrationManager* migrations) { migrations_ = migrations; }
  // With several controllers: judges only services whose VM is at a site this controller
  // answers for (the master of its scope); by default every service.
  using Answers = std::function<bool(const std::string& site)>;
  void answer_for(Answers answers) { answers_ = std::move(answers); }
  const model::PlacementSettings& settings() const { return settings_; }
  // Replaces the policy and its parameters (learnt mobility starts afresh).
  void set_settings(const model::PlacementSettings& settings);

  // Learns from users' moves and notes migration outcomes.
  void on_event(const FmcEvent& e);
  // Judges every service (users moved, a dwell ran out, delays changed).
  void tick();

  struct PartState {
    const model::ServicePart* spec = nullptr;
    std::string current_dc;
    std::optional<PlacementDecision> last;
  };
  struct ServiceState {
    const model::ServiceSpec* spec = nullptr;
    std::string current_dc;  // of its VM
    std::optional<PlacementDecision> last;
    std::vector<PartState> parts;
  };
  std::vector<ServiceState> services() const;
  // A data center's utilisation as its hypervisors last reported it (UtilisationMeasured);
  // nullopt: never reported, the YAML's figure is used.
  std::optional<double> measured_utilisation(const std::string& dc) const;

 private:
  struct Pending {
    std::string to;
    double since_s = 0;
  };
  struct Judged {
    std::optional<Pending> pending;
    std::optional<PlacementDecision> last;
    double hold_until_s = 0;  // after a failed or refused migration
  };

  using Start = std::function<Result<Migration, std::string>(const std::string& to)>;
  void judge(const model::ServiceSpec& service);
  // One placeable unit of `service` (its VM, or a part): judged under `key`, moved as `what`.
  void judge_unit(const model::ServiceSpec& service, const std::string& key, const std::string& what,
                  const placement::ServiceView& v, const Start& start);
  std::string dc_of(const std::string& vm) const;
  void publish(Judged& j, PlacementDecision d);
  double now_s() const { return clock_.steady_s(); }

  const model::NetworkModel& model_;
  const LocationManager& locations_;
  EventBus& bus_;
  placement::DelayOf delay_;
  const Clock& clock_;
  model::PlacementSettings settings_;
  std::unique_ptr<placement::PlacementPolicy> policy_;
  MigrationManager* migrations_ = nullptr;
  Answers answers_;
  std::map<std::string, Judged> judged_;  // by service name (its VM) or "service/part"
  std::set<std::string> due_;              // services whose users moved since the last tick
  std::map<std::string, double> utilisation_;  // by data center, as measured
  double next_sweep_s_ = 0;
};

}  // namespace fmc

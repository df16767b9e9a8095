#pragma once
// The rules each switch holds, counted from the flow-mods the controller
// sends it: a stand-in switch for the scale harness that keeps one small
// record per flow (its identity, cookie and IPv4 match) instead of the flow.
// It applies exactly what the Follow-Me apps send: adds (an add with the
// table, priority and match of a held flow replaces it), deletes by cookie,
// and deletes by owner cookie bits and IPv4 source or destination; anything
// else is refused (counted in `unsupported`), so a count never silently
// drifts from what a real switch would hold.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "control_designs.hpp"
#include "controller/datapath.hpp"

namespace fmc::scale {

class RuleCensus final : public ctl::Datapath {
 public:
  explicit RuleCensus(of::Dpid dpid) : dpid_(dpid) {}
  of::Dpid dpid() const override { return dpid_; }
  of::Version version() const override { return of::Version::V13; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  of::Xid send(const of::Message& msg) override;
  void barrier(ctl::BarrierCallback done) override { done({}); }

  std::size_t rules() const { return flows_.size(); }
  const RoleCounts& rules_by_role() const { return by_role_; }
  // Flows delivering to an endpoint attached here: one per endpoint present.
  std::size_t deliveries() const { return deliveries_; }
  std::uint64_t flow_mods = 0, packet_outs = 0, unsupported = 0;
  bool tally = true;  // false: count messages only (timing the controller without this bookkeeping)

 private:
  struct Flow {
    std::uint64_t cookie;
    std::uint32_t ipv4_src, ipv4_dst;  // 0: not matched
    Role role;
    bool delivers;
  };
  void erase(std::unordered_map<std::uint64_t, Flow>::iterator f);
  void add(const of::FlowMod& fm);
  void delete_by_cookie(std::uint64_t cookie);
  void delete_by_address(const of::FlowMod& fm);

  of::Dpid dpid_;
  std::vector<of::Port> ports_;
  RoleCounts by_role_{};
  std::size_t deliveries_ = 0;
  std::unordered_map<std::uint64_t, Flow> flows_;  // by identity: table, priority, match
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> by_cookie_;  // may name flows gone since
  std::unordered_map<std::uint32_t, std::vector<std::uint64_t>> by_address_;  // likewise
};

}  // namespace fmc::scale

#pragma once
// The rules each switch holds, counted from the flow-mods the controller
// sends it: a stand-in switch for the scale harness that keeps one small
// record per flow (its identity, cookie and IPv4 match) instead of the flow,
// in flat tables indexed by cookie and by address (~64 bytes per rule).
// It applies exactly what the Follow-Me apps send: adds (an add with the
// table, priority and match of a held flow replaces it), deletes by cookie,
// and deletes by owner cookie bits and IPv4 source or destination; anything
// else is refused (counted in `unsupported`), so a count never silently
// drifts from what a real switch would hold.
#include <cstdint>
#include <vector>

#include "control_designs.hpp"
#include "controller/datapath.hpp"
#include "flat_table.hpp"

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
  std::uint64_t flow_mods = 0, unsupported = 0;
  bool tally = true;  // false: count messages only (timing the controller without this bookkeeping)

 private:
  // A flow: its identity (table, priority and match hashed; bits 0-59) with its role
  // (bits 60-61) and whether it delivers (bit 62), its cookie and IPv4 match.
  struct FlowSlot {
    std::uint64_t id = 0, cookie = 0;
    std::uint32_t ipv4_src = 0, ipv4_dst = 0;  // 0: not matched
  };
  struct CookieSlot {  // a flow by its cookie
    std::uint64_t id = 0, cookie = 0;
  };
  struct AddressSlot {  // a flow by an IPv4 address it matches
    std::uint64_t id = 0;
    std::uint32_t address = 0;
  };
  struct FlowHash {
    std::uint64_t operator()(const FlowSlot& s) const;
  };
  struct CookieHash {
    std::uint64_t operator()(const CookieSlot& s) const;
  };
  struct AddressHash {
    std::uint64_t operator()(const AddressSlot& s) const;
  };

  void add(const of::FlowMod& fm);
  void delete_by_cookie(std::uint64_t cookie);
  void delete_by_address(const of::FlowMod& fm);
  FlowSlot* flow(std::uint64_t identity);
  void remove(FlowSlot& f);
  void count(const FlowSlot& f, int sign);

  of::Dpid dpid_;
  std::vector<of::Port> ports_;
  RoleCounts by_role_{};
  std::size_t deliveries_ = 0;
  FlatTable<FlowSlot, FlowHash> flows_;
  FlatTable<CookieSlot, CookieHash> by_cookie_;
  FlatTable<AddressSlot, AddressHash> by_address_;
};

}  // namespace fmc::scale

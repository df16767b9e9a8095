#pragma once
// The one adapter that carries out apps' effects: it knows the connected
// switches (by DPID), sends each message to its switch in order, and turns
// barrier groups into barriers whose replies it gathers. Messages for a
// switch that is not connected are dropped and counted (the app resyncs that
// switch when it comes up). Used on one event loop only.
#include <cstdint>
#include <functional>
#include <vector>

#include "controller/datapath.hpp"
#include "controller/effects.hpp"
#include "util/flat_index.hpp"

namespace fmc::ctl {

class EffectExecutor {
 public:
  void switch_up(Datapath& dp);
  void switch_down(of::Dpid dpid);
  bool connected(of::Dpid dpid) const { return position(dpid) != FlatIndex::kNone; }

  // Sends `e.messages`, then the barriers of its groups. (`e.after_events`
  // is the caller's to send, once the events are handled: see send_after_events.)
  void execute(Effects& e);
  void send_after_events(Effects& e);
  std::uint64_t dropped_for_absent_switch() const { return dropped_; }

 private:
  void send(const Outgoing& o);
  void start(BarrierGroup& group);
  void on_reply(std::uint32_t slot, std::uint32_t generation, const BarrierOutcome& outcome);
  Datapath* find(of::Dpid dpid);
  std::uint32_t position(of::Dpid dpid) const;  // in switches_, or FlatIndex::kNone
  // The connected switches, found by DPID through a flat index (one cache line per lookup:
  // a move sends to a handful of switches out of thousands).
  struct Connected {
    of::Dpid dpid;  // kept: a closing switch's Datapath may be gone before it is told down
    Datapath* dp;
  };
  std::vector<Connected> switches_;
  FlatIndex by_dpid_;
  // The switch found last (an app sends its messages switch by switch), nullptr once the switches change.
  of::Dpid last_dpid_{};
  Datapath* last_ = nullptr;
  std::uint64_t dropped_ = 0;
  // A barrier group whose replies are being gathered, in a slot reused once the group ends (a move
  // starts one; its barriers' callbacks name the slot and its generation, so they allocate nothing
  // and a reply for a group that has ended is ignored).
  struct Gather {
    std::uint32_t generation = 0;
    std::size_t waiting = 0;
    GroupOutcome outcome;
    std::function<void(const GroupOutcome&)> done;
  };
  std::vector<Gather> gathers_;
  std::vector<std::uint32_t> free_gathers_;
};

}  // namespace fmc::ctl

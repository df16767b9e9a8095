#pragma once
// The one adapter that carries out apps' effects: it knows the connected
// switches (by DPID), sends each message to its switch in order, and turns
// barrier groups into barriers whose replies it gathers. Messages for a
// switch that is not connected are dropped and counted (the app resyncs that
// switch when it comes up). Used on one event loop only.
#include <cstdint>
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
};

}  // namespace fmc::ctl

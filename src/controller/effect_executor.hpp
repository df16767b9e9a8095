#pragma once
// The one adapter that carries out apps' effects: it knows the connected
// switches (by DPID), sends each message to its switch in order, and turns
// barrier groups into barriers whose replies it gathers. Messages for a
// switch that is not connected are dropped and counted (the app resyncs that
// switch when it comes up). Used on one event loop only.
#include <cstdint>
#include <unordered_map>

#include "controller/datapath.hpp"
#include "controller/effects.hpp"

namespace fmc::ctl {

class EffectExecutor {
 public:
  void switch_up(Datapath& dp) {
    switches_[dp.dpid()] = &dp;
    last_ = nullptr;
  }
  void switch_down(of::Dpid dpid) {
    switches_.erase(dpid);
    last_ = nullptr;
  }
  bool connected(of::Dpid dpid) const { return switches_.count(dpid) > 0; }

  // Sends `e.messages`, then the barriers of its groups. (`e.after_events`
  // is the caller's to send, once the events are handled: see send_after_events.)
  void execute(Effects& e);
  void send_after_events(Effects& e);
  std::uint64_t dropped_for_absent_switch() const { return dropped_; }

 private:
  void send(const Outgoing& o);
  Datapath* find(of::Dpid dpid);
  std::unordered_map<of::Dpid, Datapath*> switches_;
  // The switch found last (an app sends its messages switch by switch), nullptr once the switches change.
  of::Dpid last_dpid_{};
  Datapath* last_ = nullptr;
  std::uint64_t dropped_ = 0;
};

}  // namespace fmc::ctl

#pragma once
// The one queued event loop of the Follow-Me apps. The dispatch rule:
//
//  1. An input (a switch event, a timer tick, a driver's report) is handled
//     by exactly one handler, inside `handle`. What it publishes is queued.
//  2. When the handler returns, its effects are carried out: its messages
//     and barriers are sent.
//  3. Then queued events are delivered one at a time, in publication order,
//     to every subscriber in subscription order. A subscriber's effects are
//     carried out before the next subscriber runs; what it publishes joins
//     the end of the queue. No handler ever runs inside another.
//  4. Last, once the queue is empty, every "after events" message of the
//     input and of the subscribers is sent (e.g. the packet that revealed a
//     move, re-injected through the flows the move installed).
//
// A publish from outside any handler is an input of its own: delivered at once.
#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "controller/effect_executor.hpp"
#include "fmc/events/events.hpp"

namespace fmc {

class EventBus {
 public:
  using Observer = std::function<void(const FmcEvent&)>;
  using Reaction = std::function<ctl::Effects(const FmcEvent&)>;

  // Without an executor, effects are discarded (tests of pure observers).
  explicit EventBus(ctl::EffectExecutor* executor = nullptr) : executor_(executor) {}
  void use_executor(ctl::EffectExecutor* executor) { executor_ = executor; }

  // Subscribers that only watch (log, store, API, Location Mapper).
  void subscribe(Observer o);
  // Subscribers that answer an event with effects (Packet Manipulator, Mobility Detector).
  void react(Reaction r) { handlers_.push_back(std::move(r)); }

  void publish(FmcEvent e);
  // Sees every published event before it is queued, and may change it; false drops it
  // (the security reports' throttle). One filter; a second replaces the first.
  using Filter = std::function<bool(FmcEvent&)>;
  void filter(Filter f) { filter_ = std::move(f); }

  using Instant = std::chrono::steady_clock::time_point;
  // Runs one input's handler (rule 1) and everything that follows from it (rules 2-4).
  // `arrived`: when the input reached the controller (a switch message read from its
  // connection), for those who measure from there (input_arrived()).
  template <class Handler>
  void handle(Handler&& handler, std::optional<Instant> arrived = std::nullopt) {
    if (depth_ == 0) arrived_ = arrived;
    ++depth_;
    ctl::Effects effects = handler();
    carry_out(effects);
    --depth_;
    if (depth_ == 0) {
      drain();
      arrived_.reset();
    }
  }
  // While an input is handled (its events included): when it arrived, if known.
  std::optional<Instant> input_arrived() const { return arrived_; }  // reset once an input has settled

  std::size_t queued() const { return queue_.size() - next_; }
  // Inside an input's handling: what it changes can wait until it has settled.
  bool busy() const { return depth_ > 0; }
  // Runs `f` each time an input has settled (its events delivered, its messages sent).
  void on_settled(std::function<void()> f) { settled_.push_back(std::move(f)); }

 private:
  void carry_out(ctl::Effects& e);
  void drain();

  ctl::EffectExecutor* executor_;
  std::vector<Reaction> handlers_;
  Filter filter_;
  // The events waiting are queue_[next_...]; emptied once an input's events are all delivered
  // (its buffer kept for the next input's: no allocation per event).
  std::vector<FmcEvent> queue_;
  std::size_t next_ = 0;
  ctl::Effects after_events_;
  std::vector<std::function<void()>> settled_;
  int depth_ = 0;
  std::optional<Instant> arrived_;
};

}  // namespace fmc

#include "fmc/events/event_bus.hpp"

namespace fmc {

void EventBus::subscribe(Observer o) {
  handlers_.push_back([o = std::move(o)](const FmcEvent& e) {
    o(e);
    return ctl::Effects{};
  });
}

void EventBus::publish(FmcEvent e) {
  if (filter_ && !filter_(e)) return;
  queue_.push_back(std::move(e));
  if (depth_ == 0) drain();  // an input of its own, of unknown arrival
}

void EventBus::carry_out(ctl::Effects& e) {
  if (executor_) executor_->execute(e);
  // What is left: the after-event messages and the frames they view (the messages sent have been
  // encoded, so their frames may go with `e`).
  if (!e.empty()) after_events_.append(std::move(e));
}

void EventBus::drain() {
  ++depth_;  // what subscribers publish is queued behind the current event
  while (next_ < queue_.size()) {
    const FmcEvent event = std::move(queue_[next_++]);  // moved out: handlers may publish (and grow the queue)
    for (const auto& h : handlers_) {
      ctl::Effects effects = h(event);
      carry_out(effects);
    }
  }
  queue_.clear();
  next_ = 0;
  --depth_;
  if (executor_) executor_->send_after_events(after_events_);
  after_events_ = ctl::Effects{};
  for (const auto& f : settled_) f();
}

}  // namespace fmc

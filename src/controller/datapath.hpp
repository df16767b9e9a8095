#pragma once
// The handle an app gets for one connected switch. Apps send intents
// through it and never see sockets. Calls must be made on the thread that
// delivered the event (each switch lives on one worker thread).
#include <chrono>
#include <vector>

#include "controller/barrier_tracker.hpp"
#include "openflow/messages.hpp"

namespace fmc::ctl {

class Datapath {
 public:
  virtual ~Datapath() = default;
  virtual of::Dpid dpid() const = 0;
  virtual of::Version version() const = 0;
  virtual const std::vector<of::Port>& ports() const = 0;
  // Queues a message (batched with others into one write); returns its xid. The message is
  // encoded before this returns: what it views (a PACKET_OUT's frame) need not outlive the call.
  // A message the negotiated version cannot express is logged, counted and dropped.
  virtual of::Xid send(const of::Message& msg) = 0;
  // Sends a barrier; `done` runs once the switch has processed everything
  // sent before it, with the errors any of those messages caused.
  virtual void barrier(BarrierCallback done) = 0;
  // When the message being handled was read from the connection (the read that
  // completed it); the clock's epoch when unknown (a fake switch).
  using Instant = std::chrono::steady_clock::time_point;
  virtual Instant received_at() const { return {}; }
};

}  // namespace fmc::ctl

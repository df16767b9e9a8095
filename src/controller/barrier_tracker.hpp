#pragma once
// Barrier-tracked transactions. Every message sent before a barrier belongs
// to that barrier's transaction; an OFPT_ERROR for one of them is attached
// to it, and the barrier's callback learns whether everything applied.
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "openflow/types.hpp"

namespace fmc::ctl {

struct FailedMessage {
  of::Xid xid;
  std::uint16_t type = 0;
  std::uint16_t code = 0;
};

struct BarrierOutcome {
  enum class Status { kApplied, kFailed, kDisconnected };
  Status status = Status::kApplied;
  std::vector<FailedMessage> failures;
  bool ok() const { return status == Status::kApplied; }
};

using BarrierCallback = std::function<void(const BarrierOutcome&)>;

class BarrierTracker {
 public:
  void expect(of::Xid barrier_xid, BarrierCallback done);
  // An error for message `xid`: belongs to the first barrier sent after it.
  // Returns false if no barrier covers it.
  bool on_error(of::Xid xid, std::uint16_t type, std::uint16_t code);
  // Returns false for an unexpected barrier reply.
  bool on_reply(of::Xid barrier_xid);
  void fail_all();
  std::size_t in_flight() const { return pending_.size(); }

 private:
  struct Pending {
    of::Xid xid;
    BarrierCallback done;
    std::vector<FailedMessage> failures;
  };
  std::deque<Pending> pending_;
};

// Xids are allocated in increasing order and may wrap: compare modulo 2^32.
inline bool xid_before(of::Xid a, of::Xid b) { return static_cast<std::int32_t>(a.value - b.value) < 0; }

}  // namespace fmc::ctl

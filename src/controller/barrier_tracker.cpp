#include "controller/barrier_tracker.hpp"

#include <algorithm>

namespace fmc::ctl {

void BarrierTracker::expect(of::Xid barrier_xid, BarrierCallback done) {
  pending_.push_back(Pending{barrier_xid, std::move(done), {}});
}

bool BarrierTracker::on_error(of::Xid xid, std::uint16_t type, std::uint16_t code) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return xid_before(xid, p.xid); });
  if (it == pending_.end()) return false;
  it->failures.push_back(FailedMessage{xid, type, code});
  return true;
}

bool BarrierTracker::on_reply(of::Xid barrier_xid) {
  // Switches answer barriers in order; replies for barriers sent earlier
  // than this one (which the switch must have answered) complete too.
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.xid == barrier_xid; });
  if (it == pending_.end()) return false;
  const auto last = it + 1;
  std::vector<Pending> done(std::make_move_iterator(pending_.begin()), std::make_move_iterator(last));
  pending_.erase(pending_.begin(), last);
  for (auto& p : done) {
    BarrierOutcome outcome;
    outcome.status = p.failures.empty() ? BarrierOutcome::Status::kApplied : BarrierOutcome::Status::kFailed;
    outcome.failures = std::move(p.failures);
    if (p.done) p.done(outcome);
  }
  return true;
}

void BarrierTracker::fail_all() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& p : pending) {
    BarrierOutcome outcome{BarrierOutcome::Status::kDisconnected, std::move(p.failures)};
    if (p.done) p.done(outcome);
  }
}

}  // namespace fmc::ctl

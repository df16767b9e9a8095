#include "controller/effect_executor.hpp"

#include <memory>

#include "util/inline_vector.hpp"

namespace fmc::ctl {

std::uint32_t EffectExecutor::position(of::Dpid dpid) const {
  return by_dpid_.find(of::tag(dpid), [&](std::uint32_t n) { return switches_[n].dpid == dpid; });
}

void EffectExecutor::switch_up(Datapath& dp) {
  last_ = nullptr;
  if (const auto at = position(dp.dpid()); at != FlatIndex::kNone) {
    switches_[at].dp = &dp;
    return;
  }
  by_dpid_.set(of::tag(dp.dpid()), std::uint32_t(switches_.size()), [](std::uint32_t) { return false; });  // a new entry
  switches_.push_back({dp.dpid(), &dp});
}

void EffectExecutor::switch_down(of::Dpid dpid) {
  last_ = nullptr;
  const auto at = position(dpid);
  if (at == FlatIndex::kNone) return;
  by_dpid_.erase(of::tag(dpid), [&](std::uint32_t n) { return n == at; });
  if (at + 1 != switches_.size()) {  // the last one takes its place
    switches_[at] = switches_.back();
    by_dpid_.set(of::tag(switches_[at].dpid), at, [&](std::uint32_t n) { return n == switches_.size() - 1; });
  }
  switches_.pop_back();
}

Datapath* EffectExecutor::find(of::Dpid dpid) {
  if (last_ && last_dpid_ == dpid) return last_;
  const auto at = position(dpid);
  if (at == FlatIndex::kNone) return nullptr;
  last_dpid_ = dpid;
  return last_ = switches_[at].dp;
}

void EffectExecutor::send(const Outgoing& o) {
  if (Datapath* dp = find(o.dpid)) dp->send(o.message);
  else ++dropped_;
}

void EffectExecutor::execute(Effects& e) {
  for (const auto& o : e.messages) send(o);
  e.messages.clear();
  for (auto& group : e.barriers) {
    struct Gather {
      std::size_t waiting = 0;
      GroupOutcome outcome;
      std::function<void(const GroupOutcome&)> done;
    };
    auto gather = std::make_shared<Gather>();
    gather->done = std::move(group.done);
    InlineVector<Datapath*, 8> members;
    for (const auto dpid : group.dpids)
      if (Datapath* dp = find(dpid)) members.push_back(dp);
    gather->waiting = gather->outcome.switches = members.size();
    if (members.empty()) {
      if (gather->done) gather->done(gather->outcome);
      continue;
    }
    for (Datapath* dp : members)
      dp->barrier([gather](const BarrierOutcome& outcome) {
        gather->outcome.ok &= outcome.ok();
        gather->outcome.failures.insert(gather->outcome.failures.end(), outcome.failures.begin(), outcome.failures.end());
        if (--gather->waiting == 0 && gather->done) gather->done(gather->outcome);
      });
  }
  e.barriers.clear();
}

void EffectExecutor::send_after_events(Effects& e) {
  for (const auto& o : e.after_events) send(o);
  e.after_events.clear();
}

}  // namespace fmc::ctl

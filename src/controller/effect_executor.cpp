#include "controller/effect_executor.hpp"

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
  for (auto& group : e.barriers) start(group);
  e.barriers.clear();
}

void EffectExecutor::start(BarrierGroup& group) {
  InlineVector<Datapath*, 8> members;
  for (const auto dpid : group.dpids)
    if (Datapath* dp = find(dpid)) members.push_back(dp);
  if (members.empty()) {
    if (group.done) group.done(GroupOutcome{});
    return;
  }
  std::uint32_t slot;
  if (free_gathers_.empty()) {
    slot = std::uint32_t(gathers_.size());
    gathers_.emplace_back();
  } else {
    slot = free_gathers_.back();
    free_gathers_.pop_back();
  }
  Gather& gather = gathers_[slot];
  gather.waiting = gather.outcome.switches = members.size();
  gather.outcome.ok = true;
  gather.outcome.failures.clear();
  gather.done = std::move(group.done);
  const std::uint32_t generation = gather.generation;
  for (Datapath* dp : members)
    dp->barrier([this, slot, generation](const BarrierOutcome& outcome) { on_reply(slot, generation, outcome); });
}

void EffectExecutor::on_reply(std::uint32_t slot, std::uint32_t generation, const BarrierOutcome& outcome) {
  if (slot >= gathers_.size() || gathers_[slot].generation != generation || gathers_[slot].waiting == 0) return;
  Gather& gather = gathers_[slot];
  gather.outcome.ok &= outcome.ok();
  gather.outcome.failures.insert(gather.outcome.failures.end(), outcome.failures.begin(), outcome.failures.end());
  if (--gather.waiting != 0) return;
  // The slot is free before `done` runs: done may start groups (and grow gathers_).
  auto done = std::move(gather.done);
  const GroupOutcome result = std::move(gather.outcome);
  ++gather.generation;
  free_gathers_.push_back(slot);
  if (done) done(result);
}

void EffectExecutor::send_after_events(Effects& e) {
  for (const auto& o : e.after_events) send(o);
  e.after_events.clear();
}

}  // namespace fmc::ctl

#include "controller/effect_executor.hpp"

#include <memory>

namespace fmc::ctl {

Datapath* EffectExecutor::find(of::Dpid dpid) {
  if (last_ && last_dpid_ == dpid) return last_;
  auto it = switches_.find(dpid);
  if (it == switches_.end()) return nullptr;
  last_dpid_ = dpid;
  return last_ = it->second;
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
    std::vector<Datapath*> members;
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

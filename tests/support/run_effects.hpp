#pragma once
// Carries an app's effects out on FakeDatapaths, as the EffectExecutor and
// the event bus would: messages, barriers, then the after-event messages.
#include <vector>

#include "controller/app.hpp"
#include "controller/effect_executor.hpp"
#include "support/fake_datapath.hpp"

namespace fmc::test_support {

inline void run(ctl::Effects effects, const std::vector<FakeDatapath*>& switches) {
  ctl::EffectExecutor executor;
  for (auto* dp : switches) executor.switch_up(*dp);
  executor.execute(effects);
  executor.send_after_events(effects);
}

}  // namespace fmc::test_support

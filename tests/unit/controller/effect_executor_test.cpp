#include "controller/effect_executor.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "support/fake_datapath.hpp"

namespace fmc::ctl {
namespace {

using test_support::FakeDatapath;

of::Message echo() { return of::EchoRequest{}; }

TEST(EffectExecutor, SendsEachMessageToItsSwitchAndDropsThoseForAbsentOnes) {
  std::vector<std::unique_ptr<FakeDatapath>> dps;
  EffectExecutor executor;
  for (std::uint64_t d = 1; d <= 40; ++d) {  // enough for the index to grow
    dps.push_back(std::make_unique<FakeDatapath>(of::Version::V13, of::Dpid{d}));
    executor.switch_up(*dps.back());
  }
  executor.switch_down(of::Dpid{1});   // the first: the last takes its place
  executor.switch_down(of::Dpid{40});  // the last
  executor.switch_down(of::Dpid{99});  // never up: nothing happens
  Effects e;
  for (std::uint64_t d = 1; d <= 41; ++d) e.send(of::Dpid{d}, echo());
  e.send(of::Dpid{39}, echo());  // again, after another switch
  executor.execute(e);

  EXPECT_FALSE(executor.connected(of::Dpid{1}));
  EXPECT_FALSE(executor.connected(of::Dpid{40}));
  EXPECT_TRUE(executor.connected(of::Dpid{39}));
  EXPECT_EQ(dps[0]->sent.size(), 0u);
  EXPECT_EQ(dps[39]->sent.size(), 0u);
  for (std::size_t i = 1; i < 38; ++i) EXPECT_EQ(dps[i]->sent.size(), 1u) << "switch " << i + 1;
  EXPECT_EQ(dps[38]->sent.size(), 2u);
  EXPECT_EQ(executor.dropped_for_absent_switch(), 3u);  // 1, 40 and 41
}

TEST(EffectExecutor, ASwitchThatReconnectsGetsItsMessagesOnTheNewConnection) {
  FakeDatapath first(of::Version::V13, of::Dpid{7}), second(of::Version::V13, of::Dpid{7});
  EffectExecutor executor;
  executor.switch_up(first);
  Effects before;
  before.send(of::Dpid{7}, echo());
  executor.execute(before);
  executor.switch_up(second);  // the same DPID on a new connection, before the old one was told down
  Effects after;
  after.send(of::Dpid{7}, echo());
  executor.execute(after);
  EXPECT_EQ(first.sent.size(), 1u);
  EXPECT_EQ(second.sent.size(), 1u);
  executor.switch_down(of::Dpid{7});
  EXPECT_FALSE(executor.connected(of::Dpid{7}));
}

}  // namespace
}  // namespace fmc::ctl

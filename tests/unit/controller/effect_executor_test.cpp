#include "controller/effect_executor.hpp"

#include <gtest/gtest.h>

#include <functional>
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

BarrierOutcome applied() { return {}; }
BarrierOutcome failed(std::uint32_t xid) {
  BarrierOutcome o;
  o.status = BarrierOutcome::Status::kFailed;
  o.failures.push_back({of::Xid{xid}, 4, 1});
  return o;
}

TEST(EffectExecutor, ABarrierGroupEndsOnceWhenEverySwitchHasAnswered) {
  FakeDatapath a(of::Version::V13, of::Dpid{1}), b(of::Version::V13, of::Dpid{2});
  EffectExecutor executor;
  executor.switch_up(a);
  executor.switch_up(b);
  std::vector<GroupOutcome> ended;
  Effects e;
  e.confirm({of::Dpid{1}, of::Dpid{2}, of::Dpid{3}}, [&](const GroupOutcome& o) { ended.push_back(o); });  // 3 is absent
  e.confirm({of::Dpid{3}}, [&](const GroupOutcome& o) { ended.push_back(o); });  // no switch: ends at once
  executor.execute(e);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].switches, 0u);
  EXPECT_TRUE(ended[0].ok);
  ASSERT_EQ(a.barriers.size(), 1u);
  ASSERT_EQ(b.barriers.size(), 1u);

  b.barriers[0](failed(9));
  EXPECT_EQ(ended.size(), 1u);  // a has not answered
  a.barriers[0](applied());
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended[1].switches, 2u);
  EXPECT_FALSE(ended[1].ok);
  ASSERT_EQ(ended[1].failures.size(), 1u);
  EXPECT_EQ(ended[1].failures[0].xid, of::Xid{9});

  // A reply repeated after the group ended changes nothing, even once its slot holds a new group.
  a.barriers[0](applied());
  EXPECT_EQ(ended.size(), 2u);
  Effects next;
  next.confirm({of::Dpid{1}, of::Dpid{2}}, [&](const GroupOutcome& o) { ended.push_back(o); });
  executor.execute(next);
  a.barriers[0](failed(1));  // stale: the earlier group's
  b.barriers[0](applied());
  EXPECT_EQ(ended.size(), 2u);
  a.barriers[1](applied());
  EXPECT_EQ(ended.size(), 2u);  // b's stale reply did not count for the new group
  b.barriers[1](applied());
  ASSERT_EQ(ended.size(), 3u);
  EXPECT_TRUE(ended[2].ok);
  EXPECT_TRUE(ended[2].failures.empty());
}

TEST(EffectExecutor, AGroupEndedFromInsideABarrierCallbackMayStartAnother) {
  FakeDatapath a(of::Version::V13, of::Dpid{1});
  EffectExecutor executor;
  executor.switch_up(a);
  int rounds = 0;
  std::function<void(const GroupOutcome&)> again = [&](const GroupOutcome& o) {
    EXPECT_TRUE(o.ok);
    if (++rounds == 20) return;
    Effects more;  // several groups at once, so the slots grow while a callback runs
    more.confirm({of::Dpid{1}}, again);
    more.confirm({of::Dpid{1}}, [](const GroupOutcome&) {});
    executor.execute(more);
  };
  Effects e;
  e.confirm({of::Dpid{1}}, again);
  executor.execute(e);
  for (std::size_t i = 0; i < a.barriers.size(); ++i) {  // grows as it goes: call a copy
    const auto reply = a.barriers[i];
    reply(applied());
  }
  EXPECT_EQ(rounds, 20);
  EXPECT_EQ(a.barriers.size(), 1u + 2u * 19u);
}

}  // namespace
}  // namespace fmc::ctl

#include "controller/barrier_tracker.hpp"

#include <gtest/gtest.h>

using namespace fmc;
using namespace fmc::ctl;

TEST(BarrierTracker, ErrorsAttachToTheBarrierThatCoversThem) {
  BarrierTracker t;
  std::vector<BarrierOutcome> seen;
  t.expect(of::Xid{10}, [&](const BarrierOutcome& o) { seen.push_back(o); });
  t.expect(of::Xid{20}, [&](const BarrierOutcome& o) { seen.push_back(o); });
  EXPECT_TRUE(t.on_error(of::Xid{15}, 5, 0));
  EXPECT_TRUE(t.on_reply(of::Xid{10}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].ok());
  EXPECT_TRUE(t.on_reply(of::Xid{20}));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].status, BarrierOutcome::Status::kFailed);
  ASSERT_EQ(seen[1].failures.size(), 1u);
  EXPECT_EQ(seen[1].failures[0].xid, of::Xid{15});
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(BarrierTracker, ALaterReplyCompletesEarlierBarriers) {
  BarrierTracker t;
  int done = 0;
  t.expect(of::Xid{1}, [&](const BarrierOutcome&) { ++done; });
  t.expect(of::Xid{2}, [&](const BarrierOutcome&) { ++done; });
  EXPECT_TRUE(t.on_reply(of::Xid{2}));
  EXPECT_EQ(done, 2);
  EXPECT_FALSE(t.on_reply(of::Xid{3}));
}

TEST(BarrierTracker, ErrorsAfterTheLastBarrierAreNotClaimed) {
  BarrierTracker t;
  t.expect(of::Xid{5}, nullptr);
  EXPECT_FALSE(t.on_error(of::Xid{6}, 1, 1));
}

TEST(BarrierTracker, DisconnectFailsEverythingPending) {
  BarrierTracker t;
  std::vector<BarrierOutcome::Status> seen;
  t.expect(of::Xid{1}, [&](const BarrierOutcome& o) { seen.push_back(o.status); });
  t.expect(of::Xid{2}, [&](const BarrierOutcome& o) { seen.push_back(o.status); });
  t.fail_all();
  EXPECT_EQ(seen, (std::vector{BarrierOutcome::Status::kDisconnected, BarrierOutcome::Status::kDisconnected}));
}

TEST(BarrierTracker, XidOrderSurvivesWrapAround) {
  EXPECT_TRUE(xid_before(of::Xid{0xfffffff0}, of::Xid{5}));
  EXPECT_FALSE(xid_before(of::Xid{5}, of::Xid{0xfffffff0}));
  BarrierTracker t;
  std::vector<BarrierOutcome> seen;
  t.expect(of::Xid{3}, [&](const BarrierOutcome& o) { seen.push_back(o); });
  EXPECT_TRUE(t.on_error(of::Xid{0xffffffff}, 2, 4));
  t.on_reply(of::Xid{3});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].ok());
}

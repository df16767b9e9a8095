// The PACKET_IN caps, with times given by the test.
#include "controller/packet_in_limiter.hpp"

#include <gtest/gtest.h>

using fmc::ctl::PacketInLimiter;
using Verdict = PacketInLimiter::Verdict;
using namespace std::chrono_literals;

namespace {
int admitted(PacketInLimiter& l, std::uint32_t port, int n, PacketInLimiter::Time at) {
  int ok = 0;
  for (int i = 0; i < n; ++i) ok += l.admit(port, at) == Verdict::kAdmit;
  return ok;
}
}  // namespace

TEST(PacketInLimiter, APortGetsItsRateAndOtherPortsKeepTheirs) {
  PacketInLimiter l(0, 100);
  const PacketInLimiter::Time t0{};
  EXPECT_EQ(admitted(l, 7, 500, t0), 100);  // a burst of one second's worth
  EXPECT_EQ(l.admit(7, t0), Verdict::kOverPort);
  EXPECT_EQ(admitted(l, 8, 50, t0), 50);    // another port is not touched
  EXPECT_EQ(admitted(l, 7, 500, t0 + 100ms), 10);  // refilled at 100/s
  EXPECT_EQ(admitted(l, 7, 500, t0 + 10s), 100);   // never more than the burst
}

TEST(PacketInLimiter, TheSwitchCapHoldsOverAllPorts) {
  PacketInLimiter l(50, 0);
  const PacketInLimiter::Time t0{};
  int ok = 0;
  for (std::uint32_t port = 1; port <= 100; ++port) ok += l.admit(port, t0) == Verdict::kAdmit;
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(l.admit(1, t0), Verdict::kOverSwitch);
  EXPECT_EQ(admitted(l, 1, 100, t0 + 200ms), 10);
}

TEST(PacketInLimiter, ZeroMeansNoCapAndManyPortsShareOneBucketPastTheBound) {
  PacketInLimiter none(0, 0);
  EXPECT_EQ(admitted(none, 1, 100000, {}), 100000);
  PacketInLimiter l(0, 1);
  for (std::uint32_t port = 1; port <= PacketInLimiter::kMaxPorts; ++port) ASSERT_EQ(l.admit(port, {}), Verdict::kAdmit);
  // A switch inventing port numbers gets one more bucket in all, not one per number.
  EXPECT_EQ(l.admit(1'000'000, {}), Verdict::kAdmit);
  EXPECT_EQ(l.admit(1'000'001, {}), Verdict::kOverPort);
}

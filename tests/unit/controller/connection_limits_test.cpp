// Connection limits: in all and per source address; a slot frees its place when dropped.
#include "controller/connection_limits.hpp"

#include <gtest/gtest.h>

using fmc::ctl::ConnectionLimits;

TEST(ConnectionLimits, PerAddressAndInAllEachSlotFreesItsPlace) {
  ConnectionLimits limits(3, 2);
  std::string why;
  auto a1 = limits.admit("10.0.0.1", why), a2 = limits.admit("10.0.0.1", why);
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(limits.admit("10.0.0.1", why));
  EXPECT_EQ(why, "10.0.0.1 already holds 2 connections");
  auto b1 = limits.admit("10.0.0.2", why);
  ASSERT_TRUE(b1);
  EXPECT_FALSE(limits.admit("10.0.0.3", why));
  EXPECT_EQ(why, "the controller already holds 3 connections");
  EXPECT_EQ(limits.open(), 3u);
  a1.reset();
  EXPECT_EQ(limits.open(), 2u);
  EXPECT_TRUE(limits.admit("10.0.0.1", why)) << "a dropped slot makes room for its address again";
  EXPECT_EQ(limits.open(), 2u) << "(and that one was dropped at once)";
}

TEST(ConnectionLimits, SlotsMayOutliveTheLimiter) {
  ConnectionLimits::Slot slot;
  {
    ConnectionLimits limits(1, 1);
    std::string why;
    slot = limits.admit("10.0.0.1", why);
  }
  slot.reset();  // a session ending after the controller: no use after free (ASan)
}

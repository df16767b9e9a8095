// Security reports thinned per source: the first at once, a flood as one report a window.
#include "fmc/events/security_throttle.hpp"

#include <gtest/gtest.h>

#include "fmc/events/event_bus.hpp"

using namespace fmc;
using namespace std::chrono_literals;

namespace {
SecurityEvent spoof(std::uint32_t port) {
  return SecurityEvent{SecurityKind::kSpoofedMove, "vm1 appeared at dc2", of::Dpid{0xd2}, of::PortNo{port}};
}
}  // namespace

TEST(SecurityThrottle, AFloodFromOnePortIsOneReportAWindowThatSaysHowManyItStandsFor) {
  ManualClock clock;
  SecurityThrottle throttle(clock, 1s);
  int reported = 0;
  std::string last;
  for (int i = 0; i < 100000; ++i) {  // 100,000 refused frames over 5 s
    clock.advance(50us);
    auto e = spoof(7);
    if (throttle.admit(e)) {
      ++reported;
      last = e.detail;
    }
  }
  EXPECT_EQ(reported, 5);
  EXPECT_EQ(throttle.held_back(), 99995u);
  EXPECT_NE(last.find("(and 19999 more like it before"), std::string::npos) << last;

  // Another port, or another kind, is its own source: reported at once.
  auto other_port = spoof(8);
  EXPECT_TRUE(throttle.admit(other_port));
  SecurityEvent other_kind{SecurityKind::kArpConflict, "x", of::Dpid{0xd2}, of::PortNo{7}};
  EXPECT_TRUE(throttle.admit(other_kind));
  // The flood stops: the next report from that port accounts for the end of it,
  clock.advance(2s);
  auto after_flood = spoof(7);
  EXPECT_TRUE(throttle.admit(after_flood));
  EXPECT_EQ(after_flood.detail, "vm1 appeared at dc2 (and 19999 more like it before, not reported one by one)");
  // and one after a quiet window is reported as it is.
  clock.advance(2s);
  auto later = spoof(7);
  EXPECT_TRUE(throttle.admit(later));
  EXPECT_EQ(later.detail, "vm1 appeared at dc2");
}

TEST(EventBus, AFilterSeesEachEventFirstAndMayDropIt) {
  EventBus bus;
  ManualClock clock;
  SecurityThrottle throttle(clock);
  bus.filter([&](FmcEvent& e) {
    auto* s = std::get_if<SecurityEvent>(&e);
    return !s || throttle.admit(*s);
  });
  int security = 0, moves = 0;
  bus.subscribe([&](const FmcEvent& e) {
    security += std::holds_alternative<SecurityEvent>(e);
    moves += std::holds_alternative<EndpointMoved>(e);
  });
  for (int i = 0; i < 10; ++i) {
    bus.publish(spoof(7));
    bus.publish(EndpointMoved{});
  }
  EXPECT_EQ(security, 1);
  EXPECT_EQ(moves, 10) << "other events pass untouched";
}

// The queued event loop: no handler runs inside another.
#include "fmc/events/event_bus.hpp"

#include <gtest/gtest.h>

using namespace fmc;

TEST(EventBus, AnEventPublishedDuringAHandlerIsDeliveredAfterItReturns) {
  EventBus bus;
  std::vector<std::string> log;
  bus.subscribe([&](const FmcEvent& e) {
    if (std::holds_alternative<PathMeasured>(e)) {
      log.push_back("first: start");
      bus.publish(SecurityEvent{SecurityKind::kArpConflict, "raised by the first handler", {}, {}});
      log.push_back("first: end");
    } else {
      log.push_back("first: security");
    }
  });
  bus.subscribe([&](const FmcEvent& e) {
    log.push_back(std::holds_alternative<PathMeasured>(e) ? "second: path" : "second: security");
  });
  bus.publish(PathMeasured{"wlan1", "dc1", 1.0});
  EXPECT_EQ(log, (std::vector<std::string>{"first: start", "first: end", "second: path", "first: security",
                                           "second: security"}));
  EXPECT_EQ(bus.queued(), 0u);
}

TEST(EventBus, WhatAnInputPublishesWaitsUntilTheInputsHandlerReturns) {
  EventBus bus;
  std::vector<std::string> log;
  bus.subscribe([&](const FmcEvent&) { log.push_back("delivered"); });
  bus.handle([&] {
    bus.publish(PathMeasured{"wlan1", "dc1", 1.0});
    log.push_back("handler still running");
    return ctl::Effects{};
  });
  EXPECT_EQ(log, (std::vector<std::string>{"handler still running", "delivered"}));
}

TEST(EventBus, AnInputsArrivalIsKnownWhileItAndItsEventsAreHandled) {
  EventBus bus;
  const auto arrived = std::chrono::steady_clock::time_point{std::chrono::milliseconds(42)};
  std::vector<bool> seen;
  bus.subscribe([&](const FmcEvent&) { seen.push_back(bus.input_arrived() == arrived); });
  bus.handle(
      [&] {
        seen.push_back(bus.input_arrived() == arrived);
        bus.publish(PathMeasured{"wlan1", "dc1", 1.0});
        return ctl::Effects{};
      },
      arrived);
  EXPECT_EQ(seen, (std::vector<bool>{true, true}));
  EXPECT_FALSE(bus.input_arrived());  // between inputs
  bus.publish(PathMeasured{"wlan1", "dc1", 2.0});  // a publish outside any input, right after one that had
  EXPECT_EQ(seen.back(), false);
  bus.handle([&] {
    EXPECT_FALSE(bus.input_arrived());  // an input of unknown arrival
    return ctl::Effects{};
  });
}

TEST(EventBus, AnInputSettlesOnceAfterEveryEventItCausedWasDelivered) {
  EventBus bus;
  std::vector<std::string> log;
  bus.subscribe([&](const FmcEvent& e) {
    log.push_back(std::string("event, busy ") + (bus.busy() ? "yes" : "no"));
    if (std::holds_alternative<PathMeasured>(e)) bus.publish(SecurityEvent{SecurityKind::kArpConflict, "follow-up", {}, {}});
  });
  bus.on_settled([&] { log.push_back("settled"); });
  EXPECT_FALSE(bus.busy());
  bus.handle([&] {
    log.push_back(std::string("input, busy ") + (bus.busy() ? "yes" : "no"));
    bus.publish(PathMeasured{"wlan1", "dc1", 1.0});
    return ctl::Effects{};
  });
  EXPECT_EQ(log, (std::vector<std::string>{"input, busy yes", "event, busy yes", "event, busy yes", "settled"}));
  EXPECT_FALSE(bus.busy());
}

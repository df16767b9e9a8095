// The one JSON form of an event: its fields, and when the controller saw it if stamped.
#include "fmc/events/event_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace fmc;

TEST(EventJson, AStampedEventCarriesBothClocksAndAnUnstampedOneNeither) {
  const FmcEvent moved = EndpointMoved{"client1", std::nullopt, Location{"wlan2", of::Dpid{0xa2}, of::PortNo{3}},
                                       MoveCause::kDhcp, false};
  const EventText plain = event_json(moved);
  EXPECT_EQ(plain.kind, "EndpointMoved");
  const auto p = nlohmann::json::parse(plain.json);
  EXPECT_EQ(p["endpoint"], "client1");
  EXPECT_EQ(p["to"]["site"], "wlan2");
  EXPECT_EQ(p["cause"], "dhcp");
  EXPECT_FALSE(p.contains("at_ms"));
  EXPECT_FALSE(p.contains("steady_us"));

  const EventText stamped = event_json(moved, EventTime{1'796'000'000'123, 42'000'007});
  EXPECT_EQ(stamped.kind, "EndpointMoved");
  const auto s = nlohmann::json::parse(stamped.json);
  EXPECT_EQ(s["at_ms"], 1'796'000'000'123);
  EXPECT_EQ(s["steady_us"], 42'000'007);
  EXPECT_EQ(s.size(), p.size() + 2);  // the event's own fields unchanged
}

TEST(EventJson, EveryKindIsNamedAndOneLine) {
  const std::vector<std::pair<FmcEvent, std::string>> all{
      {SecurityEvent{SecurityKind::kGatewayClaim, "x\ny", of::Dpid{1}, of::PortNo{2}}, "SecurityEvent"},
      {MigrationStep{7, "vm1", "dc1", "dc2", MigrationPhase::kCompleted, 9.5, ""}, "MigrationStep"},
      {PlacementDecision{"svc", "vm1", "nearest", "dc1", "dc2", PlacementAction::kMigrate, "closer", {{"dc2", 1.0}}, 0},
       "PlacementDecision"},
      {PathMeasured{"wlan2", "dc2", 3.5}, "PathMeasured"},
      {FlowsRefused{"vm1", "dc2", 2, true, 1}, "FlowsRefused"},
      {EndpointLocated{"vm1", "dc2"}, "EndpointLocated"},
      {UtilisationMeasured{"dc2", 0.5}, "UtilisationMeasured"}};
  for (const auto& [event, kind] : all) {
    const EventText t = event_json(event, EventTime{1, 2});
    EXPECT_EQ(t.kind, kind);
    EXPECT_EQ(t.json.find('\n'), std::string::npos) << t.json;
    EXPECT_EQ(nlohmann::json::parse(t.json)["steady_us"], 2) << kind;
  }
}

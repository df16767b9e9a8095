// Readings of the servers' utilisation: taken whole or refused with a reason.
#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"
#include "fmc/placement/utilisation_monitor.hpp"

using namespace fmc;

namespace {
const model::NetworkModel& fig1() {
  static const model::NetworkModel m = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  return m;
}
}  // namespace

TEST(Utilisation, TheLastJsonObjectOfTheOutputIsTheReading) {
  const auto r = parse_utilisation("sampling 0.5 s\n{\"dc1\": 0.9}\n{\"dc1\": 0.12, \"dc2\": 1}\n", fig1());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, (UtilisationReading{{"dc1", 0.12}, {"dc2", 1.0}}));
  const auto partial = parse_utilisation("{\"dc2\": 0}", fig1());
  ASSERT_TRUE(partial);
  EXPECT_EQ(*partial, (UtilisationReading{{"dc2", 0.0}}));  // dc1 not reported: its last value stays
}

TEST(Utilisation, AReadingIsRefusedWholeWithAReason) {
  const std::pair<const char*, const char*> bad[] = {
      {"", "no JSON object"},
      {"load: high\n", "no JSON object"},
      {"{\"dc1\": 0.5,", "not valid JSON"},
      {"{\"dc1\": 0.5, \"dc9\": 0.1}", "no data center 'dc9'"},
      {"{\"wlan1\": 0.1}", "no data center 'wlan1'"},  // an access network has no servers
      {"{\"dc1\": 1.5}", "from 0 to 1, got 1.5"},
      {"{\"dc1\": -0.1}", "from 0 to 1"},
      {"{\"dc1\": \"busy\"}", "from 0 to 1, got \"busy\""},
      {"[0.1, 0.2]", "no JSON object"},
  };
  for (const auto& [output, why] : bad) {
    const auto r = parse_utilisation(output, fig1());
    ASSERT_FALSE(r) << output;
    EXPECT_NE(r.error().find(why), std::string::npos) << output << " -> " << r.error();
  }
}

TEST(Utilisation, TheMonitorRunsTheCommandAndReportsEachOutcome) {
  using namespace std::chrono_literals;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<UtilisationReading, std::string>> got;
  auto post = [&](std::function<void()> fn) {
    std::lock_guard lock(mu);
    fn();
    cv.notify_all();
  };
  auto on = [&](const Result<UtilisationReading, std::string>& r) { got.push_back(r); };
  const auto wait_for = [&](std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return got.size() >= n; });
  };
  {
    UtilisationMonitor ok({"sh", "-c", "echo '{\"dc2\": 0.25}'"}, 5000ms, fig1(), post, on);
    ASSERT_TRUE(wait_for(1));
  }
  ASSERT_TRUE(got[0]) << got[0].error();
  EXPECT_EQ(*got[0], (UtilisationReading{{"dc2", 0.25}}));
  {
    UtilisationMonitor failing({"sh", "-c", "echo no hypervisor; exit 3"}, 5000ms, fig1(), post, on);
    ASSERT_TRUE(wait_for(2));
  }
  ASSERT_FALSE(got[1]);
  EXPECT_NE(got[1].error().find("exit 3"), std::string::npos) << got[1].error();
  {
    UtilisationMonitor slow({"sleep", "30"}, 1000ms, fig1(), post, on);
    ASSERT_TRUE(wait_for(3));
  }  // and stopping it does not wait for the command
  ASSERT_FALSE(got[2]);
  EXPECT_NE(got[2].error().find("did not finish within the interval"), std::string::npos) << got[2].error();
}

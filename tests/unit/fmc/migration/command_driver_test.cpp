#include "fmc/migration/command_driver.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace fmc::migration;
using namespace std::chrono_literals;

namespace {

// Runs posted completions on the test thread, like an event loop would.
struct Loop {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::function<void()>> posted;
  CommandDriver::Post post() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mu);
      posted.push_back(std::move(f));
      cv.notify_all();
    };
  }
  bool run_one(std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, timeout, [this] { return !posted.empty(); })) return false;
    auto f = std::move(posted.front());
    posted.erase(posted.begin());
    lock.unlock();
    f();
    return true;
  }
};

const Request kRequest{"vm1", "dc1", "dc2", "netns:dc1"};

}  // namespace

TEST(CommandDriver, CompletesWithTheReportedDowntimeAndSubstitutesPlaceholders) {
  Loop loop;
  CommandDriver d("netns", {"/bin/sh", "-c", "echo moving {vm} {from} {to}; echo '{\"downtime_ms\": 12.5}'"}, loop.post());
  std::optional<Result> got;
  const auto id = d.start(kRequest, {[&](MigrationId done_id, const Result& r) {
    EXPECT_EQ(done_id, 1u);
    got = r;
  }});
  EXPECT_EQ(id, 1u);
  ASSERT_TRUE(loop.run_one());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->outcome, Outcome::kCompleted);
  EXPECT_EQ(got->downtime, 12500us);
  EXPECT_NE(got->detail.find("moving vm1 dc1 dc2"), std::string::npos);
  EXPECT_FALSE(d.progress(id));
}

TEST(CommandDriver, NonZeroExitIsAFailure) {
  Loop loop;
  CommandDriver d("netns", {"/bin/sh", "-c", "echo no such VM >&2; exit 1"}, loop.post());
  std::optional<Result> got;
  d.start(kRequest, {[&](MigrationId, const Result& r) { got = r; }});
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(got->outcome, Outcome::kFailed);
  EXPECT_NE(got->detail.find("no such VM"), std::string::npos);
}

TEST(CommandDriver, MissingProgramIsAFailureNotACrash) {
  Loop loop;
  CommandDriver d("netns", {"/nonexistent/migrate"}, loop.post());
  std::optional<Result> got;
  d.start(kRequest, {[&](MigrationId, const Result& r) { got = r; }});
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(got->outcome, Outcome::kFailed);
}

TEST(CommandDriver, CancelStopsARunningMigration) {
  Loop loop;
  // The shell forks `sleep` and stays its parent: the cancel stops the
  // command even though its child still holds the output pipe open.
  CommandDriver d("netns", {"/bin/sh", "-c", "sleep 2; true"}, loop.post());
  std::optional<Result> got;
  const auto id = d.start(kRequest, {[&](MigrationId, const Result& r) { got = r; }});
  std::this_thread::sleep_for(100ms);  // let the shell start its child
  ASSERT_TRUE(d.progress(id));
  EXPECT_EQ(d.progress(id)->phase, "running");
  EXPECT_TRUE(d.cancel(id));
  EXPECT_FALSE(d.cancel(id));  // already cancelling
  ASSERT_TRUE(loop.run_one(1500ms));
  EXPECT_EQ(got->outcome, Outcome::kCancelled);
  EXPECT_FALSE(d.cancel(id));  // finished
}

TEST(CommandDriver, SeveralMigrationsRunSideBySide) {
  Loop loop;
  CommandDriver d("netns", {"/bin/sh", "-c", "sleep 0.2; echo '{\"downtime_ms\": 1}'"}, loop.post());
  int completed = 0;
  for (int i = 0; i < 3; ++i) d.start(kRequest, {[&](MigrationId, const Result& r) { completed += r.outcome == Outcome::kCompleted; }});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(completed, 3);
}

TEST(CommandDriver, ReportsTheSwitchoverWhileTheCommandRunsAndOnlyOnce) {
  Loop loop;
  // The step line arrives split across writes, then again; the command goes on after it.
  CommandDriver d("qemu",
                  {"/bin/sh", "-c",
                   "printf '{\"step\": \"swi'; sleep 0.05; echo 'tchover\"}'; echo '{\"step\": \"switchover\"}'; "
                   "sleep 0.3; echo '{\"downtime_ms\": 4}'"},
                  loop.post());
  std::vector<std::string> seen;
  d.start(kRequest, {[&](MigrationId, const Result& r) { seen.push_back(to_string(r.outcome)); },
                     [&](MigrationId id) {
                       seen.push_back("switchover");
                       EXPECT_TRUE(d.progress(id)) << "reported while the command still runs";
                     }});
  ASSERT_TRUE(loop.run_one());
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(seen, (std::vector<std::string>{"switchover", "completed"}));
}

TEST(CommandDriver, AnEchoOfTheStepInsideOtherOutputIsNotASwitchover) {
  Loop loop;
  CommandDriver d("qemu", {"/bin/sh", "-c", "echo 'log: {\"step\": \"switchover\"}'; exit 1"}, loop.post());
  int switchovers = 0;
  std::optional<Result> got;
  d.start(kRequest, {[&](MigrationId, const Result& r) { got = r; }, [&](MigrationId) { ++switchovers; }});
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(switchovers, 0);
  EXPECT_EQ(got->outcome, Outcome::kFailed);
}

// Mastership per scope on a real etcd: one master at a time, generations
// that only grow, the next candidate elected when the master resigns or
// dies, and a master cut off from etcd stepping down before its lease ends.
#include "store/etcd/election.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "support/etcd_process.hpp"

using namespace fmc::store::etcd;
using fmc::test_support::EtcdProcess;
using namespace std::chrono_literals;

namespace {

// What one candidate was told, in order.
struct Log {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::int64_t> elected;
  std::vector<std::string> deposed;

  Election::Handlers handlers() {
    return {[this](std::int64_t g) {
              std::lock_guard lock(mu);
              elected.push_back(g);
              cv.notify_all();
            },
            [this](const std::string& why) {
              std::lock_guard lock(mu);
              deposed.push_back(why);
              cv.notify_all();
            }};
  }
  template <class F>
  bool wait(F done, std::chrono::seconds within = 15s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, within, [&] { return done(*this); });
  }
};

std::vector<Endpoint> members(const EtcdProcess& etcd) { return *parse_endpoints(etcd.endpoint()); }

}  // namespace

TEST(Election, OneMasterAtATimeAndTheNextTakesOverWhenItResigns) {
  EtcdProcess etcd;
  Log a, b;
  auto first = std::make_unique<Election>(members(etcd), "/fmc/scopes/s1/master", "controller-a", 3s, a.handlers());
  ASSERT_TRUE(a.wait([](Log& l) { return !l.elected.empty(); }));
  Election second(members(etcd), "/fmc/scopes/s1/master", "controller-b", 3s, b.handlers());
  std::this_thread::sleep_for(1s);  // b campaigns several times meanwhile (every 300 ms)
  {
    std::lock_guard lock(b.mu);
    EXPECT_TRUE(b.elected.empty()) << "two masters at once";
  }
  EXPECT_EQ(first->generation(), a.elected[0]);
  EXPECT_FALSE(second.generation());
  first.reset();  // resigns
  ASSERT_TRUE(b.wait([](Log& l) { return !l.elected.empty(); }, 3s)) << "a resignation frees the key at once";
  EXPECT_GT(b.elected[0], a.elected[0]) << "generations only grow";
  EXPECT_EQ(a.deposed, std::vector<std::string>{"resigned"});
  EtcdClient c(members(etcd));
  EXPECT_EQ((*c.get("/fmc/scopes/s1/master"))->value, "controller-b");
}

TEST(Election, WhenTheMasterDiesTheNextIsElectedOnceItsLeaseExpires) {
  EtcdProcess etcd;
  Log a, b;
  Election first(members(etcd), "/fmc/scopes/s1/master", "controller-a", 2s, a.handlers());
  ASSERT_TRUE(a.wait([](Log& l) { return !l.elected.empty(); }));
  Election second(members(etcd), "/fmc/scopes/s1/master", "controller-b", 2s, b.handlers());
  const auto died = std::chrono::steady_clock::now();
  first.abandon();  // no resignation, no more renewals: as kill -9
  ASSERT_TRUE(b.wait([](Log& l) { return !l.elected.empty(); }, 10s));
  const auto took = std::chrono::steady_clock::now() - died;
  EXPECT_GE(took, 1s) << "not before the dead master's lease could expire";
  EXPECT_GT(b.elected[0], a.elected[0]);
}

TEST(Election, AMasterCutOffFromEtcdStepsDownBeforeItsLeaseExpires) {
  EtcdProcess etcd;
  Log a;
  Election e(members(etcd), "/fmc/scopes/s1/master", "controller-a", 3s, a.handlers());
  ASSERT_TRUE(a.wait([](Log& l) { return !l.elected.empty(); }));
  const auto cut = std::chrono::steady_clock::now();
  etcd.stop();
  ASSERT_TRUE(a.wait([](Log& l) { return !l.deposed.empty(); }, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - cut, 3s) << "stepped down within the TTL";
  EXPECT_NE(a.deposed[0].find("cannot reach etcd"), std::string::npos) << a.deposed[0];
  EXPECT_FALSE(e.generation());
}

// Controllers sharing a store on a real etcd: one taking over a scope first
// learns where the previous master moved endpoints; running side by side,
// each learns the other's moves, and two reports of one endpoint at once end
// in one location everywhere.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <thread>

#include "fmc/follow_me.hpp"
#include "fmc/model/config_yaml.hpp"
#include "store/etcd/etcd_store.hpp"
#include "support/etcd_process.hpp"

using namespace fmc;
using test_support::EtcdProcess;

namespace {

// One controller's event loop: a thread running what is posted, in order.
class Loop {
 public:
  Loop() : thread_([this] { run(); }) {}
  ~Loop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> fn) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_all();
  }
  // Runs `fn` on the loop and returns its result.
  template <class F>
  auto call(F fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    post([&task] { task(); });
    return result.get();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

std::unique_ptr<FollowMe> controller_on(const EtcdProcess& etcd) {
  auto db = store::EtcdStore::open("etcd://" + etcd.endpoint());
  if (!db) throw std::runtime_error(db.error().message);
  auto fm = FollowMe::create(*model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml"), std::move(*db), "etcd");
  if (!fm) throw std::runtime_error(fm.error());
  auto out = std::move(*fm);
  out->run_on([](std::function<void()> fn) { fn(); });  // no loop here: run where it arrives
  return out;
}

}  // namespace

TEST(Takeover, ANewMasterLearnsWhereThePreviousMasterMovedEndpoints) {
  EtcdProcess etcd;
  auto master = controller_on(etcd);
  auto standby = controller_on(etcd);  // started before the move: it does not know it
  ASSERT_TRUE(master->locations().move("vm1", Location{"dc2", of::Dpid{0xd2}, of::PortNo{2}}, MoveCause::kMigration));
  master->flush_store();
  const Endpoint* vm1 = standby->locations().by_name("vm1");
  ASSERT_TRUE(vm1);
  EXPECT_FALSE(vm1->current && vm1->current->site == "dc2");

  std::promise<void> refreshed;
  standby->refresh([&] { refreshed.set_value(); });
  ASSERT_EQ(refreshed.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  ASSERT_TRUE(vm1->current);
  EXPECT_EQ(vm1->current->site, "dc2");
  EXPECT_EQ(vm1->current->dpid, of::Dpid{0xd2});
  master->run_on(nullptr);
  standby->run_on(nullptr);
}

namespace {

// A controller on its own loop, following the others through the store.
struct Sharing {
  Loop loop;
  std::unique_ptr<FollowMe> fm;
  explicit Sharing(const EtcdProcess& etcd) : fm(controller_on(etcd)) {
    fm->run_on([this](std::function<void()> fn) { loop.post(std::move(fn)); });
    if (auto why = fm->share([](const std::string&) { return true; }, {})) throw std::runtime_error(*why);
  }
  ~Sharing() {
    loop.call([this] { fm->run_on(nullptr); return 0; });
  }
  std::optional<Location> where(const std::string& name) {
    return loop.call([&] { return fm->locations().by_name(name)->current; });
  }
};

template <class F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST(Sharing, EachControllerLearnsTheOthersMovesAsTheyHappen) {
  EtcdProcess etcd;
  Sharing a(etcd), b(etcd);
  const Location wlan2{"wlan2", of::Dpid{0xa2}, of::PortNo{2}};
  a.loop.call([&] { return a.fm->locations().move("client1", wlan2, MoveCause::kTraffic); });
  ASSERT_TRUE(eventually([&] { return b.where("client1") == wlan2; }));
  // b published the move for its own apps (they install the rules on its switches).
  const Location dc2{"dc2", of::Dpid{0xd2}, of::PortNo{2}};
  b.loop.call([&] { return b.fm->locations().move("vm1", dc2, MoveCause::kMigration); });
  ASSERT_TRUE(eventually([&] { return a.where("vm1") == dc2; }));
  EXPECT_EQ(b.where("client1"), wlan2);
}

TEST(Sharing, TheSameEndpointReportedByTwoControllersAtOnceEndsInOneLocation) {
  EtcdProcess etcd;
  Sharing a(etcd), b(etcd);
  auto db = store::EtcdStore::open("etcd://" + etcd.endpoint());
  ASSERT_TRUE(db);
  int a_won = 0, b_won = 0;
  for (std::uint32_t round = 0; round < 40; ++round) {
    const Location at_a{"wlan1", of::Dpid{0xa1}, of::PortNo{100 + round}};
    const Location at_b{"wlan2", of::Dpid{0xa2}, of::PortNo{100 + round}};
    // Both report it in the same instant, each on its own loop.
    std::promise<void> go;
    auto start = go.get_future().share();
    a.loop.post([&, start] { start.wait(); a.fm->locations().move("client1", at_a, MoveCause::kTraffic); });
    b.loop.post([&, start] { start.wait(); b.fm->locations().move("client1", at_b, MoveCause::kTraffic); });
    go.set_value();
    a.loop.call([&] { a.fm->flush_store(); return 0; });
    b.loop.call([&] { b.fm->flush_store(); return 0; });
    std::optional<Location> stored;
    ASSERT_TRUE(eventually([&] {
      auto records = (*db)->endpoints();
      if (!records) return false;
      for (const auto& r : *records)
        if (r.name == "client1") stored = Location{r.current_site, of::Dpid{r.dpid}, of::PortNo{r.port}};
      return stored && a.where("client1") == stored && b.where("client1") == stored;
    })) << "round " << round << ": stored " << (stored ? stored->site : "-") << ", a has "
        << (a.where("client1") ? a.where("client1")->site : "-") << ", b has "
        << (b.where("client1") ? b.where("client1")->site : "-");
    (*stored == at_a ? a_won : b_won)++;
  }
  std::cout << "of 40 simultaneous reports, a's stood " << a_won << " times, b's " << b_won << "\n";
}

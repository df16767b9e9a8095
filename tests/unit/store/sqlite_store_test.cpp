#include "store/sqlite_store.hpp"
#include "store/write_behind.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace fmc::store;
using fmc::Ok;
using fmc::Unexpected;

namespace {

class TempDb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fmc-store-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "fmc.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<SqliteStore> open() {
    auto s = SqliteStore::open(path_);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  std::filesystem::path dir_;
  std::string path_;
};

EndpointRecord vm1() {
  return EndpointRecord{"vm1", EndpointKind::kVm, "02:00:00:01:00:10", "10.1.0.10", "dc1", "dc1", 0xd1, 2, "", 1000};
}

}  // namespace

TEST_F(TempDb, EndpointsSurviveReopen) {
  {
    auto db = open();
    ASSERT_TRUE(db->put_endpoint(vm1()));
    auto moved = vm1();
    moved.current_site = "dc2";
    moved.dpid = 0xd2;
    moved.visiting_ip = "10.2.0.200";
    moved.updated_ms = 2000;
    ASSERT_TRUE(db->put_endpoint(moved));  // upsert, not a second row
    ASSERT_TRUE(db->add_location_change(LocationChange{"vm1", "dc1", "dc2", "migration", 2000}));
  }
  auto db = open();
  auto all = db->endpoints();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].current_site, "dc2");
  EXPECT_EQ((*all)[0].visiting_ip, "10.2.0.200");
  EXPECT_EQ((*all)[0].dpid, 0xd2u);
  auto history = db->location_history("vm1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].cause, "migration");
}

TEST_F(TempDb, MacAddressesAreUnique) {
  auto db = open();
  ASSERT_TRUE(db->put_endpoint(vm1()));
  auto clash = vm1();
  clash.name = "impostor";
  auto r = db->put_endpoint(clash);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("UNIQUE"), std::string::npos) << r.error().message;
  EXPECT_EQ(db->endpoints()->size(), 1u);
}

TEST_F(TempDb, MigrationsInsertThenUpdate) {
  auto db = open();
  MigrationRecord m{0, "vm1", "dc1", "dc2", "running", 10, 0, ""};
  auto id = db->put_migration(m);
  ASSERT_TRUE(id);
  EXPECT_GT(*id, 0);
  m.id = *id;
  m.state = "completed";
  m.finished_ms = 700;
  ASSERT_TRUE(db->put_migration(m));
  auto all = db->migrations();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, "completed");
  m.id = 999;  // an id chosen by the caller is created
  EXPECT_EQ(db->put_migration(m).value(), 999);
  EXPECT_EQ(db->migrations()->size(), 2u);
}

TEST_F(TempDb, EventsAreSequenced) {
  auto db = open();
  auto a = db->append_event(EventRecord{0, 1, "EndpointMoved", R"({"endpoint":"vm1"})"});
  auto b = db->append_event(EventRecord{0, 2, "SecurityEvent", R"({"reason":"spoofed move"})"});
  ASSERT_TRUE(a && b);
  EXPECT_LT(*a, *b);
  auto since = db->events_since(*a);
  ASSERT_TRUE(since);
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].kind, "SecurityEvent");

  // The retention bound: what is older than a number goes, the rest stays.
  auto c = db->append_event(EventRecord{0, 3, "EndpointMoved", "{}"});
  ASSERT_TRUE(c && db->forget_events_before(*b));
  auto kept = db->events_since(0);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].seq, *b);
  EXPECT_EQ((*kept)[1].seq, *c);
}

TEST_F(TempDb, UnusableFileIsAClearError) {
  {
    std::ofstream f(path_);
    f << "this is not a database, it is a text file that is long enough to be read as a header........";
  }
  auto s = SqliteStore::open(path_);
  ASSERT_FALSE(s);
  EXPECT_FALSE(s.error().message.empty());
  auto missing_dir = SqliteStore::open((dir_ / "no" / "such" / "dir.db").string());
  ASSERT_FALSE(missing_dir);
  EXPECT_NE(missing_dir.error().message.find("cannot open database"), std::string::npos);
}

TEST_F(TempDb, LeasesUpsertSurviveReopenAndFreeDeletes) {
  const LeaseRecord a{"wlan1", "10.10.1.100", "hw:02:00:00:00:00:01", "02:00:00:00:00:01", "bound", 5000, "laptop"};
  LeaseRecord b{"wlan1", "10.10.1.101", "hw:02:00:00:00:00:02", "02:00:00:00:00:02", "offered", 100, ""};
  {
    auto db = open();
    ASSERT_TRUE(db->put_lease(a));
    ASSERT_TRUE(db->put_lease(b));
    b.state = "bound";
    b.expires_s = 6000;
    ASSERT_TRUE(db->put_lease(b));  // same (network, ip): updated in place
  }
  auto db = open();
  auto leases = db->leases();
  ASSERT_TRUE(leases);
  ASSERT_EQ(leases->size(), 2u);
  EXPECT_EQ((*leases)[0], a);
  EXPECT_EQ((*leases)[1], b);
  LeaseRecord gone = a;
  gone.state = "free";
  ASSERT_TRUE(db->put_lease(gone));
  EXPECT_EQ(db->leases()->size(), 1u);
}

TEST_F(TempDb, WriteBehindGroupsCommitsReportsCompletionAndKeepsTheLatestState) {
  std::vector<std::string> errors;
  {
    WriteBehind writer(open(), [&](const StoreError& e) { errors.push_back(e.message); });
    std::atomic<int> done{0};
    for (int i = 0; i < 50; ++i) {
      auto r = vm1();
      r.port = static_cast<std::uint32_t>(i);
      writer.submit_latest("endpoint:vm1", [r](Store& s) { return s.put_endpoint(r); });
      writer.submit([i](Store& s) -> StoreResult<Ok> {
        auto e = s.append_event(EventRecord{0, i, "test", "{}"});
        if (!e) return Unexpected{e.error()};
        return Ok{};
      }, [&](const StoreResult<Ok>& r) { done += r ? 1 : 0; });
    }
    writer.flush();
    EXPECT_EQ(done.load(), 50);
  }
  EXPECT_TRUE(errors.empty());
  auto db = open();
  EXPECT_EQ(db->endpoints()->at(0).port, 49u);  // the latest state, whatever was coalesced
  EXPECT_EQ(db->events_since(0)->size(), 50u);  // unkeyed writes are all kept, in order
}

TEST_F(TempDb, WriteBehindReportsAFailedWriteToItsCompletion) {
  WriteBehind writer(open(), nullptr);
  std::atomic<int> failed{0};
  auto twin = vm1();
  twin.name = "vm1-twin";  // same MAC: the UNIQUE constraint refuses it
  writer.submit([](Store& s) { return s.put_endpoint(vm1()); });
  writer.submit([twin](Store& s) { return s.put_endpoint(twin); }, [&](const StoreResult<Ok>& r) { failed += r ? 0 : 1; });
  writer.flush();
  EXPECT_EQ(failed.load(), 1);
}

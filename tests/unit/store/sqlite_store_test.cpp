#include "store/sqlite_store.hpp"
#include "store/write_behind.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
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
  // Which file, what is wrong, what to do.
  EXPECT_NE(s.error().message.find("the database " + path_ + " is damaged"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("mv " + path_), std::string::npos) << s.error().message;
  EXPECT_FALSE(s.error().transient);
  auto missing_dir = SqliteStore::open((dir_ / "no" / "such" / "dir.db").string());
  ASSERT_FALSE(missing_dir);
  EXPECT_NE(missing_dir.error().message.find("cannot open database"), std::string::npos);
}

TEST_F(TempDb, DamageInsideAReadableFileIsFoundAtOpenNotAsLostWritesLater) {
  {
    auto db = open();
    for (int i = 0; i < 3000; ++i) ASSERT_TRUE(db->append_event(EventRecord{0, i, "test", std::string(300, 'x')}));
  }
  const auto size = std::filesystem::file_size(path_);
  ASSERT_GT(size, 600'000u);
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(20'000, '\xff');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto s = SqliteStore::open(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("is damaged"), std::string::npos) << s.error().message;
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

namespace {

// A store whose disk can be "full": every call fails as SQLite does on a full disk
// while `out` is set.
class OutageStore final : public Store {
 public:
  OutageStore(std::unique_ptr<Store> inner, std::atomic<bool>& out) : inner_(std::move(inner)), out_(out) {}
  StoreResult<Ok> put_endpoint(const EndpointRecord& e) override { return gate([&] { return inner_->put_endpoint(e); }); }
  StoreResult<std::vector<EndpointRecord>> endpoints() override { return gate([&] { return inner_->endpoints(); }); }
  StoreResult<Ok> add_location_change(const LocationChange& c) override { return gate([&] { return inner_->add_location_change(c); }); }
  StoreResult<std::vector<LocationChange>> location_history(const std::string& e) override {
    return gate([&] { return inner_->location_history(e); });
  }
  StoreResult<std::int64_t> put_migration(const MigrationRecord& m) override { return gate([&] { return inner_->put_migration(m); }); }
  StoreResult<std::vector<MigrationRecord>> migrations() override { return gate([&] { return inner_->migrations(); }); }
  StoreResult<std::int64_t> append_event(const EventRecord& e) override { return gate([&] { return inner_->append_event(e); }); }
  StoreResult<std::vector<EventRecord>> events_since(std::int64_t seq) override { return gate([&] { return inner_->events_since(seq); }); }
  StoreResult<Ok> forget_events_before(std::int64_t seq) override { return gate([&] { return inner_->forget_events_before(seq); }); }
  StoreResult<Ok> put_lease(const LeaseRecord& l) override { return gate([&] { return inner_->put_lease(l); }); }
  StoreResult<std::vector<LeaseRecord>> leases() override { return gate([&] { return inner_->leases(); }); }
  StoreResult<Ok> begin_batch() override { return inner_->begin_batch(); }
  StoreResult<Ok> commit_batch() override { return gate([&] { return inner_->commit_batch(); }); }
  void rollback_batch() override { inner_->rollback_batch(); }

 private:
  template <class F>
  auto gate(F f) -> decltype(f()) {
    if (out_) return Unexpected{StoreError{"database or disk is full (test)", true}};
    return f();
  }
  std::unique_ptr<Store> inner_;
  std::atomic<bool>& out_;
};

StoreResult<Ok> event(Store& s, std::int64_t i) {
  auto e = s.append_event(EventRecord{0, i, "test", "{}"});
  if (!e) return Unexpected{e.error()};
  return Ok{};
}

const WriteBehind::Options kQuickRetries{std::chrono::milliseconds(5), std::chrono::milliseconds(20), 200'000};

template <class F>
bool eventually(F ok) {
  for (int i = 0; i < 2000; ++i) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

TEST_F(TempDb, AStoreOutageLosesNothingThatCanWaitAndFailsAtOnceWhatCannot) {
  std::atomic<bool> out{true};
  std::vector<std::string> errors, recoveries;
  std::mutex mu;
  std::atomic<int> events_stored{0}, acks_refused{0};
  {
    WriteBehind writer(std::make_unique<OutageStore>(open(), out),
                       WriteBehind::Reports{[&](const StoreError& e) {
                                              std::lock_guard l(mu);
                                              errors.push_back(e.message);
                                            },
                                            [&](const std::string& m) {
                                              std::lock_guard l(mu);
                                              recoveries.push_back(m);
                                            }},
                       kQuickRetries);
    for (int i = 0; i < 20; ++i) {
      auto r = vm1();
      r.port = static_cast<std::uint32_t>(i);
      writer.submit_latest("endpoint:vm1", [r](Store& s) { return s.put_endpoint(r); });
      writer.submit([i](Store& s) { return event(s, i); }, [&](const StoreResult<Ok>& r) { events_stored += r ? 1 : 0; });
    }
    // A lease before its ACK does not wait for the disk: it fails, the client asks again.
    writer.submit([](Store& s) { return s.put_lease(LeaseRecord{"wlan1", "10.10.1.100", "c", "m", "bound", 1, ""}); },
                  [&](const StoreResult<Ok>& r) { acks_refused += r ? 0 : 1; }, WriteBehind::OnOutage::kReport);
    ASSERT_TRUE(eventually([&] { return writer.health().failed_attempts >= 4 && acks_refused == 1; }));
    auto h = writer.health();
    EXPECT_FALSE(h.writable);
    EXPECT_EQ(h.held, 21u);  // 20 events and vm1's latest state
    EXPECT_EQ(events_stored.load(), 0);  // nothing reported stored that is not
    {
      std::lock_guard l(mu);
      ASSERT_FALSE(errors.empty());
      EXPECT_NE(errors[0].find("cannot take writes (attempt 1"), std::string::npos) << errors[0];
      // Logged at attempts 1, 2, 4, 8, ...: not once per attempt.
      EXPECT_LT(errors.size(), writer.health().failed_attempts);
    }
    auto r = vm1();
    r.port = 99;
    writer.submit_latest("endpoint:vm1", [r](Store& s) { return s.put_endpoint(r); });  // newer than the held one
    out = false;  // the disk has room again
    ASSERT_TRUE(eventually([&] { return events_stored == 20; }));
    writer.flush();
    h = writer.health();
    EXPECT_TRUE(h.writable);
    EXPECT_EQ(h.held, 0u);
    EXPECT_EQ(h.lost, 0u);
    EXPECT_EQ(h.refused, 0u);
    std::lock_guard l(mu);
    ASSERT_EQ(recoveries.size(), 1u);
    EXPECT_NE(recoveries[0].find("takes writes again"), std::string::npos);
  }
  auto db = open();
  EXPECT_EQ(db->endpoints()->at(0).port, 99u);
  auto events = db->events_since(0);
  ASSERT_EQ(events->size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ((*events)[static_cast<std::size_t>(i)].at_ms, i);  // in order
  EXPECT_TRUE(db->leases()->empty());
}

TEST_F(TempDb, WhatAnOutageHoldsIsBoundedHistoryFirstRecordsLast) {
  std::atomic<bool> out{true};
  auto options = kQuickRetries;
  options.max_held = 10;
  std::atomic<int> dropped{0};
  WriteBehind writer(std::make_unique<OutageStore>(open(), out), WriteBehind::Reports{}, options);
  for (const char* name : {"vm1", "vm2"}) {
    auto r = vm1();
    r.name = name;
    r.mac = std::string("02:00:00:00:00:0") + (name[2] == '1' ? "1" : "2");
    writer.submit_latest(std::string("endpoint:") + name, [r](Store& s) { return s.put_endpoint(r); });
  }
  for (int i = 0; i < 30; ++i)
    writer.submit([i](Store& s) { return event(s, i); }, [&](const StoreResult<Ok>& r) { dropped += r ? 0 : 1; });
  ASSERT_TRUE(eventually([&] { return writer.health().lost == 22; }));
  EXPECT_EQ(writer.health().held, 10u);
  EXPECT_EQ(dropped.load(), 22);
  out = false;
  ASSERT_TRUE(eventually([&] { return writer.health().writable; }));
  writer.flush();
  auto db = open();
  EXPECT_EQ(db->endpoints()->size(), 2u);  // both records' latest states were kept
  auto events = db->events_since(0);
  ASSERT_EQ(events->size(), 8u);  // the newest history
  EXPECT_EQ(events->front().at_ms, 22);
}

TEST_F(TempDb, StoppingDuringAnOutageCountsWhatCouldNotBeStored) {
  std::atomic<bool> out{true};
  std::atomic<int> failed{0};
  std::optional<WriteBehind> writer;
  writer.emplace(std::make_unique<OutageStore>(open(), out), WriteBehind::Reports{}, kQuickRetries);
  writer->submit([](Store& s) { return event(s, 1); }, [&](const StoreResult<Ok>& r) { failed += r ? 0 : 1; });
  ASSERT_TRUE(eventually([&] { return writer->health().failed_attempts > 0; }));
  writer.reset();  // one more attempt, then what is held is reported lost
  EXPECT_EQ(failed.load(), 1);
}

TEST_F(TempDb, AWriteTheStoreRefusesDoesNotTakeItsBatchDown) {
  std::vector<std::string> errors;
  {
    WriteBehind writer(open(), [&](const StoreError& e) { errors.push_back(e.message); });
    auto twin = vm1();
    twin.name = "vm1-twin";  // same MAC: refused for itself, never retried
    writer.submit([](Store& s) { return s.put_endpoint(vm1()); });
    writer.submit([twin](Store& s) { return s.put_endpoint(twin); });
    for (int i = 0; i < 5; ++i) writer.submit([i](Store& s) { return event(s, i); });
    writer.flush();
    EXPECT_EQ(writer.health().refused, 1u);
    EXPECT_TRUE(writer.health().writable);
  }
  EXPECT_EQ(errors.size(), 1u);
  auto db = open();
  EXPECT_EQ(db->endpoints()->size(), 1u);
  EXPECT_EQ(db->events_since(0)->size(), 5u);
}

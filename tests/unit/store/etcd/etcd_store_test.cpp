// The etcd store and client against a real etcd started by the test.
#include "store/etcd/etcd_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "store/etcd/watcher.hpp"
#include "support/etcd_process.hpp"

using namespace fmc;
using namespace fmc::store;
using fmc::test_support::EtcdProcess;

namespace {

std::unique_ptr<EtcdStore> open_store(const EtcdProcess& etcd, const std::string& prefix = "/fmc/") {
  auto s = EtcdStore::open("etcd://" + etcd.endpoint(), prefix);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

// Waits (bounded) until `done` holds, checking it under `mu`.
template <class F>
bool wait_until(std::mutex& mu, std::condition_variable& cv, F done) {
  std::unique_lock lock(mu);
  return cv.wait_for(lock, std::chrono::seconds(10), done);
}

}  // namespace

TEST(EtcdStore, KeepsEveryKindOfRecord) {
  EtcdProcess etcd;
  auto s = open_store(etcd);
  EndpointRecord vm{"vm1", EndpointKind::kVm, "02:00:00:01:00:10", "10.1.0.10", "dc1", "dc2", 0xd2, 2, "", 1234};
  EndpointRecord odd{"a/b%c", EndpointKind::kClient, "02:00:00:0a:00:64", "", "wlan1", "", 0, 0, "", 5};
  ASSERT_TRUE(s->put_endpoint(vm));
  ASSERT_TRUE(s->put_endpoint(odd));
  vm.current_site = "dc1";
  ASSERT_TRUE(s->put_endpoint(vm));  // an update, not a second record
  auto all = s->endpoints();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], odd);
  EXPECT_EQ((*all)[1], vm);

  for (int i = 0; i < 12; ++i) ASSERT_TRUE(s->add_location_change({"vm1", "dc" + std::to_string(i), "x", "migration", i}));
  ASSERT_TRUE(s->add_location_change({"vm10", "dc1", "dc2", "traffic", 99}));
  auto history = s->location_history("vm1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 12u) << "vm10's history is not vm1's";
  for (int i = 0; i < 12; ++i) EXPECT_EQ((*history)[i].at_ms, i) << "in the order they happened";

  auto first = s->put_migration({0, "vm1", "dc1", "dc2", "running", 10, 0, "api"});
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(*s->put_migration({7, "vm1", "dc2", "dc1", "completed", 20, 30, ""}), 7);
  EXPECT_EQ(*s->put_migration({0, "vm1", "dc1", "dc2", "running", 40, 0, ""}), 8) << "new ids continue after the largest";
  ASSERT_TRUE(s->put_migration({1, "vm1", "dc1", "dc2", "failed", 10, 15, "gone"}));
  auto migrations = s->migrations();
  ASSERT_TRUE(migrations);
  ASSERT_EQ(migrations->size(), 3u);
  EXPECT_EQ((*migrations)[0].state, "failed");

  for (int i = 0; i < 3; ++i) EXPECT_EQ(*s->append_event({0, i, "K", "{}"}), i + 1);  // the first block
  auto since = s->events_since(1);
  ASSERT_TRUE(since);
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].seq, 2);
  ASSERT_TRUE(s->forget_events_before(3));  // the retention bound
  since = s->events_since(0);
  ASSERT_TRUE(since);
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].seq, 3);

  LeaseRecord lease{"wlan1", "10.10.1.100", "c1", "02:00:00:0a:00:64", "bound", 100, "h"};
  ASSERT_TRUE(s->put_lease(lease));
  EXPECT_EQ(s->leases()->size(), 1u);
  lease.state = "free";
  ASSERT_TRUE(s->put_lease(lease));
  EXPECT_TRUE(s->leases()->empty());

  // A second controller sees all of it.
  auto other = open_store(etcd);
  EXPECT_EQ(other->endpoints()->size(), 2u);
  EXPECT_EQ(other->migrations()->size(), 3u);
}

TEST(EtcdStore, TwoControllersNeverHandOutTheSameNumber) {
  EtcdProcess etcd;
  auto a = open_store(etcd), b = open_store(etcd);
  std::vector<std::int64_t> seqs_a, seqs_b;
  std::thread ta([&] {
    for (int i = 0; i < 40; ++i) seqs_a.push_back(*a->append_event({0, 0, "a", "{}"}));
  });
  std::thread tb([&] {
    for (int i = 0; i < 40; ++i) seqs_b.push_back(*b->append_event({0, 0, "b", "{}"}));
  });
  ta.join();
  tb.join();
  std::set<std::int64_t> all(seqs_a.begin(), seqs_a.end());
  all.insert(seqs_b.begin(), seqs_b.end());
  EXPECT_EQ(all.size(), 80u);
  EXPECT_TRUE(std::is_sorted(seqs_a.begin(), seqs_a.end())) << "increasing within one controller";
  EXPECT_TRUE(std::is_sorted(seqs_b.begin(), seqs_b.end()));
  EXPECT_EQ(a->events_since(0)->size(), 80u);
  // Migrations, one at a time: two controllers ordering at once get distinct ids.
  std::vector<std::int64_t> ids_a, ids_b;
  std::thread ma([&] {
    for (int i = 0; i < 20; ++i) ids_a.push_back(*a->put_migration({0, "vm1", "dc1", "dc2", "running", 0, 0, ""}));
  });
  std::thread mb([&] {
    for (int i = 0; i < 20; ++i) ids_b.push_back(*b->put_migration({0, "vm2", "dc1", "dc2", "running", 0, 0, ""}));
  });
  ma.join();
  mb.join();
  std::set<std::int64_t> ids(ids_a.begin(), ids_a.end());
  ids.insert(ids_b.begin(), ids_b.end());
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(*ids.rbegin(), 40);
  EXPECT_EQ(a->migrations()->size(), 40u);
}

TEST(EtcdClient, APutConditionedOnTheRevisionHasOneWinner) {
  EtcdProcess etcd;
  etcd::EtcdClient c1({{"127.0.0.1", static_cast<std::uint16_t>(std::stoi(etcd.endpoint().substr(10)))}});
  etcd::EtcdClient c2(c1.endpoints());
  auto x = c1.put_if("/race/vm1", "dc2", 0);
  auto y = c2.put_if("/race/vm1", "wlan2", 0);
  ASSERT_TRUE(x && y);
  EXPECT_TRUE(x->done);
  EXPECT_FALSE(y->done);
  ASSERT_TRUE(y->current);
  EXPECT_EQ(y->current->value, "dc2") << "the loser learns what won";
  // The loser retries on the revision it saw.
  auto z = c2.put_if("/race/vm1", "wlan2", y->current->mod_revision);
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->done);
  EXPECT_EQ((*c1.get("/race/vm1"))->value, "wlan2");
}

TEST(EtcdClient, AMemberThatDoesNotAnswerIsSkippedAndNoneAnsweringIsAnError) {
  EtcdProcess etcd;
  const std::uint16_t dead = test_support::free_port();
  auto members = etcd::parse_endpoints("etcd://127.0.0.1:" + std::to_string(dead) + "," + etcd.endpoint());
  ASSERT_TRUE(members);
  etcd::EtcdClient c(*members, {std::chrono::milliseconds(2000)});
  ASSERT_TRUE(c.put("/k", "v")) << "the second member answers";
  EXPECT_EQ(c.current().to_string(), etcd.endpoint()) << "and is asked first from then on";
  etcd.stop();
  const auto began = std::chrono::steady_clock::now();
  auto r = c.get("/k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, etcd::EtcdError::Kind::kUnavailable);
  EXPECT_NE(r.error().message.find("no etcd member answered"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5)) << "bounded by the call's timeout";
  etcd.start();  // same data: the client reconnects on its next call
  auto back = c.get("/k");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ((*back)->value, "v");
}

TEST(EtcdClient, LeasedKeysGoWithTheirLease) {
  EtcdProcess etcd;
  etcd::EtcdClient c(*etcd::parse_endpoints(etcd.endpoint()));
  auto lease = c.grant_lease(std::chrono::seconds(30));
  ASSERT_TRUE(lease) << lease.error().message;
  ASSERT_TRUE(c.put("/scope/a/master", "controller-1", *lease));
  auto ttl = c.keep_alive(*lease);
  ASSERT_TRUE(ttl) << ttl.error().message;
  EXPECT_GT(*ttl, 0);
  EXPECT_EQ((*c.get("/scope/a/master"))->lease, *lease);
  ASSERT_TRUE(c.revoke(*lease));
  EXPECT_FALSE(*c.get("/scope/a/master"));
}

TEST(EtcdClient, BadEndpointListsAreRefusedWithTheReason) {
  EXPECT_FALSE(etcd::parse_endpoints(""));
  EXPECT_FALSE(etcd::parse_endpoints("etcd://"));
  EXPECT_NE(etcd::parse_endpoints("etcd://h:0").error().find("port"), std::string::npos);
  EXPECT_NE(etcd::parse_endpoints("etcd://h:99999").error().find("port"), std::string::npos);
  EXPECT_NE(etcd::parse_endpoints("etcd://a b:1").error().find("host"), std::string::npos);
  auto two = etcd::parse_endpoints("etcd://10.0.0.1,etcd-2:2380");
  ASSERT_TRUE(two);
  EXPECT_EQ((*two)[0].port, 2379);
  EXPECT_EQ((*two)[1].to_string(), "etcd-2:2380");
}

TEST(EtcdWatcher, SeesChangesAndResumesAfterTheMemberRestarts) {
  EtcdProcess etcd;
  auto members = *etcd::parse_endpoints(etcd.endpoint());
  etcd::EtcdClient c(members);
  const auto start = c.put("/w/before", "0");
  ASSERT_TRUE(start);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  etcd::Watcher w(members, "/w/", *start + 1,
                  {[&](const std::vector<etcd::WatchEvent>& events, std::int64_t) {
                     std::lock_guard lock(mu);
                     for (const auto& e : events)
                       seen.push_back((e.type == etcd::WatchEvent::Type::kPut ? "put " : "delete ") + e.kv.key + "=" + e.kv.value);
                     cv.notify_all();
                   },
                   nullptr, nullptr});
  ASSERT_TRUE(c.put("/w/a", "1"));
  ASSERT_TRUE(c.put("/other", "not watched"));
  ASSERT_TRUE(c.erase("/w/a"));
  ASSERT_TRUE(wait_until(mu, cv, [&] { return seen.size() >= 2; }));
  etcd.stop();
  etcd.start();
  ASSERT_TRUE(c.put("/w/b", "2"));
  ASSERT_TRUE(wait_until(mu, cv, [&] { return seen.size() >= 3; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::string>{"put /w/a=1", "delete /w/a=", "put /w/b=2"})) << "each change once, in order";
}

TEST(EtcdWatcher, ACompactedRevisionIsReported) {
  EtcdProcess etcd;
  auto members = *etcd::parse_endpoints(etcd.endpoint());
  etcd::EtcdClient c(members);
  std::int64_t last = 0;
  for (int i = 0; i < 5; ++i) last = *c.put("/w/k", std::to_string(i));
  auto conn = etcd::Connection::open(members[0], std::chrono::steady_clock::now() + std::chrono::seconds(2));
  ASSERT_TRUE(conn);
  auto compacted = (*conn)->post("/v3/kv/compaction", "{\"revision\": \"" + std::to_string(last) + "\"}",
                                 std::chrono::steady_clock::now() + std::chrono::seconds(2));
  ASSERT_TRUE(compacted && compacted->status == 200);
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t reported = 0;
  etcd::Watcher w(members, "/w/", 2,
                  {nullptr,
                   [&](std::int64_t revision) {
                     std::lock_guard lock(mu);
                     reported = revision;
                     cv.notify_all();
                   },
                   nullptr});
  ASSERT_TRUE(wait_until(mu, cv, [&] { return reported != 0; }));
  EXPECT_EQ(reported, last);
}

TEST(EtcdStore, ABatchIsCommittedWhenItEndsInTransactionsOfAtMost128) {
  EtcdProcess etcd;
  auto s = open_store(etcd), reader = open_store(etcd);
  ASSERT_TRUE(s->begin_batch());
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(s->put_lease({"wlan1", "10.10.1." + std::to_string(i), "c", "02:00:00:00:00:01", "offered", 10, ""}));
  ASSERT_TRUE(s->put_lease({"wlan1", "10.10.1.7", "c", "02:00:00:00:00:01", "bound", 20, ""}));  // the same key again
  ASSERT_TRUE(s->put_lease({"wlan1", "10.10.1.8", "c", "02:00:00:00:00:01", "free", 0, ""}));   // and a delete
  EXPECT_TRUE(reader->leases()->empty()) << "nothing is visible before the commit";
  ASSERT_TRUE(s->commit_batch());
  auto leases = reader->leases();
  ASSERT_TRUE(leases);
  EXPECT_EQ(leases->size(), 299u);
  for (const auto& l : *leases)
    if (l.ip == "10.10.1.7") {
      EXPECT_EQ(l.state, "bound");
    }
  etcd.stop();
  ASSERT_TRUE(s->begin_batch());
  ASSERT_TRUE(s->put_endpoint({"vm1", EndpointKind::kVm, "m", "", "dc1", "", 0, 0, "", 0}));
  auto lost = s->commit_batch();
  ASSERT_FALSE(lost) << "a batch that cannot be committed says so";
  EXPECT_NE(lost.error().message.find("no etcd member answered"), std::string::npos) << lost.error().message;
}

namespace {

// What a store's feeds reported, in order.
struct Reported {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::tuple<EndpointRecord, std::int64_t, bool>> endpoints;
  std::vector<std::pair<MigrationRecord, bool>> migrations;
  std::vector<std::pair<TunnelAck, bool>> acks;

  Feeds feeds() {
    return Feeds{[this](const EndpointRecord& r, std::int64_t rev, bool ours) {
                   std::lock_guard lock(mu);
                   endpoints.emplace_back(r, rev, ours);
                   cv.notify_all();
                 },
                 [this](const MigrationRecord& m, bool ours) {
                   std::lock_guard lock(mu);
                   migrations.emplace_back(m, ours);
                   cv.notify_all();
                 },
                 nullptr,
                 [this](const TunnelAck& a, bool ours) {
                   std::lock_guard lock(mu);
                   acks.emplace_back(a, ours);
                   cv.notify_all();
                 }};
  }
  bool wait_for(std::function<bool()> done) { return wait_until(mu, cv, done); }
};

EndpointRecord at(const std::string& site, std::uint64_t dpid, std::int64_t stamp) {
  return EndpointRecord{"client1", EndpointKind::kClient, "02:00:00:0a:00:64", "10.10.1.100", "wlan1", site, dpid, 2, "",
                        stamp};
}

}  // namespace

TEST(EtcdStore, FollowReportsWhatIsStoredThenEveryChangeAndMarksItsOwnWrites) {
  EtcdProcess etcd;
  Reported seen;  // outlives the stores: their watch threads report into it until they end
  auto a = open_store(etcd), b = open_store(etcd);
  ASSERT_TRUE(b->put_endpoint(at("wlan1", 0xa1, 1)));
  ASSERT_TRUE(a->follow(seen.feeds()));
  ASSERT_TRUE(seen.wait_for([&] { return seen.endpoints.size() == 1; }));
  EXPECT_EQ(std::get<0>(seen.endpoints[0]).current_site, "wlan1");
  EXPECT_FALSE(std::get<2>(seen.endpoints[0]));

  ASSERT_TRUE(b->endpoints());  // b learns the revision it wrote at
  ASSERT_TRUE(b->put_endpoint(at("wlan2", 0xa2, 2)));
  ASSERT_TRUE(a->put_migration(MigrationRecord{0, "vm1", "dc1", "dc2", "running", 5, 0, "test"}));
  ASSERT_TRUE(seen.wait_for([&] {
    return std::any_of(seen.endpoints.begin(), seen.endpoints.end(), [](auto& e) { return std::get<0>(e).current_site == "wlan2"; }) &&
           !seen.migrations.empty();
  }));
  std::lock_guard lock(seen.mu);
  const auto& moved = *std::find_if(seen.endpoints.begin(), seen.endpoints.end(),
                                    [](auto& e) { return std::get<0>(e).current_site == "wlan2"; });
  EXPECT_FALSE(std::get<2>(moved)) << "b's write is not a's";
  EXPECT_GT(std::get<1>(moved), std::get<1>(seen.endpoints[0]));
  EXPECT_EQ(seen.migrations[0].first.vm, "vm1");
  EXPECT_TRUE(seen.migrations[0].second) << "a's own migration comes back marked as its own";
}

TEST(EtcdStore, ATunnelAcknowledgementReachesTheOtherControllersAsWrittenAndOnlyFromThenOn) {
  EtcdProcess etcd;
  Reported seen;
  auto a = open_store(etcd), b = open_store(etcd);
  ASSERT_TRUE(b->put_tunnel_ack({"client1", "heidelberg", "10.10.2.192"}));  // before a follows: not replayed
  ASSERT_TRUE(a->follow(seen.feeds()));
  ASSERT_TRUE(b->put_tunnel_ack({"client1", "heidelberg", "10.10.2.193"}));
  ASSERT_TRUE(a->put_tunnel_ack({"vm1", "berlin", "10.2.0.192"}));
  ASSERT_TRUE(seen.wait_for([&] { return seen.acks.size() == 2; }));
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.acks[0].first, (TunnelAck{"client1", "heidelberg", "10.10.2.193"}));
  EXPECT_FALSE(seen.acks[0].second);
  EXPECT_EQ(seen.acks[1].first, (TunnelAck{"vm1", "berlin", "10.2.0.192"}));
  EXPECT_TRUE(seen.acks[1].second) << "a's own acknowledgement comes back marked as its own";
}

TEST(EtcdStore, OfTwoWritesOnTheSameRevisionTheFirstStandsAndTheOtherWriterIsToldIt) {
  EtcdProcess etcd;
  Reported told_b;  // outlives the stores: b's watch thread reports into it until b ends
  auto a = open_store(etcd), b = open_store(etcd);
  ASSERT_TRUE(a->put_endpoint(at("wlan1", 0xa1, 1)));
  ASSERT_TRUE(a->endpoints());
  ASSERT_TRUE(b->endpoints());  // both have seen the same revision
  ASSERT_TRUE(a->put_endpoint(at("wlan2", 0xa2, 2)));  // first
  ASSERT_TRUE(b->put_endpoint(at("dc9", 0x99, 3)));      // on the revision before a's: refused
  EXPECT_EQ(a->conflicts(), 0u);
  EXPECT_EQ(b->conflicts(), 1u);
  auto stored = a->endpoints();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].current_site, "wlan2");
  // Following now, b is told what stands (Sharing.* covers the report of the refusal itself).
  ASSERT_TRUE(b->follow(told_b.feeds()));
  ASSERT_TRUE(told_b.wait_for([&] {
    return std::any_of(told_b.endpoints.begin(), told_b.endpoints.end(),
                       [](auto& e) { return std::get<0>(e).current_site == "wlan2" && !std::get<2>(e); });
  }));
  // The refusal taught b the current revision: its next write stands.
  ASSERT_TRUE(b->put_endpoint(at("wlan1", 0xa1, 4)));
  EXPECT_EQ(b->conflicts(), 1u);
  EXPECT_EQ((*a->endpoints())[0].current_site, "wlan1");
}

TEST(EtcdStore, ABatchWithAnEndpointChangedUnderItKeepsTheOtherWritesAndTheirEndpoint) {
  EtcdProcess etcd;
  auto a = open_store(etcd), b = open_store(etcd);
  ASSERT_TRUE(a->put_endpoint(at("wlan1", 0xa1, 1)));
  ASSERT_TRUE(b->endpoints());
  ASSERT_TRUE(a->put_endpoint(at("wlan2", 0xa2, 2)));
  ASSERT_TRUE(b->begin_batch());
  ASSERT_TRUE(b->put_endpoint(at("dc9", 0x99, 3)));
  ASSERT_TRUE(b->put_lease(LeaseRecord{"wlan1", "10.10.1.100", "c", "02:00:00:0a:00:64", "bound", 100, ""}));
  ASSERT_TRUE(b->commit_batch());
  EXPECT_EQ(b->conflicts(), 1u);
  EXPECT_EQ((*a->endpoints())[0].current_site, "wlan2");
  EXPECT_EQ(a->leases()->size(), 1u);
}

#pragma once
// The Follow-Me Cloud database on etcd, for several controllers sharing one
// view (paper §V). Keys under a prefix (default "/fmc/"):
//   endpoints/<name>               an EndpointRecord (JSON)
//   history/<endpoint>/<seq>       a LocationChange
//   migrations/<id>                a MigrationRecord
//   events/<seq>                   an EventRecord
//   leases/<network>/<ip>          a LeaseRecord ("free" deletes it)
//   counters/<name>                the last id or sequence number handed out
// Ids and sequence numbers come from counters advanced by transactions on
// the counter's revision, so two controllers never hand out the same one.
// Event and history numbers are taken in blocks of 128 (one transaction per
// block, not per event): unique, increasing within one controller, but two
// controllers' numbers interleave by block, and a restart leaves a gap.
// Numbers in keys are zero-padded to 20 digits, so key order is their order;
// names in keys have '/' and '%' escaped.
//
// An endpoint's record is written only if its key still has the revision this
// store last saw of it (read, written or watched): when two controllers report
// the same endpoint at once, the first write stands and the other controller is
// told (follow's feeds) what the store holds, so every controller ends with the
// same location. Records carry their writer ("by"), so a controller knows its
// own writes when the watch brings them back.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/etcd/etcd_client.hpp"
#include "store/etcd/watcher.hpp"
#include "store/store.hpp"

namespace fmc::store {

class EtcdStore final : public Store {
 public:
  // Checks that a member answers; the error says why not.
  static StoreResult<std::unique_ptr<EtcdStore>> open(const std::string& members, std::string prefix = "/fmc/",
                                                     etcd::EtcdClient::Options options = {});

  StoreResult<Ok> put_endpoint(const EndpointRecord& e) override;
  StoreResult<std::vector<EndpointRecord>> endpoints() override;
  StoreResult<Ok> add_location_change(const LocationChange& c) override;
  StoreResult<std::vector<LocationChange>> location_history(const std::string& endpoint) override;
  StoreResult<std::int64_t> put_migration(const MigrationRecord& m) override;
  StoreResult<std::vector<MigrationRecord>> migrations() override;
  StoreResult<std::int64_t> append_event(const EventRecord& e) override;
  StoreResult<std::vector<EventRecord>> events_since(std::int64_t seq) override;
  StoreResult<Ok> forget_events_before(std::int64_t seq) override;
  StoreResult<Ok> put_lease(const LeaseRecord& l) override;
  StoreResult<std::vector<LeaseRecord>> leases() override;
  StoreResult<Ok> put_tunnel_ack(const TunnelAck& ack) override;  // acks/<endpoint>/<scope>
  // Between these, writes are held and committed together, in transactions of up to
  // 128 writes (etcd's default --max-txn-ops); ids are still handed out at once.
  StoreResult<Ok> begin_batch() override;
  StoreResult<Ok> commit_batch() override;
  void rollback_batch() override;
  // Watches endpoints/ and migrations/ (after reporting what they hold now) and acks/
  // (from then on); a compacted watch reports everything again.
  StoreResult<Ok> follow(Feeds feeds) override;
  StoreResult<std::int64_t> reserve(const std::string& name, std::int64_t count) override;
  ~EtcdStore() override;

  // Endpoint writes refused because another controller had written the record since.
  std::uint64_t conflicts() const;

  etcd::EtcdClient& client() { return client_; }
  const std::string& prefix() const { return prefix_; }

 private:
  EtcdStore(std::vector<etcd::Endpoint> members, std::string prefix, etcd::EtcdClient::Options options);
  // The next number of counter `name` (1, 2, ...), or, with `at_least`, raises it to that.
  StoreResult<std::int64_t> advance(const std::string& name, std::int64_t at_least = 0, std::int64_t block = 1);
  // The next number of a counter taken in blocks.
  StoreResult<std::int64_t> next_in_block(const std::string& name);
  // A put (or, without a value, a delete): held while batching, else done now.
  StoreResult<Ok> write(const std::string& what, std::string key, std::optional<std::string> value,
                        std::optional<std::int64_t> if_revision = std::nullopt);
  // An endpoint written now, on the revision last seen; on a conflict, theirs is reported.
  StoreResult<Ok> put_endpoint_now(const std::string& key, const EndpointRecord& e);
  // Records a revision seen of an endpoint key; with feeds, reports the record.
  void saw_endpoint(const std::string& key, const EndpointRecord& e, std::int64_t revision, bool ours);
  std::optional<std::int64_t> known_revision(const std::string& key) const;
  void notice(const std::string& what);
  // Reports a stored record (JSON) through the feeds.
  void report(const etcd::KeyValue& kv);
  // Reports everything under endpoints/ and migrations/; the revision read at.
  StoreResult<std::int64_t> report_all();

  etcd::EtcdClient client_;
  std::string prefix_;
  std::unordered_map<std::string, std::pair<std::int64_t, std::int64_t>> blocks_;  // counter -> [next, last] held
  std::int64_t migrations_counted_ = 0;  // the migrations counter is known to be at least this
  bool batching_ = false;
  std::vector<etcd::EtcdClient::Write> held_;
  std::unordered_map<std::string, std::size_t> held_at_;  // key -> index in held_ (a txn takes a key once)
  std::unordered_map<std::string, EndpointRecord> held_endpoints_;  // key -> record, to confirm after the commit
  const std::string writer_;  // this store's mark on what it writes

  mutable std::mutex seen_mu_;  // the writer's thread and the watches' threads
  std::unordered_map<std::string, std::int64_t> seen_;  // endpoint key -> last mod_revision seen
  std::uint64_t conflicts_ = 0;
  Feeds feeds_;
  std::vector<std::unique_ptr<etcd::Watcher>> watches_;  // last: stopped first
};

}  // namespace fmc::store

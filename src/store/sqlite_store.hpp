#pragma once
// The embedded default store: one SQLite file, WAL journal, schema
// versioned with PRAGMA user_version. Not thread-safe: one owner thread
// (see WriteBehind for keeping writes off the packet path).
#include <sqlite3.h>

#include <unordered_map>

#include "store/store.hpp"

namespace fmc::store {

class SqliteStore final : public Store {
 public:
  static StoreResult<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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
  StoreResult<Ok> begin_batch() override { return exec("BEGIN;"); }
  StoreResult<Ok> commit_batch() override { return exec("COMMIT;"); }
  void rollback_batch() override;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  StoreResult<Ok> exec(const char* sql);
  // Statements are prepared once and reused (keyed by the SQL literal's address).
  sqlite3_stmt* prepared(const char* sql);
  StoreError error(const std::string& what) const;
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace fmc::store

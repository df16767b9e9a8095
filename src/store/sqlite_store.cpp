#include "store/sqlite_store.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>

namespace fmc::store {

namespace {

constexpr int kSchemaVersion = 2;  // 2: DHCP leases
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS endpoints (
  name TEXT PRIMARY KEY, kind INTEGER NOT NULL, mac TEXT NOT NULL UNIQUE, ip TEXT NOT NULL,
  home_site TEXT NOT NULL, current_site TEXT NOT NULL, dpid INTEGER NOT NULL, port INTEGER NOT NULL,
  visiting_ip TEXT NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS location_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, from_site TEXT NOT NULL,
  to_site TEXT NOT NULL, cause TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS location_history_endpoint ON location_history(endpoint);
CREATE TABLE IF NOT EXISTS migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, vm TEXT NOT NULL, from_site TEXT NOT NULL, to_site TEXT NOT NULL,
  state TEXT NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leases (
  network TEXT NOT NULL, ip TEXT NOT NULL, client TEXT NOT NULL, mac TEXT NOT NULL, state TEXT NOT NULL,
  expires_s INTEGER NOT NULL, host_name TEXT NOT NULL, PRIMARY KEY (network, ip));
)";

// A prepared statement that finalizes itself; binds by position from 1.
class Statement {
 public:
  // Owned: prepared now, finalized at the end.
  Statement(sqlite3* db, const char* sql) : owned_(true) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  // Borrowed from the store's cache: reset for its next use at the end.
  explicit Statement(sqlite3_stmt* cached) : stmt_(cached), rc_(cached ? SQLITE_OK : SQLITE_ERROR), owned_(false) {}
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& bind(const std::string& v) {
    sqlite3_bind_text(stmt_, ++index_, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(std::int64_t v) {
    sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  bool owned_;
  int index_ = 0;
};

// What the file system or another process may clear; the rest is the write's own fault.
bool transient(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_READONLY: case SQLITE_BUSY: case SQLITE_LOCKED:
    case SQLITE_CANTOPEN: case SQLITE_NOMEM: case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

}  // namespace

StoreResult<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  // SQLite would open it read-only, or fail on its journal with a vaguer message.
  if (struct statvfs fs; ::statvfs(std::filesystem::path(path).parent_path().empty()
                                       ? "."
                                       : std::filesystem::path(path).parent_path().c_str(),
                                   &fs) == 0 &&
                         (fs.f_flag & ST_RDONLY))
    return Unexpected{StoreError{"the database " + path + " is on a read-only file system; the controller needs to write it", true}};
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    StoreError e{"cannot open database " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close(db);
    return Unexpected{e};
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  // What an operator must fix before the controller can run on this file.
  auto unusable = [&](const std::string& why, bool damaged = false) -> StoreError {
    const int code = sqlite3_extended_errcode(db) & 0xff;
    if (damaged || code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
      return StoreError{"the database " + path + " is damaged (" + why + "); the controller does not start on it: "
                        "restore a backup, or move it aside (mv " + path + " " + path + ".damaged) to start with an empty one"};
    return StoreError{"database " + path + ": " + why, transient(code)};
  };
  sqlite3_busy_timeout(db, 2000);
  // WAL with synchronous=NORMAL: a commit survives a crash of the process (not of the
  // machine); a 64 MiB page cache and a larger checkpoint interval keep a
  // busy writer (DHCP bursts) from re-reading pages and checkpointing constantly.
  for (const char* pragma : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=NORMAL;", "PRAGMA foreign_keys=ON;",
                             "PRAGMA cache_size=-65536;", "PRAGMA wal_autocheckpoint=10000;"}) {
    auto r = store->exec(pragma);
    if (!r) return Unexpected{unusable(r.error().message)};
  }
  if (sqlite3_db_readonly(db, "main") == 1)
    return Unexpected{StoreError{"the database " + path + " is read-only (its file or file system); the controller "
                                 "needs to write it", true}};
  // Every page is read once at start: damage shows now, not as lost writes later.
  {
    Statement check(db, "PRAGMA quick_check;");
    if (!check.ok()) return Unexpected{unusable(sqlite3_errmsg(db))};
    if (const int rc = check.step(); rc != SQLITE_ROW) return Unexpected{unusable(sqlite3_errmsg(db))};
    if (auto found = check.text(0); found != "ok") {
      std::replace(found.begin(), found.end(), '\n', ' ');
      return Unexpected{unusable(found.size() > 160 ? found.substr(0, 160) + "..." : found, true)};
    }
  }
  Statement version(db, "PRAGMA user_version;");
  if (!version.ok() || version.step() != SQLITE_ROW) return Unexpected{unusable("cannot read the schema version")};
  const auto found = version.integer(0);
  if (found > kSchemaVersion)
    return Unexpected{StoreError{path + " has schema version " + std::to_string(found) + ", newer than this build's " +
                                 std::to_string(kSchemaVersion)}};
  auto r = store->exec(kSchema);
  if (!r) return Unexpected{unusable(r.error().message)};
  r = store->exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";").c_str());
  if (!r) return Unexpected{unusable(r.error().message)};
  return store;
}

SqliteStore::~SqliteStore() {
  for (auto& [_, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* SqliteStore::prepared(const char* sql) {
  auto [it, fresh] = statements_.try_emplace(sql, nullptr);
  if (fresh && sqlite3_prepare_v2(db_, sql, -1, &it->second, nullptr) != SQLITE_OK) {
    sqlite3_finalize(it->second);
    statements_.erase(it);
    return nullptr;
  }
  return it->second;
}


StoreError SqliteStore::error(const std::string& what) const {
  return StoreError{what + ": " + sqlite3_errmsg(db_), transient(sqlite3_extended_errcode(db_))};
}

StoreResult<Ok> SqliteStore::exec(const char* sql) {
  char* msg = nullptr;
  if (const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg); rc != SQLITE_OK) {
    StoreError e{std::string("sqlite: ") + (msg ? msg : "error"), transient(rc)};
    sqlite3_free(msg);
    return Unexpected{e};
  }
  return Ok{};
}

void SqliteStore::rollback_batch() {
  if (!sqlite3_get_autocommit(db_)) (void)exec("ROLLBACK;");  // SQLite may have rolled back already (disk full)
}

StoreResult<Ok> SqliteStore::put_endpoint(const EndpointRecord& e) {
  Statement s(prepared("INSERT INTO endpoints VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                   "kind=excluded.kind, mac=excluded.mac, ip=excluded.ip, home_site=excluded.home_site, "
                   "current_site=excluded.current_site, dpid=excluded.dpid, port=excluded.port, "
                   "visiting_ip=excluded.visiting_ip, updated_ms=excluded.updated_ms;"));
  if (!s.ok()) return Unexpected{error("prepare put_endpoint")};
  s.bind(e.name).bind(static_cast<std::int64_t>(e.kind)).bind(e.mac).bind(e.ip).bind(e.home_site).bind(e.current_site)
      .bind(static_cast<std::int64_t>(e.dpid)).bind(static_cast<std::int64_t>(e.port)).bind(e.visiting_ip).bind(e.updated_ms);
  if (s.step() != SQLITE_DONE) return Unexpected{error("store endpoint " + e.name)};
  return Ok{};
}

StoreResult<std::vector<EndpointRecord>> SqliteStore::endpoints() {
  Statement s(prepared("SELECT name, kind, mac, ip, home_site, current_site, dpid, port, visiting_ip, updated_ms FROM endpoints ORDER BY name;"));
  if (!s.ok()) return Unexpected{error("prepare endpoints")};
  std::vector<EndpointRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(EndpointRecord{s.text(0), static_cast<EndpointKind>(s.integer(1)), s.text(2), s.text(3), s.text(4), s.text(5),
                                 static_cast<std::uint64_t>(s.integer(6)), static_cast<std::uint32_t>(s.integer(7)), s.text(8),
                                 s.integer(9)});
  }
  if (rc != SQLITE_DONE) return Unexpected{error("read endpoints")};
  return out;
}

StoreResult<Ok> SqliteStore::add_location_change(const LocationChange& c) {
  Statement s(prepared("INSERT INTO location_history (endpoint, from_site, to_site, cause, at_ms) VALUES (?,?,?,?,?);"));
  if (!s.ok()) return Unexpected{error("prepare add_location_change")};
  s.bind(c.endpoint).bind(c.from_site).bind(c.to_site).bind(c.cause).bind(c.at_ms);
  if (s.step() != SQLITE_DONE) return Unexpected{error("store location change")};
  return Ok{};
}

StoreResult<std::vector<LocationChange>> SqliteStore::location_history(const std::string& endpoint) {
  Statement s(prepared("SELECT endpoint, from_site, to_site, cause, at_ms FROM location_history WHERE endpoint=? ORDER BY seq;"));
  if (!s.ok()) return Unexpected{error("prepare location_history")};
  s.bind(endpoint);
  std::vector<LocationChange> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(LocationChange{s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4)});
  if (rc != SQLITE_DONE) return Unexpected{error("read location history")};
  return out;
}

StoreResult<std::int64_t> SqliteStore::put_migration(const MigrationRecord& m) {
  const bool insert = m.id == 0;
  Statement s(prepared(insert ? "INSERT INTO migrations (vm, from_site, to_site, state, started_ms, finished_ms, detail) VALUES (?,?,?,?,?,?,?);"
                              : "INSERT INTO migrations (vm, from_site, to_site, state, started_ms, finished_ms, detail, id) "
                                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET vm=excluded.vm, "
                                "from_site=excluded.from_site, to_site=excluded.to_site, state=excluded.state, "
                                "started_ms=excluded.started_ms, finished_ms=excluded.finished_ms, detail=excluded.detail;"));
  if (!s.ok()) return Unexpected{error("prepare put_migration")};
  s.bind(m.vm).bind(m.from_site).bind(m.to_site).bind(m.state).bind(m.started_ms).bind(m.finished_ms).bind(m.detail);
  if (!insert) s.bind(m.id);
  if (s.step() != SQLITE_DONE) return Unexpected{error("store migration")};
  return insert ? sqlite3_last_insert_rowid(db_) : m.id;
}

StoreResult<std::vector<MigrationRecord>> SqliteStore::migrations() {
  Statement s(prepared("SELECT id, vm, from_site, to_site, state, started_ms, finished_ms, detail FROM migrations ORDER BY id;"));
  if (!s.ok()) return Unexpected{error("prepare migrations")};
  std::vector<MigrationRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(MigrationRecord{s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.integer(6), s.text(7)});
  if (rc != SQLITE_DONE) return Unexpected{error("read migrations")};
  return out;
}

StoreResult<std::int64_t> SqliteStore::append_event(const EventRecord& e) {
  Statement s(prepared("INSERT INTO events (at_ms, kind, json) VALUES (?,?,?);"));
  if (!s.ok()) return Unexpected{error("prepare append_event")};
  s.bind(e.at_ms).bind(e.kind).bind(e.json);
  if (s.step() != SQLITE_DONE) return Unexpected{error("store event")};
  return sqlite3_last_insert_rowid(db_);
}

StoreResult<std::vector<EventRecord>> SqliteStore::events_since(std::int64_t seq) {
  Statement s(prepared("SELECT seq, at_ms, kind, json FROM events WHERE seq > ? ORDER BY seq;"));
  if (!s.ok()) return Unexpected{error("prepare events_since")};
  s.bind(seq);
  std::vector<EventRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(EventRecord{s.integer(0), s.integer(1), s.text(2), s.text(3)});
  if (rc != SQLITE_DONE) return Unexpected{error("read events")};
  return out;
}

StoreResult<Ok> SqliteStore::forget_events_before(std::int64_t seq) {
  Statement s(prepared("DELETE FROM events WHERE seq < ?;"));
  if (!s.ok()) return Unexpected{error("prepare forget_events_before")};
  s.bind(seq);
  if (s.step() != SQLITE_DONE) return Unexpected{error("forget events")};
  return Ok{};
}

StoreResult<Ok> SqliteStore::put_lease(const LeaseRecord& l) {
  if (l.state == "free") {
    Statement s(prepared("DELETE FROM leases WHERE network=? AND ip=?;"));
    if (!s.ok()) return Unexpected{error("prepare delete lease")};
    s.bind(l.network).bind(l.ip);
    if (s.step() != SQLITE_DONE) return Unexpected{error("delete lease " + l.ip)};
    return Ok{};
  }
  Statement s(prepared("INSERT INTO leases VALUES (?,?,?,?,?,?,?) ON CONFLICT(network, ip) DO UPDATE SET "
                   "client=excluded.client, mac=excluded.mac, state=excluded.state, expires_s=excluded.expires_s, "
                   "host_name=excluded.host_name;"));
  if (!s.ok()) return Unexpected{error("prepare put_lease")};
  s.bind(l.network).bind(l.ip).bind(l.client).bind(l.mac).bind(l.state).bind(l.expires_s).bind(l.host_name);
  if (s.step() != SQLITE_DONE) return Unexpected{error("store lease " + l.ip)};
  return Ok{};
}

StoreResult<std::vector<LeaseRecord>> SqliteStore::leases() {
  Statement s(prepared("SELECT network, ip, client, mac, state, expires_s, host_name FROM leases ORDER BY network, ip;"));
  if (!s.ok()) return Unexpected{error("prepare leases")};
  std::vector<LeaseRecord> out;
  while (s.step() == SQLITE_ROW)
    out.push_back(LeaseRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.text(6)});
  return out;
}

}  // namespace fmc::store

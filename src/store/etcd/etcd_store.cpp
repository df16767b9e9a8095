#include "store/etcd/etcd_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

namespace fmc::store {

using nlohmann::json;

namespace {

constexpr int kSwapAttempts = 64;

std::string number_key(std::int64_t n) {
  char b[24];
  std::snprintf(b, sizeof b, "%020lld", static_cast<long long>(n));
  return b;
}

// A name as one key segment: '/' and '%' escaped, so no name reaches into another's keys.
std::string segment(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '/') out += "%2F";
    else if (c == '%') out += "%25";
    else out += c;
  }
  return out;
}

StoreError failed(const std::string& what, const etcd::EtcdError& e) {
  // Unreachable, or the cluster itself failing (5xx: no leader, a timed-out proposal), may
  // pass; a refused request (4xx: too large, malformed) or an unreadable answer will not.
  const bool transient = e.kind == etcd::EtcdError::Kind::kUnavailable ||
                         (e.kind == etcd::EtcdError::Kind::kRefused && e.status >= 500);
  return StoreError{"etcd: " + what + ": " + e.message, transient};
}

template <class T>
StoreResult<std::vector<T>> read_all(const etcd::EtcdResult<etcd::Range>& r, const std::string& what, T (*from)(const json&)) {
  if (!r) return Unexpected{failed(what, r.error())};
  std::vector<T> out;
  out.reserve(r->kvs.size());
  for (const auto& kv : r->kvs) {
    try {
      out.push_back(from(json::parse(kv.value)));
    } catch (const std::exception& e) {
      return Unexpected{StoreError{"etcd: " + what + ": " + kv.key + " holds an unreadable record: " + e.what()}};
    }
  }
  return out;
}

json to_json(const EndpointRecord& e) {
  return {{"name", e.name},         {"kind", e.kind == EndpointKind::kVm ? "vm" : "client"},
          {"mac", e.mac},           {"ip", e.ip},
          {"home_site", e.home_site}, {"current_site", e.current_site},
          {"dpid", e.dpid},         {"port", e.port},
          {"visiting_ip", e.visiting_ip}, {"updated_ms", e.updated_ms}, {"detached", e.detached}};
}
EndpointRecord endpoint_from(const json& j) {
  return EndpointRecord{j.at("name").get<std::string>(),
                        j.at("kind").get<std::string>() == "vm" ? EndpointKind::kVm : EndpointKind::kClient,
                        j.at("mac").get<std::string>(),
                        j.at("ip").get<std::string>(),
                        j.at("home_site").get<std::string>(),
                        j.at("current_site").get<std::string>(),
                        j.at("dpid").get<std::uint64_t>(),
                        j.at("port").get<std::uint32_t>(),
                        j.at("visiting_ip").get<std::string>(),
                        j.at("updated_ms").get<std::int64_t>(),
                        j.value("detached", false)};
}

json to_json(const LocationChange& c) {
  return {{"endpoint", c.endpoint}, {"from", c.from_site}, {"to", c.to_site}, {"cause", c.cause}, {"at_ms", c.at_ms}};
}
LocationChange change_from(const json& j) {
  return LocationChange{j.at("endpoint").get<std::string>(), j.at("from").get<std::string>(), j.at("to").get<std::string>(),
                        j.at("cause").get<std::string>(), j.at("at_ms").get<std::int64_t>()};
}

json to_json(const MigrationRecord& m) {
  return {{"id", m.id},       {"vm", m.vm},       {"from", m.from_site},          {"to", m.to_site},
          {"state", m.state}, {"started_ms", m.started_ms}, {"finished_ms", m.finished_ms}, {"detail", m.detail}};
}
MigrationRecord migration_from(const json& j) {
  return MigrationRecord{j.at("id").get<std::int64_t>(),       j.at("vm").get<std::string>(),
                         j.at("from").get<std::string>(),      j.at("to").get<std::string>(),
                         j.at("state").get<std::string>(),     j.at("started_ms").get<std::int64_t>(),
                         j.at("finished_ms").get<std::int64_t>(), j.at("detail").get<std::string>()};
}

json to_json(const EventRecord& e) { return {{"seq", e.seq}, {"at_ms", e.at_ms}, {"kind", e.kind}, {"json", e.json}}; }
EventRecord event_from(const json& j) {
  return EventRecord{j.at("seq").get<std::int64_t>(), j.at("at_ms").get<std::int64_t>(), j.at("kind").get<std::string>(),
                     j.at("json").get<std::string>()};
}

json to_json(const LeaseRecord& l) {
  return {{"network", l.network}, {"ip", l.ip},       {"client", l.client},       {"mac", l.mac},
          {"state", l.state},     {"expires_s", l.expires_s}, {"host_name", l.host_name}};
}
LeaseRecord lease_from(const json& j) {
  return LeaseRecord{j.at("network").get<std::string>(), j.at("ip").get<std::string>(),    j.at("client").get<std::string>(),
                     j.at("mac").get<std::string>(),     j.at("state").get<std::string>(), j.at("expires_s").get<std::int64_t>(),
                     j.at("host_name").get<std::string>()};
}

constexpr std::size_t kMaxTxnOps = 128;

// A record as written: with its writer's mark.
std::string marked(json record, const std::string& writer) {
  record["by"] = writer;
  return record.dump();
}

// Unique enough to tell this store's writes from every other controller's.
std::string new_writer_mark() {
  std::random_device rd;
  char b[17];
  std::snprintf(b, sizeof b, "%08x%08x", rd(), rd());
  return b;
}

}  // namespace

EtcdStore::EtcdStore(std::vector<etcd::Endpoint> members, std::string prefix, etcd::EtcdClient::Options options)
    : client_(std::move(members), options), prefix_(std::move(prefix)), writer_(new_writer_mark()) {}

EtcdStore::~EtcdStore() { watches_.clear(); }

std::uint64_t EtcdStore::conflicts() const {
  std::lock_guard lock(seen_mu_);
  return conflicts_;
}

StoreResult<std::unique_ptr<EtcdStore>> EtcdStore::open(const std::string& members, std::string prefix,
                                                         etcd::EtcdClient::Options options) {
  auto endpoints = etcd::parse_endpoints(members);
  if (!endpoints) return Unexpected{StoreError{"etcd: " + endpoints.error()}};
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  std::unique_ptr<EtcdStore> s(new EtcdStore(std::move(*endpoints), std::move(prefix), options));
  if (auto probe = s->client_.get(s->prefix_ + "counters/events"); !probe) return Unexpected{failed("opening", probe.error())};
  return s;
}

StoreResult<std::int64_t> EtcdStore::next_in_block(const std::string& name) {
  constexpr std::int64_t kBlock = 128;
  auto& [next, last] = blocks_[name];
  if (next == 0 || next > last) {
    auto end = advance(name, 0, kBlock);
    if (!end) return Unexpected{end.error()};
    next = *end - kBlock + 1;
    last = *end;
  }
  return next++;
}

StoreResult<std::int64_t> EtcdStore::advance(const std::string& name, std::int64_t at_least, std::int64_t block) {
  const std::string key = prefix_ + "counters/" + name;
  auto current = client_.get(key);
  if (!current) return Unexpected{failed("reading counter " + name, current.error())};
  std::optional<etcd::KeyValue> kv = *current;
  for (int attempt = 0; attempt < kSwapAttempts; ++attempt) {
    std::int64_t n = 0;
    if (kv) {
      auto [end, ec] = std::from_chars(kv->value.data(), kv->value.data() + kv->value.size(), n);
      if (ec != std::errc() || end != kv->value.data() + kv->value.size())
        return Unexpected{StoreError{"etcd: counter " + name + " holds '" + kv->value + "'"}};
    }
    if (at_least > 0 && n >= at_least) return n;
    const std::int64_t next = at_least > 0 ? at_least : n + block;
    auto swap = client_.put_if(key, std::to_string(next), kv ? kv->mod_revision : 0);
    if (!swap) return Unexpected{failed("advancing counter " + name, swap.error())};
    if (swap->done) return next;
    kv = swap->current;  // someone else advanced it: try again from theirs
  }
  return Unexpected{StoreError{"etcd: counter " + name + " kept changing under us"}};
}

StoreResult<Ok> EtcdStore::write(const std::string& what, std::string key, std::optional<std::string> value,
                                 std::optional<std::int64_t> if_revision) {
  if (batching_) {
    if (auto it = held_at_.find(key); it != held_at_.end()) {
      held_[it->second].value = std::move(value);  // the latest write of a key wins, on the first one's condition
    } else {
      held_at_.emplace(key, held_.size());
      held_.push_back({std::move(key), std::move(value), if_revision});
    }
    return Ok{};
  }
  auto r = value ? client_.put(key, *value) : client_.erase(key);
  if (!r) return Unexpected{failed(what, r.error())};
  return Ok{};
}

StoreResult<std::int64_t> EtcdStore::reserve(const std::string& name, std::int64_t count) {
  return advance(name, 0, count);  // advance touches nothing but the (thread-safe) client
}

StoreResult<Ok> EtcdStore::begin_batch() {
  batching_ = true;
  return Ok{};
}

void EtcdStore::rollback_batch() {
  batching_ = false;
  held_.clear();
  held_at_.clear();
  held_endpoints_.clear();
}

StoreResult<Ok> EtcdStore::commit_batch() {
  batching_ = false;
  std::vector<etcd::EtcdClient::Write> writes = std::move(held_);
  auto endpoints = std::move(held_endpoints_);
  held_.clear();
  held_at_.clear();
  held_endpoints_.clear();
  for (std::size_t i = 0; i < writes.size(); i += kMaxTxnOps) {
    const std::vector<etcd::EtcdClient::Write> part(writes.begin() + static_cast<long>(i),
                                                    writes.begin() + static_cast<long>(std::min(writes.size(), i + kMaxTxnOps)));
    auto r = client_.commit(part);
    if (!r) return Unexpected{failed("committing " + std::to_string(part.size()) + " writes", r.error())};
    if (r->done) {
      for (const auto& w : part)
        if (auto it = endpoints.find(w.key); it != endpoints.end()) saw_endpoint(w.key, it->second, r->revision, true);
      continue;
    }
    // An endpoint changed under us: the rest as one transaction, the endpoints one by one.
    std::vector<etcd::EtcdClient::Write> plain;
    for (const auto& w : part)
      if (!w.if_revision) plain.push_back(w);
    if (!plain.empty())
      if (auto rest = client_.commit(plain); !rest)
        return Unexpected{failed("committing " + std::to_string(plain.size()) + " writes", rest.error())};
    for (const auto& w : part)
      if (auto it = endpoints.find(w.key); w.if_revision && it != endpoints.end())
        if (auto one = put_endpoint_now(w.key, it->second); !one) return one;
  }
  return Ok{};
}

std::optional<std::int64_t> EtcdStore::known_revision(const std::string& key) const {
  std::lock_guard lock(seen_mu_);
  auto it = seen_.find(key);
  return it == seen_.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
}

void EtcdStore::saw_endpoint(const std::string& key, const EndpointRecord& e, std::int64_t revision, bool ours) {
  std::function<void(const EndpointRecord&, std::int64_t, bool)> feed;
  {
    std::lock_guard lock(seen_mu_);
    auto& seen = seen_[key];
    seen = std::max(seen, revision);
    feed = feeds_.endpoint;
  }
  if (feed) feed(e, revision, ours);
}

StoreResult<Ok> EtcdStore::put_endpoint_now(const std::string& key, const EndpointRecord& e) {
  auto swap = client_.put_if(key, marked(to_json(e), writer_), known_revision(key).value_or(0));
  if (!swap) return Unexpected{failed("put_endpoint", swap.error())};
  if (swap->done) {
    saw_endpoint(key, e, swap->revision, true);
    return Ok{};
  }
  {
    std::lock_guard lock(seen_mu_);
    ++conflicts_;
  }
  if (!swap->current) {  // deleted meanwhile (not by a controller): write it afresh
    {
      std::lock_guard lock(seen_mu_);
      seen_[key] = 0;
    }
    return put_endpoint_now(key, e);
  }
  notice(e.name + " was written by another controller since this one last read it; theirs stands");
  report(*swap->current);
  return Ok{};
}

void EtcdStore::notice(const std::string& what) {
  std::function<void(const std::string&)> tell;
  {
    std::lock_guard lock(seen_mu_);
    tell = feeds_.notice;
  }
  if (tell) tell(what);
}

void EtcdStore::report(const etcd::KeyValue& kv) {
  try {
    const json j = json::parse(kv.value);
    const bool ours = j.value("by", std::string()) == writer_;
    if (kv.key.rfind(prefix_ + "endpoints/", 0) == 0) return saw_endpoint(kv.key, endpoint_from(j), kv.mod_revision, ours);
    Feeds feeds;
    {
      std::lock_guard lock(seen_mu_);
      feeds.migration = feeds_.migration;
      feeds.tunnel_ack = feeds_.tunnel_ack;
    }
    if (feeds.migration && kv.key.rfind(prefix_ + "migrations/", 0) == 0) feeds.migration(migration_from(j), ours);
    if (feeds.tunnel_ack && kv.key.rfind(prefix_ + "acks/", 0) == 0)
      feeds.tunnel_ack(TunnelAck{j.at("endpoint").get<std::string>(), j.at("scope").get<std::string>(),
                                 j.at("visiting_ip").get<std::string>()},
                       ours);
  } catch (const std::exception& e) {
    notice(kv.key + " holds an unreadable record (" + e.what() + "); ignored");
  }
}

StoreResult<std::int64_t> EtcdStore::report_all() {
  std::int64_t revision = 0;
  for (const char* what : {"endpoints/", "migrations/"}) {
    auto r = client_.range_prefix(prefix_ + what);
    if (!r) return Unexpected{failed(std::string("reading ") + what, r.error())};
    for (const auto& kv : r->kvs) report(kv);
    revision = revision ? std::min(revision, r->revision) : r->revision;
  }
  return revision;
}

StoreResult<Ok> EtcdStore::follow(Feeds feeds) {
  {
    std::lock_guard lock(seen_mu_);
    feeds_ = std::move(feeds);
  }
  auto revision = report_all();
  if (!revision) return Unexpected{revision.error()};
  for (const char* what : {"endpoints/", "migrations/", "acks/"}) {
    etcd::Watcher::Handlers h{
        [this](const std::vector<etcd::WatchEvent>& events, std::int64_t) {
          for (const auto& e : events)
            if (e.type == etcd::WatchEvent::Type::kPut) report(e.kv);
        },
        [this, what](std::int64_t compacted) {
          notice(std::string("the watch of ") + what + " lost history up to revision " + std::to_string(compacted) +
                 "; reading everything again");
          if (auto again = report_all(); !again) notice(again.error().message);
        },
        [this, what](bool up, const std::string& why) {
          if (!up) notice(std::string("the watch of ") + what + " was interrupted: " + why);
        }};
    watches_.push_back(std::make_unique<etcd::Watcher>(client_.endpoints(), prefix_ + what, *revision + 1, std::move(h)));
  }
  return Ok{};
}

StoreResult<Ok> EtcdStore::put_endpoint(const EndpointRecord& e) {
  std::string key = prefix_ + "endpoints/" + segment(e.name);
  if (!batching_) return put_endpoint_now(key, e);
  held_endpoints_[key] = e;
  return write("put_endpoint", key, marked(to_json(e), writer_), known_revision(key).value_or(0));
}

StoreResult<Ok> EtcdStore::put_tunnel_ack(const TunnelAck& ack) {
  const json j = {{"endpoint", ack.endpoint}, {"scope", ack.scope}, {"visiting_ip", ack.visiting_ip}};
  return write("put_tunnel_ack", prefix_ + "acks/" + segment(ack.endpoint) + "/" + segment(ack.scope), marked(j, writer_));
}

StoreResult<std::vector<EndpointRecord>> EtcdStore::endpoints() {
  auto r = client_.range_prefix(prefix_ + "endpoints/");
  if (r) {
    std::lock_guard lock(seen_mu_);
    for (const auto& kv : r->kvs) seen_[kv.key] = std::max(seen_[kv.key], kv.mod_revision);
  }
  return read_all<EndpointRecord>(r, "endpoints", endpoint_from);
}

StoreResult<Ok> EtcdStore::add_location_change(const LocationChange& c) {
  auto seq = next_in_block("history");
  if (!seq) return Unexpected{seq.error()};
  return write("add_location_change", prefix_ + "history/" + segment(c.endpoint) + "/" + number_key(*seq), to_json(c).dump());
}

StoreResult<std::vector<LocationChange>> EtcdStore::location_history(const std::string& endpoint) {
  return read_all<LocationChange>(client_.range_prefix(prefix_ + "history/" + segment(endpoint) + "/"), "location_history",
                                  change_from);
}

StoreResult<std::int64_t> EtcdStore::put_migration(const MigrationRecord& m) {
  MigrationRecord r = m;
  // A given id needs the counter at least there; known to be, it costs nothing (a
  // migration's updates keep its id).
  if (r.id == 0 || r.id > migrations_counted_) {
    auto id = advance("migrations", m.id);
    if (!id) return Unexpected{id.error()};
    if (r.id == 0) r.id = *id;
    migrations_counted_ = std::max(migrations_counted_, r.id);
  }
  if (auto put = write("put_migration", prefix_ + "migrations/" + number_key(r.id), marked(to_json(r), writer_)); !put)
    return Unexpected{put.error()};
  return r.id;
}

StoreResult<std::vector<MigrationRecord>> EtcdStore::migrations() {
  return read_all<MigrationRecord>(client_.range_prefix(prefix_ + "migrations/"), "migrations", migration_from);
}

StoreResult<std::int64_t> EtcdStore::append_event(const EventRecord& e) {
  auto seq = next_in_block("events");
  if (!seq) return Unexpected{seq.error()};
  EventRecord r = e;
  r.seq = *seq;
  if (auto put = write("append_event", prefix_ + "events/" + number_key(r.seq), to_json(r).dump()); !put)
    return Unexpected{put.error()};
  return r.seq;
}

StoreResult<std::vector<EventRecord>> EtcdStore::events_since(std::int64_t seq) {
  const std::string prefix = prefix_ + "events/";
  return read_all<EventRecord>(client_.range_prefix(prefix, prefix + number_key(seq + 1)), "events_since", event_from);
}

StoreResult<Ok> EtcdStore::forget_events_before(std::int64_t seq) {
  const std::string prefix = prefix_ + "events/";
  if (auto r = client_.erase_range(prefix, prefix + number_key(seq)); !r) return Unexpected{failed("forget_events_before", r.error())};
  return Ok{};
}

StoreResult<Ok> EtcdStore::put_lease(const LeaseRecord& l) {
  const std::string key = prefix_ + "leases/" + segment(l.network) + "/" + segment(l.ip);
  if (l.state == "free") return write("put_lease", key, std::nullopt);
  return write("put_lease", key, to_json(l).dump());
}

StoreResult<std::vector<LeaseRecord>> EtcdStore::leases() {
  return read_all<LeaseRecord>(client_.range_prefix(prefix_ + "leases/"), "leases", lease_from);
}

}  // namespace fmc::store

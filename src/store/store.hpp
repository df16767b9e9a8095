#pragma once
// The Follow-Me Cloud database (paper Fig. 2): endpoints with their home and
// current locations, location history, migrations and events. An interface,
// so that a distributed store (etcd) can replace the embedded SQLite one.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace fmc::store {

struct StoreError {
  std::string message;
  // The store could not take the write for now (disk full, read-only, I/O error, etcd
  // unreachable); the same write may succeed later. Otherwise the write itself is wrong.
  bool transient = false;
};
template <class T>
using StoreResult = Result<T, StoreError>;

enum class EndpointKind : std::uint8_t { kVm, kClient };

// Plain strings and integers: the store does not depend on the codec.
struct EndpointRecord {
  std::string name;
  EndpointKind kind = EndpointKind::kVm;
  std::string mac;           // aa:bb:cc:dd:ee:ff
  std::string ip;            // empty if not known yet
  std::string home_site;
  std::string current_site;
  std::uint64_t dpid = 0;    // 0 = not seen yet
  std::uint32_t port = 0;
  std::string visiting_ip;   // routable address while visiting, else empty
  std::int64_t updated_ms = 0;
  // Its port went down or away: whoever sees it next sees a move, not a spoof. Kept by
  // shared stores (other controllers must know); SQLite does not keep it (nor a restart).
  bool detached = false;
  bool operator==(const EndpointRecord&) const = default;
};

struct LocationChange {
  std::string endpoint;
  std::string from_site;
  std::string to_site;
  std::string cause;  // "traffic", "dhcp", "migration", "gratuitous-arp", ...
  std::int64_t at_ms = 0;
};

struct MigrationRecord {
  std::int64_t id = 0;  // assigned by the store
  std::string vm;
  std::string from_site;
  std::string to_site;
  std::string state;    // requested, running, completed, failed, cancelled
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::string detail;
};

struct EventRecord {
  std::int64_t seq = 0;  // assigned by the store
  std::int64_t at_ms = 0;
  std::string kind;
  std::string json;
};

// A DHCP lease (address bookkeeping of one client network).
struct LeaseRecord {
  std::string network;
  std::string ip;
  std::string client;     // the client's identity (client-id or hardware address)
  std::string mac;
  std::string state;      // offered, bound, released, declined; "free" deletes the row
  std::int64_t expires_s = 0;
  std::string host_name;
  bool operator==(const LeaseRecord&) const = default;
};

// Several controllers (paper §V): the controller whose switches are a visitor's
// correspondents tells the one that chose its visiting address that those switches
// now undo it (their flows were confirmed), so the visited switch may start using it.
struct TunnelAck {
  std::string endpoint;
  std::string scope;        // whose switches took the tunnel
  std::string visiting_ip;  // the visit acknowledged
  bool operator==(const TunnelAck&) const = default;
};

// What controllers sharing a store learn of each other's writes (paper §V). Each
// record comes with the store's revision of it, which grows with every write of
// its key; `ours` marks what this store wrote itself (a confirmation).
struct Feeds {
  std::function<void(const EndpointRecord&, std::int64_t revision, bool ours)> endpoint;
  std::function<void(const MigrationRecord&, bool ours)> migration;
  std::function<void(const std::string&)> notice;  // what an operator should know (a conflict, a lost watch)
  std::function<void(const TunnelAck&, bool ours)> tunnel_ack;  // as they are written (none replayed)
};

class Store {
 public:
  virtual ~Store() = default;
  // On a shared store, written only if no other controller wrote the record since
  // this one last saw it; if one did, theirs stands and is reported (follow).
  virtual StoreResult<Ok> put_endpoint(const EndpointRecord& e) = 0;
  virtual StoreResult<std::vector<EndpointRecord>> endpoints() = 0;
  virtual StoreResult<Ok> add_location_change(const LocationChange& c) = 0;
  virtual StoreResult<std::vector<LocationChange>> location_history(const std::string& endpoint) = 0;
  // id == 0: inserted with a new id; else inserted or updated under that id. Returns the id.
  virtual StoreResult<std::int64_t> put_migration(const MigrationRecord& m) = 0;
  virtual StoreResult<std::vector<MigrationRecord>> migrations() = 0;
  virtual StoreResult<std::int64_t> append_event(const EventRecord& e) = 0;
  virtual StoreResult<std::vector<EventRecord>> events_since(std::int64_t seq) = 0;
  // Removes the events numbered below `seq` (the history's retention bound).
  virtual StoreResult<Ok> forget_events_before(std::int64_t seq) = 0;
  virtual StoreResult<Ok> put_lease(const LeaseRecord& l) = 0;
  virtual StoreResult<std::vector<LeaseRecord>> leases() = 0;
  // Tells the controllers sharing this store (follow) that `ack.scope`'s switches took a
  // visitor's tunnel. A store one controller alone uses has nobody to tell.
  virtual StoreResult<Ok> put_tunnel_ack(const TunnelAck& ack) {
    (void)ack;
    return Ok{};
  }
  // Reserves `count` numbers of counter `name` (e.g. "migrations") for this controller
  // alone and returns the last; thread-safe. Only a shared store needs to.
  virtual StoreResult<std::int64_t> reserve(const std::string& name, std::int64_t count) {
    (void)count;
    return Unexpected{StoreError{"numbers of " + name + " are reserved only in a shared store"}};
  }
  // From now on reports every endpoint and migration record as it changes, starting
  // with what is stored now, from other threads. A store one controller alone
  // uses has nothing to report.
  virtual StoreResult<Ok> follow(Feeds feeds) {
    (void)feeds;
    return Ok{};
  }
  // Groups the writes between them into one transaction (group commit).
  virtual StoreResult<Ok> begin_batch() { return Ok{}; }
  virtual StoreResult<Ok> commit_batch() { return Ok{}; }
  // Drops the writes since begin_batch (after one of them failed).
  virtual void rollback_batch() {}
};

}  // namespace fmc::store

#pragma once
// etcd's v3 API (KV, transactions, leases) spoken through its JSON gateway
// (etcd 3.4: POST /v3/kv/range etc., keys and values in base64). Blocking,
// for a store's writer thread: each call has a deadline; a member that
// cannot be reached, or times out, is left for the next one in the list
// (reconnection is the next call's). Thread-safe (one call at a time).
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/etcd/connection.hpp"
#include "util/result.hpp"

namespace fmc::store::etcd {

// "etcd://host:port,host:port" (or without the scheme); the port defaults to 2379.
Result<std::vector<Endpoint>, std::string> parse_endpoints(std::string_view text);

struct KeyValue {
  std::string key, value;
  std::int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

struct EtcdError {
  enum class Kind {
    kUnavailable,  // no member answered in time
    kRefused,      // a member answered with an error (e.g. no quorum, bad request)
    kMalformed,    // an answer we could not read
  } kind;
  std::string message;
  int status = 0;  // kRefused: the HTTP status it answered with (5xx: the cluster, e.g. no leader; 4xx: the request)
};
template <class T>
using EtcdResult = Result<T, EtcdError>;

struct Range {
  std::vector<KeyValue> kvs;
  std::int64_t revision = 0;  // of the store when read
};

// The outcome of a put conditioned on the key's revision.
struct Swap {
  bool done = false;
  std::int64_t revision = 0;          // of the store after the transaction
  std::optional<KeyValue> current;    // when not done: what the key holds now (nullopt: absent)
};

class EtcdClient {
 public:
  struct Options {
    std::chrono::milliseconds timeout{2000};  // per call, over every member tried
    std::size_t max_value = 1024 * 1024;      // etcd's default request limit is 1.5 MiB
  };
  EtcdClient(std::vector<Endpoint> endpoints, Options options);
  explicit EtcdClient(std::vector<Endpoint> endpoints) : EtcdClient(std::move(endpoints), Options{}) {}

  EtcdResult<std::int64_t> put(const std::string& key, const std::string& value, std::int64_t lease = 0);
  EtcdResult<std::optional<KeyValue>> get(const std::string& key);
  // Every key starting with `prefix`, in key order; from `from_key` on if given.
  EtcdResult<Range> range_prefix(const std::string& prefix, const std::string& from_key = "");
  EtcdResult<std::int64_t> erase(const std::string& key);
  // Every key from `from_key` up to, not including, `to_key`.
  EtcdResult<std::int64_t> erase_range(const std::string& from_key, const std::string& to_key);
  // Puts `value` (under `lease`, if not 0) only if `key`'s mod_revision is `expected`
  // (0: only if the key does not exist).
  EtcdResult<Swap> put_if(const std::string& key, const std::string& value, std::int64_t expected, std::int64_t lease = 0);
  // Writes that take effect together or not at all (no more than etcd's --max-txn-ops, 128 by
  // default): none if a key with `if_revision` no longer has that mod_revision (0: absent).
  struct Write {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete the key
    std::optional<std::int64_t> if_revision = std::nullopt;
  };
  struct Committed {
    bool done = false;
    std::int64_t revision = 0;  // of the store after the transaction
  };
  EtcdResult<Committed> commit(const std::vector<Write>& writes);
  EtcdResult<std::int64_t> grant_lease(std::chrono::seconds ttl);
  // Renews the lease; returns the TTL left (0: the lease is gone).
  EtcdResult<std::int64_t> keep_alive(std::int64_t lease);
  EtcdResult<Ok> revoke(std::int64_t lease);

  const std::vector<Endpoint>& endpoints() const { return endpoints_; }
  // The member the last call went to.
  Endpoint current() const;

 private:
  // POSTs to one member after another until one answers; the JSON body of a 200.
  EtcdResult<std::string> call(const std::string& path, const std::string& body);

  std::vector<Endpoint> endpoints_;
  Options options_;
  mutable std::mutex mu_;
  std::size_t next_ = 0;  // the member to try first
  std::unique_ptr<Connection> connection_;
};

// The first key after every key that starts with `prefix` (etcd's range_end for a prefix).
std::string prefix_end(const std::string& prefix);

}  // namespace fmc::store::etcd

#pragma once
// Follows every change under a key prefix (etcd's Watch, through the JSON
// gateway's streamed answer), on a thread of its own. It resumes after a
// lost connection from the revision after the last one it delivered, on the
// next member if need be; if that revision has been compacted away it says
// so (the owner reloads everything) and goes on from the current one.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/etcd/etcd_client.hpp"

namespace fmc::store::etcd {

struct WatchEvent {
  enum class Type { kPut, kDelete } type;
  KeyValue kv;  // for a delete: the key and the revision it was deleted at
};

// The pure part: the gateway's stream cut into its JSON messages.
class WatchStream {
 public:
  // Appends streamed bytes; returns the complete top-level JSON objects found so far.
  std::vector<std::string> feed(std::string_view bytes);
  // Bytes held for an object not yet complete (bounded by the caller).
  std::size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
  std::size_t scanned_ = 0;
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false;
};

class Watcher {
 public:
  struct Handlers {
    std::function<void(const std::vector<WatchEvent>&, std::int64_t revision)> events;
    // The revision to resume from was compacted: what happened since is unknown.
    std::function<void(std::int64_t compact_revision)> compacted;
    // Connected (true) or lost (false), with why.
    std::function<void(bool, const std::string&)> status;
  };
  Watcher(std::vector<Endpoint> endpoints, std::string prefix, std::int64_t from_revision, Handlers handlers,
          std::chrono::milliseconds retry = std::chrono::milliseconds(200));
  ~Watcher();  // stops and joins
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // The next revision it will ask for.
  std::int64_t next_revision() const { return next_.load(); }

 private:
  void run();
  // One connection's life; returns why it ended.
  std::string follow(const Endpoint& member);
  void handle(const std::string& message);

  std::vector<Endpoint> endpoints_;
  std::string prefix_;
  Handlers handlers_;
  std::chrono::milliseconds retry_;
  std::atomic<std::int64_t> next_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  Connection* live_ = nullptr;  // guarded by mu_, so the destructor can wake it
  std::thread thread_;
};

}  // namespace fmc::store::etcd

#pragma once
// Keeps store writes off the event loop: callers queue them, one background
// thread applies them in order, everything queued at once in one
// transaction (group commit). `Done` runs on the writer thread once the write
// is committed (or failed): the hook for "reply only after it is stored" (a
// DHCP ACK) and "report only what is stored" (the event stream).
//
// An outage of the store (disk full, file system read-only, I/O errors, etcd
// unreachable: a transient StoreError) loses nothing that can wait: those
// writes are held, in order, and retried with a growing pause until the store
// takes them again; a write that must not wait (OnOutage::kReport) fails to its
// `Done` at once. A write the store refuses for itself (a constraint) fails
// alone. Held writes are bounded (Options::max_held): past it the oldest
// unkeyed ones (history, events) are dropped and counted, the latest state of
// each record (submit_latest) last.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/store.hpp"

namespace fmc::store {

class WriteBehind {
 public:
  using Write = std::function<StoreResult<Ok>(Store&)>;
  using Done = std::function<void(const StoreResult<Ok>&)>;
  enum class OnOutage : std::uint8_t { kHold, kReport };
  struct Options {
    std::chrono::milliseconds first_retry{100};
    std::chrono::milliseconds max_retry{5000};
    std::size_t max_held = 200'000;
  };
  // What an operator is told: every refused write; an outage at its first failed
  // attempt and the 2nd, 4th, 8th, ...; its end.
  struct Reports {
    std::function<void(const StoreError&)> error;
    std::function<void(const std::string&)> recovered;
  };
  struct Health {
    bool writable = true;            // the last attempt was stored
    std::uint64_t failed_attempts = 0;  // attempts that met an outage, ever
    std::uint64_t refused = 0;       // writes the store refused for themselves, ever
    std::uint64_t lost = 0;          // held writes dropped past max_held (or at stop), ever
    std::size_t held = 0;            // writes waiting for the store now
  };

  WriteBehind(std::unique_ptr<Store> store, Reports reports, Options options);
  WriteBehind(std::unique_ptr<Store> store, std::function<void(const StoreError&)> on_error)
      : WriteBehind(std::move(store), Reports{std::move(on_error), {}}, Options{}) {}
  ~WriteBehind();  // applies what is queued (one more attempt in an outage), then stops
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void submit(Write w, Done done = {}, OnOutage outage = OnOutage::kHold);
  // A write of the latest state of `key` (an upsert): if one for the same key
  // is still queued, it is replaced in place, so a burst of updates to one
  // record costs one statement.
  void submit_latest(const std::string& key, Write w);
  void flush();  // blocks until everything submitted so far is written (or failed; not while held)
  Health health() const;

 private:
  struct Item {
    Write write;
    Done done;
    OnOutage outage = OnOutage::kHold;
    std::string key;  // submit_latest's, else empty
  };
  void run();
  // Applies `batch`; returns what an outage held back, in order.
  std::deque<Item> apply(std::deque<Item>& batch);
  std::deque<Item> one_by_one(std::deque<Item>& batch);
  void outage(const StoreError& e);
  void stored();  // an attempt went through: ends an outage
  // Puts `held` back before what was queued since (a newer write of a key wins) and
  // bounds it; returns what the bound dropped.
  std::deque<Item> requeue(std::deque<Item> held);

  std::unique_ptr<Store> store_;
  Reports reports_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<Item> queue_;
  std::unordered_map<std::string, std::size_t> latest_;  // key -> index in queue_
  bool busy_ = false;
  bool stop_ = false;
  std::uint64_t submitted_ = 0, taken_ = 0;  // writes submitted; of them, taken by an attempt
  // The writer thread's own.
  std::chrono::steady_clock::time_point retry_at_{}, outage_since_{};
  std::chrono::milliseconds pause_{0};  // between attempts while the store is out; 0 = not out
  std::uint64_t outage_attempts_ = 0;   // in the current outage
  // Written by the writer thread, read by anyone.
  std::atomic<bool> writable_{true};
  std::atomic<std::uint64_t> failed_attempts_{0}, refused_{0}, lost_{0};
  std::atomic<std::size_t> held_{0};
  std::thread thread_;
};

}  // namespace fmc::store

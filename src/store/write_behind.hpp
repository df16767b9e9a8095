#pragma once
// Keeps store writes off the event loop: callers queue them, one background
// thread applies them in order, everything queued at once in one
// transaction (group commit). Failures are logged through `on_error`.
// `Done` runs on the writer thread once the write is committed (or failed):
// the hook for "reply only after it is stored" (a DHCP ACK).
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <thread>

#include "store/store.hpp"

namespace fmc::store {

class WriteBehind {
 public:
  using Write = std::function<StoreResult<Ok>(Store&)>;
  using Done = std::function<void(const StoreResult<Ok>&)>;
  WriteBehind(std::unique_ptr<Store> store, std::function<void(const StoreError&)> on_error);
  ~WriteBehind();  // applies what is queued, then stops
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void submit(Write w, Done done = {});
  // A write of the latest state of `key` (an upsert): if one for the same key
  // is still queued, it is replaced in place, so a burst of updates to one
  // record costs one statement.
  void submit_latest(const std::string& key, Write w);
  void flush();  // blocks until everything submitted so far is written

 private:
  struct Item {
    Write write;
    Done done;
  };
  void run();
  void apply(std::deque<Item>& batch);
  std::unique_ptr<Store> store_;
  std::function<void(const StoreError&)> on_error_;
  std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<Item> queue_;
  std::unordered_map<std::string, std::size_t> latest_;  // key -> index in queue_
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fmc::store

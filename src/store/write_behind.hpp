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
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fmc::store

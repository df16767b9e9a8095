#pragma once
// Keeps store writes off the event loop: callers queue them, one background
// thread applies them in order. Failures are logged through `on_error`.
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
  WriteBehind(std::unique_ptr<Store> store, std::function<void(const StoreError&)> on_error);
  ~WriteBehind();  // applies what is queued, then stops
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void submit(Write w);
  void flush();  // blocks until everything submitted so far is written

 private:
  void run();
  std::unique_ptr<Store> store_;
  std::function<void(const StoreError&)> on_error_;
  std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<Write> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fmc::store

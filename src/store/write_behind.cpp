#include "store/write_behind.hpp"

namespace fmc::store {

WriteBehind::WriteBehind(std::unique_ptr<Store> store, std::function<void(const StoreError&)> on_error)
    : store_(std::move(store)), on_error_(std::move(on_error)), thread_([this] { run(); }) {}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WriteBehind::submit(Write w) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(w));
  }
  cv_.notify_one();
}

void WriteBehind::flush() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void WriteBehind::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) break;
    auto w = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    auto r = w(*store_);
    if (!r && on_error_) on_error_(r.error());
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace fmc::store

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

void WriteBehind::submit(Write w, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Item{std::move(w), std::move(done)});
  }
  cv_.notify_one();
}

void WriteBehind::submit_latest(const std::string& key, Write w) {
  {
    std::lock_guard lock(mu_);
    if (auto it = latest_.find(key); it != latest_.end()) {
      queue_[it->second].write = std::move(w);
      return;
    }
    latest_.emplace(key, queue_.size());
    queue_.push_back(Item{std::move(w), {}});
  }
  cv_.notify_one();
}

void WriteBehind::flush() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void WriteBehind::apply(std::deque<Item>& batch) {
  const bool grouped = batch.size() > 1 && store_->begin_batch();
  std::vector<StoreResult<Ok>> results;
  results.reserve(batch.size());
  for (auto& item : batch) {
    results.push_back(item.write(*store_));
    if (!results.back() && on_error_) on_error_(results.back().error());
  }
  if (grouped)
    if (auto c = store_->commit_batch(); !c) {
      if (on_error_) on_error_(c.error());
      for (auto& r : results) r = c;
    }
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].done) batch[i].done(results[i]);
}

void WriteBehind::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) break;
    std::deque<Item> batch;
    batch.swap(queue_);
    latest_.clear();
    busy_ = true;
    lock.unlock();
    apply(batch);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace fmc::store

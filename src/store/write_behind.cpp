#include "store/write_behind.hpp"

#include <unordered_set>

#include "util/log_thinning.hpp"

namespace fmc::store {

WriteBehind::WriteBehind(std::unique_ptr<Store> store, Reports reports, Options options)
    : store_(std::move(store)), reports_(std::move(reports)), options_(options), thread_([this] { run(); }) {}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WriteBehind::submit(Write w, Done done, OnOutage outage) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Item{std::move(w), std::move(done), outage, {}});
    ++submitted_;
  }
  cv_.notify_one();
}

void WriteBehind::submit_latest(const std::string& key, Write w) {
  {
    std::lock_guard lock(mu_);
    ++submitted_;
    if (auto it = latest_.find(key); it != latest_.end()) {
      queue_[it->second].write = std::move(w);
      return;
    }
    latest_.emplace(key, queue_.size());
    queue_.push_back(Item{std::move(w), {}, OnOutage::kHold, key});
  }
  cv_.notify_one();
}

void WriteBehind::flush() {
  std::unique_lock lock(mu_);
  const auto target = submitted_;
  idle_.wait(lock, [&] { return taken_ >= target && !busy_; });
}

WriteBehind::Health WriteBehind::health() const {
  return Health{writable_.load(), failed_attempts_.load(), refused_.load(), lost_.load(), held_.load()};
}

std::deque<WriteBehind::Item> WriteBehind::apply(std::deque<Item>& batch) {
  if (batch.size() > 1 && store_->begin_batch()) {
    bool all = true;
    for (auto& item : batch)
      if (!item.write(*store_)) {
        all = false;
        break;
      }
    if (all && store_->commit_batch()) {
      stored();
      for (auto& item : batch)
        if (item.done) item.done(Ok{});
      return {};
    }
    store_->rollback_batch();  // and find out which write it was, one at a time
  }
  return one_by_one(batch);
}

std::deque<WriteBehind::Item> WriteBehind::one_by_one(std::deque<Item>& batch) {
  std::deque<Item> held;
  std::optional<StoreError> out;  // the outage this pass met: the rest wait without trying
  for (auto& item : batch) {
    StoreResult<Ok> r = out ? StoreResult<Ok>(Unexpected{*out}) : item.write(*store_);
    if (!r && r.error().transient) {
      out = r.error();
      if (item.outage == OnOutage::kHold) {
        held.push_back(std::move(item));
        continue;
      }
    } else if (!r) {
      ++refused_;
      if (reports_.error) reports_.error(r.error());
    }
    if (item.done) item.done(r);
  }
  if (out) outage(*out);
  else stored();
  return held;
}

void WriteBehind::outage(const StoreError& e) {
  ++failed_attempts_;
  if (outage_attempts_++ == 0) outage_since_ = std::chrono::steady_clock::now();
  writable_ = false;
  pause_ = pause_.count() == 0 ? options_.first_retry : std::min(pause_ * 2, options_.max_retry);
  retry_at_ = std::chrono::steady_clock::now() + pause_;
  if (worth_logging(outage_attempts_) && reports_.error)
    reports_.error(StoreError{"the store cannot take writes (attempt " + std::to_string(outage_attempts_) +
                                  "; they are held and retried, next in " + std::to_string(pause_.count()) + " ms): " + e.message,
                              true});
}

void WriteBehind::stored() {
  if (outage_attempts_ == 0) return;
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - outage_since_).count();
  if (reports_.recovered)
    reports_.recovered("the store takes writes again after " + std::to_string(outage_attempts_) + " failed attempts over " +
                       std::to_string(static_cast<long long>(took * 1000)) + " ms; the held writes are stored");
  outage_attempts_ = 0;
  pause_ = std::chrono::milliseconds{0};
  writable_ = true;
  held_ = 0;
}

std::deque<WriteBehind::Item> WriteBehind::requeue(std::deque<Item> held) {
  std::unordered_set<std::string> newer;
  for (const auto& item : queue_)
    if (!item.key.empty()) newer.insert(item.key);
  std::deque<Item> merged;
  for (auto& item : held)
    if (item.key.empty() || !newer.count(item.key)) merged.push_back(std::move(item));
  for (auto& item : queue_) merged.push_back(std::move(item));
  // Over the bound: the oldest history and events go first, records' latest states last.
  std::deque<Item> dropped;
  for (auto it = merged.begin(); merged.size() > options_.max_held && it != merged.end();) {
    if (it->key.empty()) {
      dropped.push_back(std::move(*it));
      it = merged.erase(it);
    } else {
      ++it;
    }
  }
  while (merged.size() > options_.max_held) {
    dropped.push_back(std::move(merged.front()));
    merged.pop_front();
  }
  queue_ = std::move(merged);
  latest_.clear();
  for (std::size_t i = 0; i < queue_.size(); ++i)
    if (!queue_[i].key.empty()) latest_[queue_[i].key] = i;
  held_ = queue_.size();
  lost_ += dropped.size();
  return dropped;
}

void WriteBehind::run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (pause_.count() != 0) cv_.wait_until(lock, retry_at_, [this] { return stop_; });
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) break;
    std::deque<Item> batch;
    batch.swap(queue_);
    latest_.clear();
    taken_ = submitted_;
    busy_ = true;
    lock.unlock();
    auto held = apply(batch);
    lock.lock();
    std::deque<Item> dropped;
    const bool stopping = stop_;
    if (!held.empty()) {
      if (stopping) {
        dropped = std::move(held);  // the store stayed out to the end
        lost_ += dropped.size();
      } else {
        dropped = requeue(std::move(held));
      }
    }
    busy_ = false;
    if (!dropped.empty()) {
      lock.unlock();
      if (reports_.error)
        reports_.error(StoreError{std::to_string(dropped.size()) + " held writes dropped" +
                                      (stopping ? ": stopping while the store is out" : ": more are held than the bound"),
                                  true});
      for (auto& item : dropped)
        if (item.done) item.done(Unexpected{StoreError{"dropped while the store was out", true}});
      lock.lock();
    }
    idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace fmc::store

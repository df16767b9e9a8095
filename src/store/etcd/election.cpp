#include "store/etcd/election.hpp"

namespace fmc::store::etcd {

namespace {
using Clock = std::chrono::steady_clock;
}

Election::Election(std::vector<Endpoint> members, std::string key, std::string candidate, std::chrono::seconds ttl,
                   Handlers handlers)
    // Renewals every tenth of the TTL, each allowed a fifth, and a step-down once 6/10 of the
    // TTL have passed without one: a master cut off steps down by 9/10 of the TTL at the
    // latest, before etcd can let its lease expire and elect another.
    : client_(std::move(members), EtcdClient::Options{std::chrono::duration_cast<std::chrono::milliseconds>(ttl) / 5}),
      key_(std::move(key)),
      candidate_(std::move(candidate)),
      ttl_(ttl),
      handlers_(std::move(handlers)),
      thread_([this] { run(); }) {}

Election::~Election() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Election::abandon() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    resign_ = false;
  }
  cv_.notify_all();
  thread_.join();
  thread_ = std::thread([] {});  // the destructor joins something
}

std::optional<std::int64_t> Election::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

bool Election::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void Election::run() {
  const auto retry = std::chrono::milliseconds(ttl_) / 10;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    if (!campaign() && !wait(retry)) return;
  }
}

void Election::following(std::int64_t generation) {
  if (generation == followed_) return;
  followed_ = generation;
  if (handlers_.follows) handlers_.follows(followed_);
}

bool Election::campaign() {
  // While someone holds the key, one read: no lease granted and revoked every retry.
  auto held = client_.get(key_);
  if (held && *held) {
    following((*held)->create_revision);
    return false;
  }
  auto lease = client_.grant_lease(ttl_);
  if (!lease) return false;
  // Created under the lease, and only if nobody holds the key: if this process dies,
  // the key goes with the lease.
  auto won = client_.put_if(key_, candidate_, 0, *lease);
  if (!won || !won->done) {
    (void)client_.revoke(*lease);
    if (won && won->current) following(won->current->create_revision);
    return false;
  }
  hold(*lease, won->revision);  // the transaction's revision is the key's create_revision
  return true;
}

void Election::hold(std::int64_t lease, std::int64_t generation) {
  {
    std::lock_guard lock(mu_);
    generation_ = generation;
  }
  if (handlers_.elected) handlers_.elected(generation);
  auto renewed = Clock::now();
  std::string why;
  const std::chrono::milliseconds ttl = ttl_;  // in ms: a tenth of a few seconds is not 0
  while (wait(ttl / 10)) {
    auto left = client_.keep_alive(lease);
    if (left && *left > 0) {
      renewed = Clock::now();
      continue;
    }
    if (left) {
      why = "lost the lease on " + key_;
      break;
    }
    if (Clock::now() - renewed >= ttl * 6 / 10) {
      why = "cannot reach etcd to renew " + key_ + ": " + left.error().message;
      break;
    }
  }
  bool resign = false;
  {
    std::lock_guard lock(mu_);
    generation_.reset();
    resign = stop_ && resign_;
    if (stop_ && why.empty()) why = resign ? "resigned" : "abandoned";
  }
  if (resign) (void)client_.revoke(lease);  // frees the key for the next candidate now
  if (handlers_.deposed) handlers_.deposed(why);
}

}  // namespace fmc::store::etcd

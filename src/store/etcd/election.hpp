#pragma once
// Mastership of one key, decided by etcd (paper §V: one master controller
// per network scope). A candidate holds a lease and tries to create the key
// under it; whoever created it is master until its lease ends. The
// generation id is the key's create_revision, which only grows from one
// master to the next, so a switch told by a newer master refuses an older
// one (OpenFlow ROLE_REQUEST, OFPRRFC_STALE).
// A master that cannot renew its lease steps down (deposed) once 6/10 of the
// TTL have passed since its last renewal (by 9/10 of it at the latest):
// before etcd can give the key to anyone else. Runs on its own thread; the
// handlers run there.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/etcd/etcd_client.hpp"

namespace fmc::store::etcd {

class Election {
 public:
  struct Handlers {
    std::function<void(std::int64_t generation)> elected;
    std::function<void(const std::string& why)> deposed;
    // Another candidate is master, with this generation (told when it changes).
    std::function<void(std::int64_t generation)> follows = nullptr;
  };
  Election(std::vector<Endpoint> members, std::string key, std::string candidate, std::chrono::seconds ttl, Handlers handlers);
  ~Election();  // resigns: the key is freed at once for the next candidate
  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;

  // The generation while master.
  std::optional<std::int64_t> generation() const;
  // Stops without resigning, as a crash would: the key stays until the lease expires. For tests.
  void abandon();

 private:
  void run();
  // Campaigns once: true if elected (then holds mastership until it ends).
  bool campaign();
  void following(std::int64_t generation);  // tells `follows` of a new master
  void hold(std::int64_t lease, std::int64_t generation);
  bool wait(std::chrono::milliseconds d);  // false if stopping

  EtcdClient client_;
  std::string key_, candidate_;
  std::chrono::seconds ttl_;
  Handlers handlers_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, resign_ = true;
  std::optional<std::int64_t> generation_;
  std::int64_t followed_ = 0;  // the other master's generation last told
  std::thread thread_;
};

}  // namespace fmc::store::etcd

#pragma once
// A driver that runs one command per migration, e.g. the namespace emulator:
//   python3 testbed/fmc_testbed.py migrate CONFIG {vm} {to} --downtime-ms 100
// Placeholders {vm}, {from}, {to} and {hypervisor} are substituted. Exit
// status 0 means completed; the last output line may be a JSON object with
// "downtime_ms". A line `{"step": "switchover"}` says the VM has stopped at
// the source for its last copy (reported at once, while the command runs).
// Cancel sends SIGTERM to the command (the emulator then re-attaches the VM at
// its source); the command must handle it. Reports are delivered through
// `post`, so callers see them on their own event loop.
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "fmc/migration/driver.hpp"

namespace fmc::migration {

class CommandDriver final : public Driver {
 public:
  using Post = std::function<void(std::function<void()>)>;
  CommandDriver(std::string name, std::vector<std::string> argv_template, Post post);
  ~CommandDriver() override;  // cancels and reaps what is still running

  std::string_view name() const override { return name_; }
  MigrationId start(const Request& request, Listener listener) override;
  std::optional<Progress> progress(MigrationId id) const override;
  bool cancel(MigrationId id) override;
  void abandon(MigrationId id) override;  // SIGKILL

 private:
  struct Running {
    int pid = -1;
    bool cancelling = false;
    std::chrono::steady_clock::time_point started;
  };
  void watch(MigrationId id, int pid, int out_fd, Listener listener);

  std::string name_;
  std::vector<std::string> argv_template_;
  Post post_;
  mutable std::mutex mu_;
  std::map<MigrationId, Running> running_;
  std::map<MigrationId, std::thread> watchers_;
  std::vector<MigrationId> finished_;  // watchers to join on the next start()
  MigrationId next_id_ = 1;
};

}  // namespace fmc::migration

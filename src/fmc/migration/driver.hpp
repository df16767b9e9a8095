#pragma once
// The hypervisor side of a migration, behind one interface: start, progress,
// cancel, and one completion callback. Drivers: the network-namespace
// CommandDriver (runs testbed/fmc_testbed.py: QEMU live migration over QMP,
// or the namespace emulator) and LibvirtDriver (production hypervisors). A migration that fails or is cancelled must
// leave the VM running at the source.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fmc::migration {

struct Request {
  std::string vm;
  std::string from_site;
  std::string to_site;
  std::string hypervisor;  // the VM's driver handle from the network model
};

enum class Outcome { kCompleted, kFailed, kCancelled };
const char* to_string(Outcome o);

struct Result {
  Outcome outcome = Outcome::kFailed;
  std::chrono::microseconds downtime{0};  // as the hypervisor reports it
  std::string detail;
};

struct Progress {
  std::string phase;  // e.g. "running", "cancelling"
  std::chrono::milliseconds elapsed{0};
};

using MigrationId = std::uint64_t;
using Completion = std::function<void(MigrationId, const Result&)>;

// What a driver reports while a migration runs, through the executor it was built with.
struct Listener {
  Completion done;  // exactly once
  // The VM has stopped at the source for its last copy: from now on its traffic
  // belongs at the target, whose hypervisor holds it until the VM resumes there.
  // Optional: without it the VM's own announcement at the target tells.
  std::function<void(MigrationId)> switchover = nullptr;
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::string_view name() const = 0;
  virtual MigrationId start(const Request& request, Listener listener) = 0;
  virtual std::optional<Progress> progress(MigrationId id) const = 0;
  // True if the migration was still running and is now being cancelled.
  virtual bool cancel(MigrationId id) = 0;
  // Stops waiting for a migration that did not end when cancelled (its command is
  // killed); the completion still comes, and says nothing of where the VM is.
  virtual void abandon(MigrationId id) { cancel(id); }
};

}  // namespace fmc::migration

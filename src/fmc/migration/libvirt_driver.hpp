#pragma once
// Live migration through libvirt, for production hypervisors: the VM (a
// libvirt domain named like the VM) is migrated peer to peer from its data
// center's hypervisor to the target's (virDomainMigrateToURI3 with
// VIR_MIGRATE_LIVE | PEER2PEER | PERSIST_DEST | UNDEFINE_SOURCE). Progress is
// the job's elapsed time, cancel is virDomainAbortJob (the domain keeps
// running at the source), the reported downtime comes from the completed
// job's statistics. Each migration runs on its own thread (libvirt calls
// block); completion is delivered through `post`.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "fmc/migration/driver.hpp"

namespace fmc::migration {

class LibvirtDriver final : public Driver {
 public:
  using Post = std::function<void(std::function<void()>)>;
  // The libvirt connection URI of a data center's hypervisor (e.g.
  // qemu+ssh://dc2-host/system), if it has one.
  using UriOf = std::function<std::optional<std::string>(const std::string& site)>;

  LibvirtDriver(UriOf uri_of, Post post);
  ~LibvirtDriver() override;  // aborts and joins what is still running

  std::string_view name() const override { return "libvirt"; }
  // Reports no switchover: the guest's announcement at the target tells.
  MigrationId start(const Request& request, Listener listener) override;
  std::optional<Progress> progress(MigrationId id) const override;
  bool cancel(MigrationId id) override;

 private:
  struct Job;
  void run(std::shared_ptr<Job> job, Request request, Completion done);

  UriOf uri_of_;
  Post post_;
  mutable std::mutex mu_;
  std::map<MigrationId, std::shared_ptr<Job>> jobs_;
  MigrationId next_id_ = 1;
};

}  // namespace fmc::migration

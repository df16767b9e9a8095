#pragma once
// Live migration through libvirt, for production hypervisors: the VM (a
// libvirt domain named like the VM) is migrated peer to peer from its data
// center's hypervisor to the target's (virDomainMigrateToURI3 with
// VIR_MIGRATE_LIVE | PEER2PEER | PERSIST_DEST | UNDEFINE_SOURCE), asking for
// at most kMaxDowntime of downtime (QEMU's own default is 300 ms).
//  - switchover: the source's lifecycle event "suspended for migration" (the
//    guest stopped for its last copy), through libvirt's event loop;
//  - progress: the job's elapsed time;
//  - cancel: virDomainAbortJob (the domain keeps running at the source);
//  - downtime: the target's account of the completed job (the source's
//    domain is gone by then).
// Each migration runs on its own thread (libvirt calls block); reports are
// delivered through `post`.
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

class LibvirtEventLoop;

class LibvirtDriver final : public Driver {
 public:
  using Post = std::function<void(std::function<void()>)>;
  // The libvirt connection URI of a data center's hypervisor (e.g.
  // qemu+ssh://dc2-host/system), if it has one.
  using UriOf = std::function<std::optional<std::string>(const std::string& site)>;
  static constexpr std::chrono::milliseconds kMaxDowntime{20};

  LibvirtDriver(UriOf uri_of, Post post);
  ~LibvirtDriver() override;  // aborts and joins what is still running

  std::string_view name() const override { return "libvirt"; }
  MigrationId start(const Request& request, Listener listener) override;
  std::optional<Progress> progress(MigrationId id) const override;
  bool cancel(MigrationId id) override;

 private:
  struct Job;
  void run(const std::shared_ptr<Job>& job, const Request& request, MigrationId id, Listener listener);

  std::shared_ptr<LibvirtEventLoop> events_;
  UriOf uri_of_;
  Post post_;
  mutable std::mutex mu_;
  std::map<MigrationId, std::shared_ptr<Job>> jobs_;
  MigrationId next_id_ = 1;
};

}  // namespace fmc::migration

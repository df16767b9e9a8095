#pragma once
// libvirt reports a domain's lifecycle events (e.g. the source pausing a guest
// for its migration's last copy) only to a process that registered an event
// loop before opening its connections, and only while some thread runs it.
// One loop per process: registered once, run by one thread while anybody
// holds it (shared()).
#include <atomic>
#include <memory>
#include <thread>

namespace fmc::migration {

class LibvirtEventLoop {
 public:
  // The process's loop, running; it stops when the last holder lets go.
  static std::shared_ptr<LibvirtEventLoop> shared();
  ~LibvirtEventLoop();

 private:
  LibvirtEventLoop();
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace fmc::migration

#include "fmc/migration/libvirt_event_loop.hpp"

#include <libvirt/libvirt.h>

#include <mutex>

namespace fmc::migration {

std::shared_ptr<LibvirtEventLoop> LibvirtEventLoop::shared() {
  static std::mutex mu;
  static std::weak_ptr<LibvirtEventLoop> current;
  static std::once_flag registered;
  std::call_once(registered, [] { virEventRegisterDefaultImpl(); });
  std::lock_guard lock(mu);
  auto loop = current.lock();
  if (!loop) {
    loop.reset(new LibvirtEventLoop());
    current = loop;
  }
  return loop;
}

LibvirtEventLoop::LibvirtEventLoop() {
  thread_ = std::thread([this] {
    while (!stopping_.load()) virEventRunDefaultImpl();
  });
}

LibvirtEventLoop::~LibvirtEventLoop() {
  stopping_.store(true);
  // An immediate timer wakes the loop's poll; it goes once it has fired.
  virEventAddTimeout(0, [](int timer, void*) { virEventRemoveTimeout(timer); }, nullptr, nullptr);
  thread_.join();
}

}  // namespace fmc::migration

#include "controller/log.hpp"

#include <chrono>
#include <mutex>

namespace fmc::log {

void write(Level level, std::string_view component, std::string_view message) {
  if (!enabled(level)) return;
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  static std::mutex mu;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::lock_guard lock(mu);
  std::fprintf(stderr, "{\"ts\":%.3f,\"level\":\"%s\",\"component\":\"%.*s\",\"msg\":\"%.*s\"}\n", now,
               kNames[static_cast<int>(level)], static_cast<int>(component.size()), component.data(),
               static_cast<int>(message.size()), message.data());
}

}  // namespace fmc::log

#pragma once
// Minimal leveled logger: one JSON-ish line per event on stderr.
#include <atomic>
#include <cstdio>
#include <string_view>

namespace fmc::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

inline std::atomic<Level>& threshold() {
  static std::atomic<Level> level{Level::kInfo};
  return level;
}

// Whether a message at `level` would be written (to skip building one that would not).
inline bool enabled(Level level) { return level >= threshold().load(std::memory_order_relaxed); }

void write(Level level, std::string_view component, std::string_view message);

inline void debug(std::string_view c, std::string_view m) { write(Level::kDebug, c, m); }
inline void info(std::string_view c, std::string_view m) { write(Level::kInfo, c, m); }
inline void warn(std::string_view c, std::string_view m) { write(Level::kWarn, c, m); }
inline void error(std::string_view c, std::string_view m) { write(Level::kError, c, m); }

}  // namespace fmc::log

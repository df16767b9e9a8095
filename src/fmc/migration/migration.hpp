#pragma once
// A migration in the controller's history (paper §III.C): what moved, from
// where to where, and how it ended. The store keeps it as a
// store::MigrationRecord; to_record/from_record are the only translation.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fmc/events/events.hpp"
#include "fmc/migration/driver.hpp"
#include "store/store.hpp"

namespace fmc {

enum class MigrationState { kRunning, kCompleted, kFailed, kCancelled };
const char* to_string(MigrationState s);
std::optional<MigrationState> migration_state_from(std::string_view name);
// How the driver's outcome ends a migration, and the step that announces it.
MigrationState state_of(migration::Outcome o);
MigrationPhase final_phase(MigrationState s);

struct Migration {
  std::int64_t id = 0;
  std::string vm;  // a VM's name, or "service/part" for a service's part
  std::string from_site, to_site;
  MigrationState state = MigrationState::kRunning;
  std::int64_t started_ms = 0;   // wall clock, since the epoch
  std::int64_t finished_ms = 0;  // 0 while running
  std::string detail;            // why it started, then how it ended
};

store::MigrationRecord to_record(const Migration& m);
// nullopt if the stored state is not one this controller writes.
std::optional<Migration> from_record(const store::MigrationRecord& r);

}  // namespace fmc

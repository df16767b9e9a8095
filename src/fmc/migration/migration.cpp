#include "fmc/migration/migration.hpp"

namespace fmc {

const char* to_string(MigrationState s) {
  switch (s) {
    case MigrationState::kRunning: return "running";
    case MigrationState::kCompleted: return "completed";
    case MigrationState::kFailed: return "failed";
    case MigrationState::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<MigrationState> migration_state_from(std::string_view name) {
  for (auto s : {MigrationState::kRunning, MigrationState::kCompleted, MigrationState::kFailed, MigrationState::kCancelled})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

MigrationState state_of(migration::Outcome o) {
  switch (o) {
    case migration::Outcome::kCompleted: return MigrationState::kCompleted;
    case migration::Outcome::kCancelled: return MigrationState::kCancelled;
    case migration::Outcome::kFailed: break;
  }
  return MigrationState::kFailed;
}

MigrationPhase final_phase(MigrationState s) {
  switch (s) {
    case MigrationState::kCompleted: return MigrationPhase::kCompleted;
    case MigrationState::kCancelled: return MigrationPhase::kCancelled;
    case MigrationState::kRunning:  // not final; never announced this way
    case MigrationState::kFailed: break;
  }
  return MigrationPhase::kFailed;
}

store::MigrationRecord to_record(const Migration& m) {
  return {m.id, m.vm, m.from_site, m.to_site, to_string(m.state), m.started_ms, m.finished_ms, m.detail};
}

std::optional<Migration> from_record(const store::MigrationRecord& r) {
  auto state = migration_state_from(r.state);
  if (!state) return std::nullopt;
  return Migration{r.id, r.vm, r.from_site, r.to_site, *state, r.started_ms, r.finished_ms, r.detail};
}

}  // namespace fmc

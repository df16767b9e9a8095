#pragma once
// A migration driver that records what it was asked and finishes when the
// test says so.
#include <set>
#include <utility>
#include <vector>

#include "fmc/migration/driver.hpp"

namespace fmc::test_support {

struct FakeDriver : migration::Driver {
  std::vector<std::pair<migration::Request, migration::Listener>> started;
  std::set<migration::MigrationId> cancelled, abandoned;
  std::string_view name() const override { return "fake"; }
  migration::MigrationId start(const migration::Request& r, migration::Listener listener) override {
    started.emplace_back(r, std::move(listener));
    return started.size();
  }
  std::optional<migration::Progress> progress(migration::MigrationId) const override { return std::nullopt; }
  bool cancel(migration::MigrationId id) override { return cancelled.insert(id).second; }
  void abandon(migration::MigrationId id) override { abandoned.insert(id); }
  void switchover(std::size_t i) { started.at(i).second.switchover(i + 1); }
  void finish(std::size_t i, migration::Outcome o) {
    started.at(i).second.done(i + 1, migration::Result{o, std::chrono::milliseconds(42), ""});
  }
};

}  // namespace fmc::test_support

// The libvirt driver against libvirt's own test driver (test:///default,
// an in-process fake hypervisor with a running domain named "test"). The
// test driver cannot migrate, which is what a refused migration looks like:
// the failure carries libvirt's message and the domain keeps running where
// it was.
#include "fmc/migration/libvirt_driver.hpp"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <condition_variable>

using namespace fmc::migration;

namespace {

struct Results {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::function<void()>> posted;
  std::vector<std::pair<MigrationId, Result>> done;

  LibvirtDriver::Post post() {
    return [this](std::function<void()> fn) {
      std::lock_guard lock(mu);
      posted.push_back(std::move(fn));
      cv.notify_all();
    };
  }
  Listener completion() {
    return {[this](MigrationId id, const Result& r) { done.emplace_back(id, r); }};
  }
  // Runs what the driver posted (as the event loop would) until `n` completions arrived.
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    const bool ok = cv.wait_for(lock, std::chrono::seconds(10), [&] { return posted.size() >= n; });
    for (auto& fn : posted) fn();
    posted.clear();
    return ok && done.size() >= n;
  }
};

std::optional<std::string> test_hypervisors(const std::string& site) {
  if (site == "dc1" || site == "dc2") return "test:///default";
  if (site == "dc9") return "test+bogus:///nowhere";
  return std::nullopt;
}

int domain_state(const char* name) {
  virConnectPtr c = virConnectOpen("test:///default");
  virDomainPtr d = c ? virDomainLookupByName(c, name) : nullptr;
  int state = -1, reason = 0;
  if (d) virDomainGetState(d, &state, &reason, 0);
  if (d) virDomainFree(d);
  if (c) virConnectClose(c);
  return state;
}

TEST(LibvirtDriver, ARefusedMigrationFailsWithLibvirtsReasonAndLeavesTheDomainRunning) {
  Results r;
  LibvirtDriver driver(test_hypervisors, r.post());
  EXPECT_EQ(driver.name(), "libvirt");
  const MigrationId id = driver.start(Request{"test", "dc1", "dc2", "libvirt"}, r.completion());
  ASSERT_TRUE(r.wait_for(1));
  EXPECT_EQ(r.done[0].first, id);
  EXPECT_EQ(r.done[0].second.outcome, Outcome::kFailed);
  EXPECT_NE(r.done[0].second.detail.find("migration of test to test:///default"), std::string::npos) << r.done[0].second.detail;
  EXPECT_FALSE(driver.progress(id));  // finished
  EXPECT_FALSE(driver.cancel(id));
  EXPECT_EQ(domain_state("test"), VIR_DOMAIN_RUNNING);
}

TEST(LibvirtDriver, UnknownDomainsHypervisorsAndSitesAreFailuresNotCrashes) {
  Results r;
  LibvirtDriver driver(test_hypervisors, r.post());
  driver.start(Request{"no-such-vm", "dc1", "dc2", "libvirt"}, r.completion());
  driver.start(Request{"test", "dc9", "dc2", "libvirt"}, r.completion());
  driver.start(Request{"test", "dc1", "atlantis", "libvirt"}, r.completion());
  ASSERT_TRUE(r.wait_for(3));
  std::vector<std::string> details;
  for (const auto& [id, res] : r.done) {
    EXPECT_EQ(res.outcome, Outcome::kFailed);
    details.push_back(res.detail);
  }
  std::sort(details.begin(), details.end());
  EXPECT_NE(details[0].find("cannot connect to test+bogus:///nowhere"), std::string::npos) << details[0];
  EXPECT_NE(details[1].find("no domain no-such-vm"), std::string::npos) << details[1];
  EXPECT_NE(details[2].find("no libvirt URI for atlantis"), std::string::npos) << details[2];
}

}  // namespace

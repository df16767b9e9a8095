#include "fmc/migration/libvirt_driver.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace fmc::migration {

namespace {

// libvirt prints every error to stderr unless told otherwise; errors here are
// values (the completion's detail).
void quiet(void*, virErrorPtr) {}

std::string last_error(const std::string& what) {
  const char* msg = virGetLastErrorMessage();
  return what + ": " + (msg ? msg : "unknown libvirt error");
}

struct Connection {
  virConnectPtr ptr = nullptr;
  explicit Connection(const std::string& uri) : ptr(virConnectOpen(uri.c_str())) {}
  ~Connection() {
    if (ptr) virConnectClose(ptr);
  }
};

}  // namespace

struct LibvirtDriver::Job {
  std::mutex mu;
  virDomainPtr domain = nullptr;  // while the migration call runs
  bool cancelling = false;
  bool finished = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::thread thread;
};

LibvirtDriver::LibvirtDriver(UriOf uri_of, Post post) : uri_of_(std::move(uri_of)), post_(std::move(post)) {
  virSetErrorFunc(nullptr, quiet);
}

LibvirtDriver::~LibvirtDriver() {
  std::map<MigrationId, std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lock(mu_);
    jobs = jobs_;
  }
  for (auto& [id, job] : jobs) {
    cancel(id);
    if (job->thread.joinable()) job->thread.join();
  }
}

MigrationId LibvirtDriver::start(const Request& request, Listener listener) {
  std::lock_guard lock(mu_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {  // join the finished ones
    bool finished;
    {
      std::lock_guard job_lock(it->second->mu);
      finished = it->second->finished;
    }
    if (finished && it->second->thread.joinable()) it->second->thread.join();
    it = finished ? jobs_.erase(it) : std::next(it);
  }
  const MigrationId id = next_id_++;
  auto job = std::make_shared<Job>();
  jobs_[id] = job;
  job->thread = std::thread([this, job, request, done = std::move(listener.done), id]() mutable {
    run(job, std::move(request), [done = std::move(done), id](MigrationId, const Result& r) { done(id, r); });
  });
  return id;
}

void LibvirtDriver::run(std::shared_ptr<Job> job, Request request, Completion done) {
  Result result;
  const auto finish = [&] {
    {
      std::lock_guard lock(job->mu);
      job->finished = true;
      job->domain = nullptr;
    }
    post_([done = std::move(done), result] { done(0, result); });
  };
  const auto source_uri = uri_of_(request.from_site), target_uri = uri_of_(request.to_site);
  if (!source_uri || !target_uri) {
    result.detail = "no libvirt URI for " + (source_uri ? request.to_site : request.from_site);
    return finish();
  }
  Connection source(*source_uri);
  if (!source.ptr) {
    result.detail = last_error("cannot connect to " + *source_uri);
    return finish();
  }
  virDomainPtr domain = virDomainLookupByName(source.ptr, request.vm.c_str());
  if (!domain) {
    result.detail = last_error("no domain " + request.vm + " at " + *source_uri);
    return finish();
  }
  {
    std::lock_guard lock(job->mu);
    job->domain = domain;
    if (job->cancelling) {
      job->domain = nullptr;
      virDomainFree(domain);
      result.outcome = Outcome::kCancelled;
      result.detail = "cancelled before it started";
      return finish();
    }
  }
  const unsigned flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
  const int rc = virDomainMigrateToURI3(domain, target_uri->c_str(), nullptr, 0, flags);
  bool cancelled;
  {
    std::lock_guard lock(job->mu);
    job->domain = nullptr;
    cancelled = job->cancelling;
  }
  if (rc == 0) {
    result.outcome = Outcome::kCompleted;
    virTypedParameterPtr params = nullptr;
    int n = 0;
    unsigned long long downtime_ms = 0;
    if (virDomainGetJobStats(domain, nullptr, &params, &n, VIR_DOMAIN_JOB_STATS_COMPLETED) == 0) {
      if (virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_DOWNTIME, &downtime_ms) == 1)
        result.downtime = std::chrono::milliseconds(downtime_ms);
      virTypedParamsFree(params, n);
    }
    result.detail = "migrated to " + *target_uri;
  } else {
    result.outcome = cancelled ? Outcome::kCancelled : Outcome::kFailed;
    result.detail = last_error("migration of " + request.vm + " to " + *target_uri);
  }
  virDomainFree(domain);
  finish();
}

std::optional<Progress> LibvirtDriver::progress(MigrationId id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  std::lock_guard job_lock(it->second->mu);
  if (it->second->finished) return std::nullopt;
  return Progress{it->second->cancelling ? "cancelling" : "running",
                  std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - it->second->started)};
}

bool LibvirtDriver::cancel(MigrationId id) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    job = it->second;
  }
  std::lock_guard lock(job->mu);
  if (job->finished || job->cancelling) return false;
  job->cancelling = true;
  if (job->domain) virDomainAbortJob(job->domain);  // the blocked migrate call then fails; the domain stays
  return true;
}

}  // namespace fmc::migration

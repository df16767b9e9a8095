#include "fmc/migration/libvirt_driver.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdio>

#include "fmc/migration/libvirt_event_loop.hpp"

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

struct Domain {
  virDomainPtr ptr = nullptr;
  Domain(const Connection& c, const std::string& name) : ptr(c.ptr ? virDomainLookupByName(c.ptr, name.c_str()) : nullptr) {}
  ~Domain() {
    if (ptr) virDomainFree(ptr);
  }
};

// Calls `on_pause` when the domain is suspended for its migration (libvirt's
// lifecycle event SUSPENDED/MIGRATED: the guest stopped for its last copy),
// for as long as this lives.
class PauseWatch {
 public:
  PauseWatch(const Connection& c, const Domain& d, std::function<void()> on_pause) : conn_(c.ptr) {
    auto* fn = new std::function<void()>(std::move(on_pause));  // libvirt frees it (below) when done with it
    id_ = virConnectDomainEventRegisterAny(
        conn_, d.ptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(+[](virConnectPtr, virDomainPtr, int event, int detail, void* opaque) {
          if (event == VIR_DOMAIN_EVENT_SUSPENDED && detail == VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED)
            (*static_cast<std::function<void()>*>(opaque))();
        }),
        fn, [](void* opaque) { delete static_cast<std::function<void()>*>(opaque); });
    if (id_ < 0) delete fn;
  }
  ~PauseWatch() {
    if (id_ >= 0) virConnectDomainEventDeregisterAny(conn_, id_);
  }
  PauseWatch(const PauseWatch&) = delete;
  PauseWatch& operator=(const PauseWatch&) = delete;

 private:
  virConnectPtr conn_;
  int id_ = -1;
};

// The target's account of the completed migration: "1157 ms, 68.5 MiB,
// downtime 123 ms", and the downtime.
std::string completed_job(const Domain& there, std::chrono::microseconds& downtime) {
  virTypedParameterPtr params = nullptr;
  int n = 0, type = 0;
  if (!there.ptr || virDomainGetJobStats(there.ptr, &type, &params, &n, VIR_DOMAIN_JOB_STATS_COMPLETED) != 0)
    return last_error("the target did not report the migration's figures");
  unsigned long long downtime_ms = 0, elapsed_ms = 0, bytes = 0;
  const bool has_downtime = virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_DOWNTIME, &downtime_ms) == 1;
  virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_TIME_ELAPSED, &elapsed_ms);
  virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_DATA_PROCESSED, &bytes);
  virTypedParamsFree(params, n);
  if (has_downtime) downtime = std::chrono::milliseconds(downtime_ms);
  char mib[32];
  std::snprintf(mib, sizeof mib, "%.1f MiB", bytes / 1048576.0);
  return std::to_string(elapsed_ms) + " ms, " + mib + ", downtime " +
         (has_downtime ? std::to_string(downtime_ms) + " ms" : "not reported");
}

}  // namespace

struct LibvirtDriver::Job {
  std::mutex mu;
  virDomainPtr domain = nullptr;  // while the migration call runs
  bool cancelling = false;
  bool finished = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::thread thread;
};

LibvirtDriver::LibvirtDriver(UriOf uri_of, Post post)
    : events_(LibvirtEventLoop::shared()), uri_of_(std::move(uri_of)), post_(std::move(post)) {
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
  job->thread = std::thread([this, job, request, id, listener = std::move(listener)] { run(job, request, id, listener); });
  return id;
}

void LibvirtDriver::run(const std::shared_ptr<Job>& job, const Request& request, MigrationId id, Listener listener) {
  Result result;
  const auto finish = [&] {
    {
      std::lock_guard lock(job->mu);
      job->finished = true;
      job->domain = nullptr;
    }
    post_([done = listener.done, id, result] { done(id, result); });
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
  Domain domain(source, request.vm);
  if (!domain.ptr) {
    result.detail = last_error("no domain " + request.vm + " at " + *source_uri);
    return finish();
  }
  {
    std::lock_guard lock(job->mu);
    job->domain = domain.ptr;
    if (job->cancelling) {
      result.outcome = Outcome::kCancelled;
      result.detail = "cancelled before it started";
      return finish();
    }
  }
  std::optional<PauseWatch> pause;
  if (listener.switchover)
    pause.emplace(source, domain, [post = post_, switchover = listener.switchover, id] { post([=] { switchover(id); }); });
  // Refused by a hypervisor too old to set it before the migration: then it keeps its own.
  virDomainMigrateSetMaxDowntime(domain.ptr, kMaxDowntime.count(), 0);
  const unsigned flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
  const int rc = virDomainMigrateToURI3(domain.ptr, target_uri->c_str(), nullptr, 0, flags);
  const std::string failure = rc == 0 ? "" : last_error("migration of " + request.vm + " to " + *target_uri);
  pause.reset();  // (any libvirt call forgets the last error)
  bool cancelled;
  {
    std::lock_guard lock(job->mu);
    job->domain = nullptr;
    cancelled = job->cancelling;
  }
  if (rc == 0) {
    result.outcome = Outcome::kCompleted;
    Connection target(*target_uri);
    result.detail = "migrated to " + *target_uri + ": " + completed_job(Domain(target, request.vm), result.downtime);
  } else {
    result.outcome = cancelled ? Outcome::kCancelled : Outcome::kFailed;
    result.detail = failure;
  }
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

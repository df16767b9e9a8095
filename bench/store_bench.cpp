// Store operations per second through the write-behind queue, as the
// controller drives them: endpoint upserts (moves), DHCP leases (each ACK
// waits for its commit) and events. Prints one JSON line per operation.
// Usage: fmc-store-bench --store sqlite:PATH|etcd://HOST:PORT,... [--ops N]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "store/etcd/etcd_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/write_behind.hpp"

using namespace fmc::store;

namespace {

std::unique_ptr<Store> open(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    auto s = SqliteStore::open(url.substr(7));
    if (!s) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }
  auto s = EtcdStore::open(url);
  if (!s) throw std::runtime_error(s.error().message);
  return std::move(*s);
}

template <class F>
double timed(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(const std::string& store, const char* op, int n, double seconds, int errors) {
  std::printf("{\"store\":\"%s\",\"op\":\"%s\",\"ops\":%d,\"seconds\":%.3f,\"per_s\":%.0f,\"errors\":%d}\n", store.c_str(), op, n,
              seconds, n / seconds, errors);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int n = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--store") url = argv[i + 1];
    else if (flag == "--ops") n = std::atoi(argv[i + 1]);
  }
  if (url.empty() || n <= 0) {
    std::cerr << "usage: fmc-store-bench --store sqlite:PATH|etcd://HOST:PORT,... [--ops N]\n";
    return 2;
  }
  const std::string kind = url.substr(0, url.find(':'));
  std::atomic<int> errors{0};
  WriteBehind w(open(url), [&](const StoreError&) { ++errors; });

  // Moves: the latest location of n endpoints (distinct keys: nothing coalesces).
  errors = 0;
  double s = timed([&] {
    for (int i = 0; i < n; ++i) {
      EndpointRecord r{"client-" + std::to_string(i), EndpointKind::kClient, "02:00:00:00:00:01", "10.0.0.1", "wlan1",
                       "wlan2", 0xa2, 2, "", i};
      w.submit_latest("endpoint:" + r.name, [r](Store& st) { return st.put_endpoint(r); });
    }
    w.flush();
  });
  report(kind, "endpoint_upsert", n, s, errors);

  // Leases, each with a completion (a DHCP ACK leaves only after it).
  errors = 0;
  std::atomic<int> acked{0};
  s = timed([&] {
    for (int i = 0; i < n; ++i) {
      LeaseRecord l{"wlan1", "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256),
                    "c" + std::to_string(i), "02:00:00:00:00:01", "bound", 3600, ""};
      w.submit([l](Store& st) { return st.put_lease(l); },
               [&](const StoreResult<fmc::Ok>& r) {
                 if (r) ++acked;
               });
    }
    w.flush();
  });
  report(kind, "lease_committed", acked.load(), s, errors);

  // Events (each takes a sequence number).
  errors = 0;
  s = timed([&] {
    for (int i = 0; i < n; ++i)
      w.submit([i](Store& st) -> StoreResult<fmc::Ok> {
        auto r = st.append_event(EventRecord{0, i, "EndpointMoved", "{}"});
        if (!r) return fmc::Unexpected{r.error()};
        return fmc::Ok{};
      });
    w.flush();
  });
  report(kind, "event_appended", n, s, errors);
  return errors.load() == 0 ? 0 : 1;
}

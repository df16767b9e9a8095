// fmc-scale: the paper's scalability claim (§V), measured through the
// controller's own move path. See README.md in this directory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "controller/log.hpp"
#include "heap_meter.hpp"
#include "plots.hpp"
#include "scale_run.hpp"
#include "util/huge_pages.hpp"

using namespace fmc::scale;

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "fmc-scale: %s\n"
               "usage: fmc-scale [--users N] [--cells N] [--data-centers N] [--moves N] [--timed-moves N]\n"
               "                 [--seed N] [--scopes K] [--verify-resync] [--out DIR]\n"
               "--out DIR: writes the tables as CSV and the plots as SVG into DIR\n",
               why);
  return 2;
}

std::string mib(std::size_t bytes) {
  char out[32];
  std::snprintf(out, sizeof out, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return out;
}

void write_files(const std::string& dir, const Workload& w, const Report& r) {
  std::filesystem::create_directories(dir);
  std::ofstream rules(dir + "/rules_per_switch.csv");
  rules << "kind,rules\n";
  for (auto n : r.access_rules) rules << "access," << n << "\n";
  for (auto n : r.dc_rules) rules << "data_center," << n << "\n";
  std::ofstream over(dir + "/checkpoints.csv");
  over << "moves,access_max,access_p99,access_mean,dc_max,dc_p99,dc_mean\n";
  for (const auto& c : r.checkpoints)
    over << c.moves << "," << c.access.max << "," << c.access.p99 << "," << c.access.mean << "," << c.data_center.max
         << "," << c.data_center.p99 << "," << c.data_center.mean << "\n";
  std::ofstream summary(dir + "/summary.csv");
  summary << "users,cells,data_centers,endpoints,state_bytes_per_endpoint,moves_per_second\n"
          << w.shape.users << "," << w.shape.cells << "," << w.shape.data_centers << "," << r.endpoints << ","
          << r.state_bytes_end / r.endpoints << "," << r.moves_per_second() << "\n";
  std::ofstream designs(dir + "/designs.csv");
  designs << "design,controllers,records_max,records_mean,rules_max,rules_mean\n";
  for (const auto& d : r.designs)
    designs << '"' << d.name << "\"," << d.controllers << "," << d.records_max << "," << d.records_mean << ","
            << d.rules_max << "," << d.rules_mean << "\n";
  const std::string shape = std::to_string(w.shape.users) + " users, " + std::to_string(w.shape.cells) + " cells, " +
                            std::to_string(w.shape.data_centers) + " data centers";
  std::ofstream(dir + "/rules_per_switch.svg") << rules_histogram_svg(r.access_rules, r.dc_rules,
                                                                      "Rules per switch after the walk: " + shape);
  std::ofstream(dir + "/state_per_controller.svg") << designs_svg(r.designs, "Each controller's share: " + shape);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string heap = fmc::heap_on_huge_pages(argv);  // may start the program again
  Workload w;
  std::string out_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto number = [&](auto& out) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      const auto v = std::strtoull(argv[++i], &end, 10);
      if (!end || *end || v == 0) return false;
      out = static_cast<std::remove_reference_t<decltype(out)>>(v);
      return true;
    };
    bool ok = true;
    if (a == "--users") ok = number(w.shape.users);
    else if (a == "--cells") ok = number(w.shape.cells);
    else if (a == "--data-centers") ok = number(w.shape.data_centers);
    else if (a == "--moves") ok = number(w.moves);
    else if (a == "--timed-moves") ok = number(w.timed_moves);
    else if (a == "--seed") ok = number(w.seed);
    else if (a == "--scopes") ok = number(w.scopes);
    else if (a == "--verify-resync") w.verify_resync = true;
    else if (a == "--out" && i + 1 < argc) out_dir = argv[++i];
    else return usage(("unknown or incomplete option " + a).c_str());
    if (!ok) return usage((a + " takes a positive whole number").c_str());
  }
  fmc::log::threshold() = fmc::log::Level::kWarn;
  const auto started = std::chrono::steady_clock::now();
  Report r;
  try {
    r = run(w, [&](const std::string& line) {
      const auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "[%7.1f s] %s\n", s, line.c_str());
    });
  } catch (const std::exception& e) {
    return usage(e.what());
  }

  const auto a = spread(r.access_rules), d = spread(r.dc_rules);
  std::printf("Follow-Me Cloud at scale: %llu users (a client and a VM each), %u cells, %u data centers, seed %llu\n",
              (unsigned long long)w.shape.users, w.shape.cells, w.shape.data_centers, (unsigned long long)w.seed);
  std::printf("walk: %llu user moves, %llu VM migrations followed, %llu refused, %llu flow-mods\n",
              (unsigned long long)r.client_moves, (unsigned long long)r.vm_moves, (unsigned long long)r.refused,
              (unsigned long long)r.flow_mods);
  std::printf("%-26s %10s %10s %10s %12s\n", "rules per switch", "max", "p99", "mean", "total");
  std::printf("%-26s %10zu %10zu %10.1f %12zu\n", "access switches", a.max, a.p99, a.mean, a.total);
  std::printf("%-26s %10zu %10zu %10.1f %12zu\n", "data-center switches", d.max, d.p99, d.mean, d.total);
  std::printf("controller state: %s for %zu endpoints located (%zu B each); %s after the walk (%zu B each)\n",
              mib(r.state_bytes).c_str(), r.endpoints, r.state_bytes / r.endpoints, mib(r.state_bytes_end).c_str(),
              r.state_bytes_end / r.endpoints);
  std::printf("network model (configuration): %s (%zu B per endpoint); the harness's rule censuses: %s (%zu B per rule)\n",
              mib(r.model_bytes).c_str(), r.model_bytes / r.endpoints, mib(r.census_bytes).c_str(),
              r.census_bytes / std::max<std::size_t>(1, a.total + d.total));
  const auto [slowest, fastest] = std::minmax_element(r.slice_moves_per_second.begin(), r.slice_moves_per_second.end());
  std::printf("move path: %.0f moves/s on one core, median of %zu slices (%.0f to %.0f; %llu user moves with %llu VM "
              "migrations, %.2f s)\n",
              r.moves_per_second(), r.slice_moves_per_second.size(),
              slowest == r.slice_moves_per_second.end() ? 0.0 : *slowest,
              fastest == r.slice_moves_per_second.end() ? 0.0 : *fastest, (unsigned long long)r.timed_moves,
              (unsigned long long)r.timed_vm_moves, r.timed_seconds);
  std::printf("%s: %s of %s resident in huge pages at the end of the timed moves\n", heap.c_str(),
              mib(r.huge_page_bytes).c_str(), mib(r.resident_bytes).c_str());
  const double per_record = double(r.state_bytes_end) / double(r.endpoints);
  std::printf("%-30s %11s %13s %13s %13s %13s\n", "per controller", "controllers", "records max", "records mean",
              "rules max", "rules mean");
  for (const auto& d : r.designs)
    std::printf("%-30s %11u %13zu %13.0f %13zu %13.0f   (~%s of records at max)\n", d.name.c_str(), d.controllers,
                d.records_max, d.records_mean, d.rules_max, d.rules_mean,
                mib(std::size_t(double(d.records_max) * per_record)).c_str());
  if (w.verify_resync) std::printf("switches differing from a fresh resync: %zu\n", r.resync_mismatches);
  if (!out_dir.empty()) write_files(out_dir, w, r);

  // What this run asserts of itself.
  bool consistent = true;
  const auto fail = [&](const std::string& what) {
    std::printf("INCONSISTENT: %s\n", what.c_str());
    consistent = false;
  };
  if (r.refused) fail(std::to_string(r.refused) + " moves refused");
  if (r.users_misplaced) fail(std::to_string(r.users_misplaced) + " users not where the walk left them");
  if (r.unsupported_messages) fail(std::to_string(r.unsupported_messages) + " messages the census cannot apply");
  if (w.verify_resync && r.resync_mismatches) fail("switches holding other rules than a resync gives");
  if (r.deliveries != r.endpoints + r.vms_away)
    fail(std::to_string(r.deliveries) + " delivery flows for " + std::to_string(r.endpoints) + " endpoints and " +
         std::to_string(r.vms_away) + " home ports of VMs away: an endpoint is in more than one place, or none");
  // Two bookkeepings of the same rules: per switch (its flow table) and per role (each add and delete).
  if (r.designs.empty() || r.designs.front().rules_max != a.total + d.total)
    fail("rules per switch do not add up to the rules counted by role");
  return consistent ? 0 : 1;
}

#pragma once
// The scale harness's workload, through the controller's own code: the
// Location Manager, the Mobility Detector, the Packet Manipulator and the
// pipeline builders, wired by an event bus to an effect executor whose
// "switches" are rule censuses (no sockets). Users walk the hexagonal grid of
// cells (a random walk: each step one user, chosen uniformly, moves to a
// uniformly chosen neighbouring cell); the packet that reveals the move is its
// DHCP at the new cell. The placement is "nearest": when a user walks into
// another data center's region, its VM is migrated there (an ordered
// migration, revealed by the VM's gratuitous ARP at its new port).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "control_designs.hpp"
#include "operator_network.hpp"

namespace fmc::scale {

struct Workload {
  Shape shape;
  std::uint64_t moves = 1'000'000;        // users' steps from cell to cell
  std::uint64_t timed_moves = 100'000;    // then, this many more timed without the census
  std::uint64_t checkpoints = 10;         // rule counts sampled this many times during the walk
  std::uint64_t seed = 1;
  std::uint32_t scopes = 10;              // network scopes for designs (b) and (c), at most one per data center
  bool verify_resync = false;             // compare every switch with a from-scratch resync (small runs)
};

struct Spread {
  std::size_t max = 0, p99 = 0;
  double mean = 0;
  std::size_t total = 0;
};
Spread spread(std::vector<std::size_t> counts);

struct Checkpoint {
  std::uint64_t moves = 0;
  Spread access, data_center;
};

struct Report {
  std::size_t endpoints = 0;
  std::uint64_t client_moves = 0, vm_moves = 0, refused = 0, unsupported_messages = 0;
  std::size_t model_bytes = 0;       // the network model (configuration)
  std::size_t census_bytes = 0;      // the harness's own rule censuses (not the controller's)
  std::size_t state_bytes = 0;       // the apps' state once every endpoint is located
  std::size_t state_bytes_end = 0;   // ... after the walk (visiting addresses, tunnels)
  std::vector<Checkpoint> checkpoints;
  std::vector<std::size_t> access_rules, dc_rules;  // per switch, at the end of the walk
  std::uint64_t flow_mods = 0;
  double timed_seconds = 0;
  std::uint64_t timed_moves = 0, timed_vm_moves = 0;
  // The timed moves in kSlices equal slices, each timed on its own: a burst of another
  // tenant's load on this shared machine spoils one slice, not the figure (the median).
  static constexpr std::size_t kSlices = 5;
  std::vector<double> slice_moves_per_second;
  // The process's resident memory at the end of the timed moves, and how much of it is in
  // transparent huge pages (/proc/self/smaps_rollup; 0 and 0 where it cannot be read).
  std::size_t resident_bytes = 0, huge_page_bytes = 0;
  std::vector<Design> designs;       // (a), (b), (c) at the end of the walk
  std::size_t users_misplaced = 0;
  std::size_t deliveries = 0;        // delivery flows over all switches: one where each endpoint is, ...
  std::size_t vms_away = 0;          // ... and one at each away VM's home port (configured: kept for good)   // users whose location the controller has wrong
  std::size_t resync_mismatches = 0; // switches whose census differs from a resync (verify_resync)
  double moves_per_second() const;  // the slices' median
};

using Progress = std::function<void(const std::string&)>;
Report run(const Workload& w, const Progress& progress);

}  // namespace fmc::scale

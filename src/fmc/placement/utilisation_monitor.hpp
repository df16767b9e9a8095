#pragma once
// Server utilisation measured, not configured (paper §III.B's QoS input): a
// command, run every interval (--utilisation-command), asks the hypervisors how
// busy each data center's servers are and prints one JSON object of fractions,
//   {"dc1": 0.12, "dc2": 0.80}
// e.g. the testbed's `fmc_testbed.py utilisation CONFIG` (CPU time of the
// guests and loads it runs per data center). A reading is taken whole or not at
// all: a command that fails, says nothing parseable, names a data center the
// network does not have, gives a value outside 0..1, prints more than 64 KiB or
// outlasts the interval is reported as an error and the last readings stay.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fmc/model/network_model.hpp"
#include "util/result.hpp"

namespace fmc {

using UtilisationReading = std::map<std::string, double>;  // data center -> 0..1

// Pure: the command's output (its last line that opens a JSON object) as a reading.
Result<UtilisationReading, std::string> parse_utilisation(std::string_view output, const model::NetworkModel& model);

class UtilisationMonitor {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using OnReading = std::function<void(const Result<UtilisationReading, std::string>&)>;
  // Runs `argv` now and then every `interval` on a thread of its own; each
  // outcome is handed to `on_reading` through `post` (the apps' loop).
  UtilisationMonitor(std::vector<std::string> argv, std::chrono::milliseconds interval, const model::NetworkModel& model,
                     Post post, OnReading on_reading);
  ~UtilisationMonitor();  // stops: a command still running is killed

 private:
  void run();
  Result<UtilisationReading, std::string> read_once();

  std::vector<std::string> argv_;
  std::chrono::milliseconds interval_;
  const model::NetworkModel& model_;
  Post post_;
  OnReading on_reading_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int running_pid_ = -1;
  std::thread thread_;
};

}  // namespace fmc

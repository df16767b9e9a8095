#pragma once
// How many control connections the controller holds at once: in all, and
// from one source address. A connection over either limit is closed as soon
// as it is accepted (counted and logged by the caller); a peer that opens
// connections and never speaks cannot exhaust the controller's memory or
// descriptors. Each admitted connection holds a Slot; the count drops when
// the last copy of it goes (with the session). Thread-safe: sessions end on
// their own worker threads.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace fmc::ctl {

class ConnectionLimits {
 public:
  ConnectionLimits(std::size_t max_total, std::size_t max_per_address)
      : state_(std::make_shared<State>()), max_total_(max_total), max_per_address_(max_per_address) {}

  using Slot = std::shared_ptr<void>;
  // A slot for a connection from `address`, or null with `why` set if a limit is reached.
  Slot admit(const std::string& address, std::string& why);
  std::size_t open() const;

 private:
  struct State {
    std::mutex mu;
    std::size_t total = 0;
    std::map<std::string, std::size_t> per_address;
  };
  std::shared_ptr<State> state_;  // outlives the limiter while slots remain
  std::size_t max_total_, max_per_address_;
};

}  // namespace fmc::ctl

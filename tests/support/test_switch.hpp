#pragma once
// A scripted OpenFlow switch for controller tests: blocking socket on
// loopback, explicit steps, every wait bounded by a timeout.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "openflow/codec.hpp"

namespace fmc::test_support {

struct Received {
  std::vector<std::uint8_t> frame;  // owns the bytes the envelope points into
  of::Envelope env;
  template <class T>
  const T* as() const { return std::get_if<T>(&env.message); }
};

class TestSwitch {
 public:
  TestSwitch(std::uint16_t port, of::Version version, std::uint64_t dpid);
  ~TestSwitch();
  TestSwitch(const TestSwitch&) = delete;
  TestSwitch& operator=(const TestSwitch&) = delete;

  // Runs the switch side of the handshake up to (and including) SET_CONFIG.
  bool handshake(std::uint32_t ports = 4);
  void send(const of::Message& msg, of::Xid xid = of::Xid{0});
  void send_raw(const std::vector<std::uint8_t>& bytes);
  // Next message from the controller; nullopt on timeout or close.
  std::optional<Received> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // Next message of type T, skipping others.
  template <class T>
  std::optional<Received> receive_until(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!r) return std::nullopt;
      if (r->as<T>()) return r;
    }
    return std::nullopt;
  }
  // True once the controller has closed the connection (within timeout).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  of::Version version() const { return version_; }

 private:
  int fd_ = -1;
  of::Version version_;
  std::uint64_t dpid_;
  std::vector<std::uint8_t> buf_;
  bool closed_ = false;
};

}  // namespace fmc::test_support

#pragma once
// The OpenFlow controller runtime: a TCP listener and switch sessions
// sharded over worker threads, each worker with its own io_context and its
// own instances of the apps.
#include <asio.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "controller/app.hpp"
#include "controller/config.hpp"
#include "controller/connection_limits.hpp"
#include "controller/dpid_registry.hpp"
#include "controller/stats.hpp"

namespace fmc::ctl {

class Controller {
 public:
  Controller(ControllerConfig config, AppFactory apps);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Loads the TLS files, if any, and binds the listener (throws std::system_error
  // with a clear message if it cannot).
  void start();
  // Runs worker threads until stop(); the calling thread serves worker 0.
  void run();
  void stop();
  // Stops cleanly on SIGINT/SIGTERM (handled on the event loop, not in a signal handler).
  void stop_on_signals();
  // Worker `worker`'s event loop, for services that share it (the API).
  asio::io_context& context(std::size_t worker);
  // Runs `fn` on worker `worker`'s event loop; callable from any thread.
  void post(std::size_t worker, std::function<void()> fn);
  std::uint16_t port() const { return bound_port_; }
  const ControllerStats& stats() const { return stats_; }
  std::size_t connected_switches() const { return registry_.size(); }

 private:
  struct Worker;
  void accept_next();
  // The new connection's place under the limits, or null (refused, counted, closed).
  ConnectionLimits::Slot admit(asio::ip::tcp::socket& socket);

  ControllerConfig config_;
  ControllerStats stats_;
  DpidRegistry registry_;
  ConnectionLimits limits_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::shared_ptr<asio::ssl::context> tls_;  // null: plain TCP
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<asio::signal_set> signals_;
  std::vector<std::thread> threads_;
  std::size_t next_worker_ = 0;
  std::uint16_t bound_port_ = 0;
};

}  // namespace fmc::ctl

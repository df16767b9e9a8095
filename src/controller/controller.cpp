#include "controller/controller.hpp"

#include "controller/log.hpp"
#include "util/log_thinning.hpp"
#include "controller/switch_session.hpp"
#include "controller/tls.hpp"

namespace fmc::ctl {

struct Controller::Worker {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  AppList apps;
};

asio::io_context& Controller::context(std::size_t worker) { return workers_.at(worker)->io; }

void Controller::post(std::size_t worker, std::function<void()> fn) {
  asio::post(workers_.at(worker)->io, std::move(fn));
}

Controller::Controller(ControllerConfig config, AppFactory apps)
    : config_(std::move(config)), limits_(config_.max_connections, config_.max_connections_per_address) {
  if (config_.threads == 0) config_.threads = 1;
  for (unsigned i = 0; i < config_.threads; ++i) {
    auto w = std::make_unique<Worker>();
    if (apps) w->apps = apps();
    workers_.push_back(std::move(w));
  }
}

Controller::~Controller() {
  stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void Controller::start() {
  auto& io = workers_.front()->io;
  if (config_.tls.enabled()) tls_ = make_tls_server_context(config_.tls);
  const auto address = asio::ip::make_address(config_.listen_address);
  const asio::ip::tcp::endpoint endpoint(address, config_.port);
  acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(io);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::ip::tcp::acceptor::reuse_address(true));
  std::error_code ec;
  acceptor_->bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + config_.listen_address + ":" + std::to_string(config_.port));
  acceptor_->listen();
  bound_port_ = acceptor_->local_endpoint().port();
  log::info("controller", std::string("listening (") + (tls_ ? "TLS, switch certificates required" : "plain TCP") +
                              ") on " + config_.listen_address + ":" + std::to_string(bound_port_) + " with " +
                              std::to_string(workers_.size()) + " worker thread(s)");
  accept_next();
}

void Controller::accept_next() {
  Worker& target = *workers_[next_worker_++ % workers_.size()];
  acceptor_->async_accept(target.io, [this, &target](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      stats_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
      if (auto slot = admit(socket)) {
        // The session is created on its own worker's thread.
        asio::post(target.io, [this, &target, s = std::move(socket), slot = std::move(slot)]() mutable {
          WorkerContext ctx{target.io, target.apps, registry_, config_, stats_};
          std::make_shared<SwitchSession>(ControlChannel(std::move(s), tls_.get()), ctx, std::move(slot))->start();
        });
      }
    } else {
      log::warn("controller", "accept failed: " + ec.message());
    }
    accept_next();
  });
}

ConnectionLimits::Slot Controller::admit(asio::ip::tcp::socket& socket) {
  std::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const std::string address = ec ? "unknown" : peer.address().to_string();
  std::string why;
  auto slot = limits_.admit(address, why);
  if (slot) return slot;
  // Logged at the 1st, 2nd, 4th, 8th, ... refusal: a connection flood does not flood the log.
  const auto refused = stats_.refused_connections.fetch_add(1, std::memory_order_relaxed) + 1;
  if (worth_logging(refused))
    log::warn("controller", "refused a connection from " + address + ": " + why + " (" + std::to_string(refused) +
                                " refused so far)");
  socket.close(ec);
  return nullptr;
}

void Controller::run() {
  for (std::size_t i = 1; i < workers_.size(); ++i)
    threads_.emplace_back([w = workers_[i].get()] { w->io.run(); });
  workers_.front()->io.run();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Controller::stop_on_signals() {
  signals_ = std::make_unique<asio::signal_set>(workers_.front()->io, SIGINT, SIGTERM);
  signals_->async_wait([this](std::error_code ec, int signo) {
    if (ec) return;
    log::info("controller", "signal " + std::to_string(signo) + ": stopping");
    stop();
  });
}

void Controller::stop() {
  if (acceptor_) {
    asio::post(workers_.front()->io, [this] {
      std::error_code ec;
      acceptor_->close(ec);
    });
  }
  for (auto& w : workers_) {
    w->guard.reset();
    w->io.stop();
  }
}

}  // namespace fmc::ctl

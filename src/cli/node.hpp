#pragma once
// One fmc-controller process, wired from its options: the OpenFlow
// controller, and with --network the Follow-Me Cloud apps, their migration
// drivers and the northbound API.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/http_server.hpp"
#include "api/northbound.hpp"
#include "cli/options.hpp"
#include "controller/controller.hpp"
#include "controller/mastership.hpp"
#include "fmc/follow_me.hpp"
#include "store/etcd/election.hpp"

namespace fmc::cli {

// 3: the database cannot be used as it is (damaged, read-only): an operator must act, a
// restart will not help (the systemd unit does not restart on it).
inline constexpr int kUnusableDatabase = 3;

struct Failure {
  int exit_code;  // 2: the configuration is wrong; 1: the system refused (a port, a file); kUnusableDatabase
  std::string message;
};

class Node {
 public:
  // Builds everything and starts listening; the port files are written once all listens.
  static Result<std::unique_ptr<Node>, Failure> start(const Options& options);
  ~Node();
  // Serves until SIGINT or SIGTERM, then saves what is pending.
  void run();

 private:
  explicit Node(const Options& options) : options_(options) {}
  std::optional<Failure> wire_follow_me();
  std::optional<Failure> wire_api();
  // The scopes this controller campaigns for: those of the YAML's switches, with a shared store.
  std::set<std::string> scopes() const;
  // The YAML's scopes left to other controllers (none with one controller).
  std::vector<std::string> other_scopes() const;
  void campaign();

  Options options_;
  std::unique_ptr<FollowMe> follow_me_;
  std::unique_ptr<ctl::Controller> controller_;
  std::unique_ptr<api::HttpNotifier> notifier_;
  std::unique_ptr<api::Northbound> northbound_;
  std::unique_ptr<api::HttpServer> api_server_;
  ctl::Mastership* mastership_ = nullptr;  // in the controller's app list, when scopes are in use
  std::vector<std::unique_ptr<store::etcd::Election>> elections_;
};

}  // namespace fmc::cli

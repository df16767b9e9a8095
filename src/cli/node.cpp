#include "cli/node.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <asio/steady_timer.hpp>

#include "api/static_file.hpp"
#include "apps/learning_switch.hpp"
#include "controller/log.hpp"
#include "controller/tls.hpp"
#include "fmc/model/config_yaml.hpp"
#include "fmc/migration/command_driver.hpp"
#include "fmc/migration/libvirt_driver.hpp"
#include "store/etcd/etcd_store.hpp"
#include "store/sqlite_store.hpp"

#include <unistd.h>

namespace fmc::cli {

namespace {

// A command line split on spaces, as --migrate-command and its kin are: no shell.
std::vector<std::string> words_of(const std::string& command) {
  std::vector<std::string> argv;
  std::istringstream words(command);
  for (std::string w; words >> w;) argv.push_back(w);
  return argv;
}

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 && name[0] ? std::string(name) : std::string("fmc-controller");
}

// Writes `port` to `path` whole (renamed into place), so a reader never sees half a number.
std::optional<Failure> write_port_file(std::string_view flag, const std::string& path, unsigned port) {
  if (path.empty()) return std::nullopt;
  const std::string partial = path + ".partial";
  {
    std::ofstream f(partial);
    f << port << "\n";
    if (!f) return Failure{1, "cannot write " + std::string(flag) + " " + path};
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) return Failure{1, "cannot write " + std::string(flag) + " " + path + ": " + ec.message()};
  return std::nullopt;
}

}  // namespace

Node::~Node() = default;

Result<std::unique_ptr<Node>, Failure> Node::start(const Options& options) {
  std::unique_ptr<Node> n(new Node(options));
  ctl::AppFactory apps = [] {
    ctl::AppList list;
    list.push_back(std::make_unique<apps::LearningSwitch>());
    return list;
  };
  if (!options.network_file.empty()) {
    if (auto f = n->wire_follow_me()) return Unexpected{*f};
    apps = [fm = n->follow_me_.get()] { return fm->apps(); };
    if (!n->scopes().empty()) {
      // Only the master of a switch's scope lets it reach the apps.
      apps = [node = n.get(), fm = n->follow_me_.get()] {
        auto inner = fm->apps();
        const fmc::model::NetworkModel* model = &fm->model();
        auto gate = std::make_unique<ctl::Mastership>(std::move(inner.at(0)), [model](of::Dpid dpid) {
          const auto* sw = model->switch_with(dpid);
          return sw ? sw->scope : std::string();
        });
        node->mastership_ = gate.get();
        ctl::AppList list;
        list.push_back(std::move(gate));
        return list;
      };
    }
  }
  n->controller_ = std::make_unique<ctl::Controller>(options.controller, apps);
  if (auto* fm = n->follow_me_.get()) {
    auto* controller = n->controller_.get();
    fm->run_on([controller](std::function<void()> fn) { controller->post(0, std::move(fn)); });
    if (!options.utilisation_command.empty())  // its readings need the loop
      fm->measure_utilisation(words_of(options.utilisation_command), options.utilisation_interval);
  }
  try {
    n->controller_->start();
  } catch (const std::system_error& e) {
    return Unexpected{Failure{1, e.what()}};
  }
  if (n->mastership_) {
    // Several controllers: each learns the others' records, and judges the services at its sites.
    auto* fm = n->follow_me_.get();
    auto answers = [fm, gate = n->mastership_](const std::string& site) {
      const auto* s = fm->model().site_named(site);
      const auto* sw = s ? fm->model().switch_named(s->switch_name) : nullptr;
      return !sw || sw->scope.empty() || gate->masters(sw->scope);
    };
    if (auto why = fm->share(answers, n->other_scopes()))
      return Unexpected{Failure{1, "cannot follow the shared store: " + *why}};
  }
  n->campaign();
  if (!options.api.address.empty())
    if (auto f = n->wire_api()) return Unexpected{*f};
  // The port files say "ready": written once everything listens, API port first, so a
  // script that waits for --port-file finds the API up too.
  if (n->api_server_)
    if (auto f = write_port_file("--api-port-file", options.api.port_file, n->api_server_->port())) return Unexpected{*f};
  if (auto f = write_port_file("--port-file", options.port_file, n->controller_->port())) return Unexpected{*f};
  return n;
}

std::optional<Failure> Node::wire_follow_me() {
  auto model = model::load_network_yaml(options_.network_file);
  if (!model) return Failure{2, model.error().to_string()};
  for (const auto& scope : options_.scopes)
    if (std::none_of(model->switches.begin(), model->switches.end(), [&](const auto& sw) { return sw.scope == scope; }))
      return Failure{2, "--scopes names '" + scope + "', a scope no switch in " + options_.network_file + " has"};
  Result<std::unique_ptr<FollowMe>, std::string> created = Unexpected{std::string()};
  if (!options_.etcd_members.empty()) {
    auto db = store::EtcdStore::open(options_.etcd_members);
    if (!db) return Failure{1, db.error().message};
    created = FollowMe::create(std::move(*model), std::move(*db), "etcd://" + options_.etcd_members);
  } else {
    if (const auto dir = std::filesystem::path(options_.db_path).parent_path(); !dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
    }
    // A database that cannot be used (damaged, read-only) needs an operator, not a restart.
    auto db = store::SqliteStore::open(options_.db_path);
    if (!db) return Failure{kUnusableDatabase, db.error().message};
    created = FollowMe::create(std::move(*model), std::move(*db), options_.db_path);
  }
  if (!created) return Failure{1, created.error()};
  follow_me_ = std::move(*created);
  auto* fm = follow_me_.get();
  if (options_.switch_meters) fm->meter_packet_ins(options_.controller.packet_in_port_rate);
  const auto on_loop = [fm](std::function<void()> fn) { fm->post(std::move(fn)); };
  if (options_.migrate_libvirt)
    fm->use_migration_driver(std::make_unique<migration::LibvirtDriver>(
        [fm](const std::string& site) -> std::optional<std::string> {
          const auto* s = fm->model().site_named(site);
          if (!s || s->libvirt_uri.empty()) return std::nullopt;
          return s->libvirt_uri;
        },
        on_loop));
  const auto command_driver = [&](const char* name, const std::string& command) {
    return std::make_unique<migration::CommandDriver>(name, words_of(command), on_loop);
  };
  if (!options_.migrate_command.empty()) fm->use_migration_driver(command_driver("command", options_.migrate_command));
  if (!options_.transfer_command.empty()) fm->use_transfer_driver(command_driver("transfer", options_.transfer_command));
  if (auto* migrations = fm->migration_manager()) migrations->set_timeout(options_.migration_timeout);
  return std::nullopt;
}

std::optional<Failure> Node::wire_api() {
  const auto& o = options_.api;
  auto& fm = *follow_me_;
  notifier_ = std::make_unique<api::HttpNotifier>(controller_->context(0));
  northbound_ = std::make_unique<api::Northbound>(
      api::ApiContext{fm.model(), fm.locations(), fm.switches(), fm.dhcp(), fm.detector(), fm.arp(), controller_->stats(),
                      fm.migration_manager(), fm.census(), fm.convergence(), fm.path_monitor(), fm.mapper(), fm.clock(),
                      [&fm] { return fm.store_health(); }},
      api::ApiOptions{o.token, o.open_reads, api::dashboard_files()}, *notifier_);
  try {
    auto tls = o.tls.enabled() ? ctl::make_tls_server_context(o.tls) : nullptr;
    api_server_ = std::make_unique<api::HttpServer>(
        controller_->context(0), o.address, o.port,
        [nb = northbound_.get()](const api::HttpRequest& r) { return nb->handle(r); }, api::HttpServer::Limits{}, tls);
  } catch (const std::system_error& e) {
    return Failure{1, e.what()};
  }
  fm.report_stored_events([server = api_server_.get(), nb = northbound_.get()](const FmcEvent& e, const EventText& t) {
    server->publish(api::Northbound::event_chunk(t));
    nb->on_event(e);
  });
  log::info("api", std::string("northbound API on ") + (o.tls.enabled() ? "https://" : "http://") + o.address + ":" +
                       std::to_string(api_server_->port()) + (o.open_reads ? " (reads open)" : " (token required)"));
  return std::nullopt;
}

std::vector<std::string> Node::other_scopes() const {
  std::set<std::string> others;
  if (options_.etcd_members.empty() || !follow_me_) return {};
  const auto ours = scopes();
  for (const auto& sw : follow_me_->model().switches)
    if (!sw.scope.empty() && !ours.count(sw.scope)) others.insert(sw.scope);
  return {others.begin(), others.end()};
}

std::set<std::string> Node::scopes() const {
  std::set<std::string> out;
  if (options_.etcd_members.empty() || !follow_me_) return out;  // one controller: it controls every switch
  for (const auto& sw : follow_me_->model().switches)
    if (!sw.scope.empty() && (options_.scopes.empty() || options_.scopes.count(sw.scope))) out.insert(sw.scope);
  return out;
}

void Node::campaign() {
  if (!mastership_) return;
  auto members = store::etcd::parse_endpoints(options_.etcd_members);
  const std::string id = options_.controller_id.empty() ? host_name() : options_.controller_id;
  for (const auto& scope : scopes()) {
    // The elections run on their own threads; the gate lives on the apps' loop.
    auto on_loop = [c = controller_.get(), gate = mastership_](std::function<void(ctl::Mastership&)> f) {
      c->post(0, [gate, f = std::move(f)] { f(*gate); });
    };
    store::etcd::Election::Handlers h{
        // Elected: first learn what the previous master did (from the store), then take the switches.
        [fm = follow_me_.get(), gate = mastership_, scope](std::int64_t g) {
          fm->refresh([gate, scope, g] { gate->elected(scope, static_cast<std::uint64_t>(g)); });
        },
        [on_loop, scope](const std::string& why) {
          log::warn("mastership", "scope " + scope + ": " + why);
          on_loop([scope](ctl::Mastership& m) { m.follow(scope, 0); });
        },
        [on_loop, scope](std::int64_t g) { on_loop([scope, g](ctl::Mastership& m) { m.follow(scope, static_cast<std::uint64_t>(g)); }); }};
    elections_.push_back(std::make_unique<store::etcd::Election>(*members, "/fmc/scopes/" + scope + "/master", id,
                                                                 options_.mastership_ttl, std::move(h)));
  }
  log::info("mastership", id + " campaigns for " + std::to_string(elections_.size()) + " scope(s)");
}

void Node::run() {
  // Periodic work of the Follow-Me Cloud apps (path probes, dwell times), on their loop.
  asio::steady_timer ticker(controller_->context(0));
  std::function<void()> arm_ticker = [&] {
    ticker.expires_after(std::chrono::milliseconds(100));
    ticker.async_wait([&](const asio::error_code& ec) {
      if (ec) return;
      follow_me_->tick();
      arm_ticker();
    });
  };
  if (follow_me_) arm_ticker();
  std::signal(SIGPIPE, SIG_IGN);
  controller_->stop_on_signals();
  controller_->run();
  elections_.clear();  // resigns: the standbys take over at once
  if (follow_me_) {
    follow_me_->run_on(nullptr);  // the loop is gone; stored results from now on have nowhere to go
    follow_me_->flush_store();
  }
}

}  // namespace fmc::cli

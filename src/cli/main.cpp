// fmc-controller: the Follow-Me Cloud OpenFlow controller.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <asio/steady_timer.hpp>

#include "api/http_server.hpp"
#include "api/northbound.hpp"
#include "apps/learning_switch.hpp"
#include "fmc/config_yaml.hpp"
#include "fmc/follow_me.hpp"
#include "fmc/migration/command_driver.hpp"
#include "fmc/migration/libvirt_driver.hpp"
#include "controller/controller.hpp"
#include "controller/log.hpp"

namespace {

constexpr const char* kUsage = R"(usage: fmc-controller [options]
  --listen ADDR            address to listen on (default 0.0.0.0)
  --port N                 OpenFlow TCP port (default 6653; 0 = any free port)
  --threads N              worker threads switch sessions are sharded over (default 1)
  --echo-interval MS       idle time before an echo request is sent (default 5000)
  --dead-after MS          silence after which a switch is declared dead (default 15000)
  --duplicate-dpid POLICY  replace-old (default) | reject-new
  --versions LIST          OpenFlow versions to offer: 1.0,1.3 (default both)
  --log-level LEVEL        debug | info | warn | error (default info)
  --port-file PATH         write the bound port to PATH once ready (OpenFlow and API listening)
  --network FILE           run the Follow-Me Cloud apps for the network in FILE (YAML);
                           without it the controller is a plain learning switch
  --db PATH                Follow-Me Cloud database (default /var/lib/fmc/fmc.db)
  --migrate-command CMD    how to migrate a VM: a command run per migration with {vm}, {from},
                           {to}, {hypervisor} substituted (split on spaces; no shell), e.g.
                           "python3 testbed/fmc_testbed.py migrate net.yaml {vm} {to}"
  --transfer-command CMD   how to copy a service's part (disk image, user data) to another data
                           center: a command per move, {vm} being "service/part", e.g.
                           "python3 testbed/fmc_testbed.py transfer net.yaml {vm} {to}"
  --migrate-libvirt        migrate VMs through libvirt (peer to peer, live), from and to each
                           data center's libvirt_uri in the YAML; the VM is the domain of its name
  --api ADDR:PORT          serve the northbound REST API there (needs --network; port 0 = any)
  --api-token-file PATH    the API's bearer token: the file's first line (required with --api)
  --api-open-reads         let GET requests in without the token (writes always need it)
  --api-port-file PATH     write the API's bound port to PATH once listening
  --api-tls-cert PATH      serve the API over TLS (1.2+) with this PEM certificate chain ...
  --api-tls-key PATH       ... and this PEM private key (both or neither)
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "fmc-controller: " << message << "\n" << kUsage;
  std::exit(2);
}

bool write_port_file(std::string_view flag, const std::string& path, unsigned port) {
  if (path.empty()) return true;
  const std::string partial = path + ".partial";
  {
    std::ofstream f(partial);
    f << port << "\n";
    if (!f) {
      std::cerr << "fmc-controller: cannot write " << flag << " " << path << "\n";
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) std::cerr << "fmc-controller: cannot write " << flag << " " << path << ": " << ec.message() << "\n";
  return !ec;
}

unsigned long parse_number(std::string_view flag, const std::string& text, unsigned long max) {
  std::size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v > max)
    usage_error(std::string(flag) + " expects a number up to " + std::to_string(max) + ", got '" + text + "'");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  fmc::ctl::ControllerConfig config;
  std::string port_file;
  std::string network_file;
  std::string db_path = "/var/lib/fmc/fmc.db";
  std::string api_listen, api_token_file, api_port_file, api_tls_cert, api_tls_key, migrate_command,
      transfer_command;
  bool api_open_reads = false, migrate_libvirt = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (flag == "--api-open-reads" || flag == "--migrate-libvirt") {
      (flag == "--api-open-reads" ? api_open_reads : migrate_libvirt) = true;
      continue;
    }
    if (i + 1 >= argc) usage_error("missing value for " + std::string(flag));
    const std::string value = argv[++i];
    if (flag == "--listen") config.listen_address = value;
    else if (flag == "--port") config.port = static_cast<std::uint16_t>(parse_number(flag, value, 65535));
    else if (flag == "--threads") config.threads = static_cast<unsigned>(parse_number(flag, value, 256));
    else if (flag == "--echo-interval") config.echo_interval = std::chrono::milliseconds(parse_number(flag, value, 3600000));
    else if (flag == "--dead-after") config.dead_after = std::chrono::milliseconds(parse_number(flag, value, 3600000));
    else if (flag == "--port-file") port_file = value;
    else if (flag == "--network") network_file = value;
    else if (flag == "--db") db_path = value;
    else if (flag == "--api") api_listen = value;
    else if (flag == "--migrate-command") migrate_command = value;
    else if (flag == "--transfer-command") transfer_command = value;
    else if (flag == "--api-token-file") api_token_file = value;
    else if (flag == "--api-port-file") api_port_file = value;
    else if (flag == "--api-tls-cert") api_tls_cert = value;
    else if (flag == "--api-tls-key") api_tls_key = value;
    else if (flag == "--duplicate-dpid") {
      if (value == "replace-old") config.duplicate_dpid = fmc::ctl::DuplicateDpidPolicy::kReplaceOld;
      else if (value == "reject-new") config.duplicate_dpid = fmc::ctl::DuplicateDpidPolicy::kRejectNew;
      else usage_error("--duplicate-dpid expects replace-old or reject-new, got '" + value + "'");
    } else if (flag == "--versions") {
      config.version_bitmap = 0;
      if (value.find("1.0") != std::string::npos) config.version_bitmap |= 1u << 0x01;
      if (value.find("1.3") != std::string::npos) config.version_bitmap |= 1u << 0x04;
      if (config.version_bitmap == 0) usage_error("--versions expects 1.0, 1.3 or 1.0,1.3, got '" + value + "'");
    } else if (flag == "--log-level") {
      using fmc::log::Level;
      if (value == "debug") fmc::log::threshold() = Level::kDebug;
      else if (value == "info") fmc::log::threshold() = Level::kInfo;
      else if (value == "warn") fmc::log::threshold() = Level::kWarn;
      else if (value == "error") fmc::log::threshold() = Level::kError;
      else usage_error("--log-level expects debug, info, warn or error, got '" + value + "'");
    } else {
      usage_error("unknown option " + std::string(flag));
    }
  }
  if (config.echo_interval >= config.dead_after) usage_error("--echo-interval must be shorter than --dead-after");
  std::string api_address;
  std::uint16_t api_port = 0;
  std::string api_token;
  if (!api_listen.empty()) {
    if (network_file.empty()) usage_error("--api serves the Follow-Me Cloud state: it needs --network");
    const auto colon = api_listen.rfind(':');
    if (colon == std::string::npos || colon == 0) usage_error("--api expects ADDR:PORT, got '" + api_listen + "'");
    api_address = api_listen.substr(0, colon);
    api_port = static_cast<std::uint16_t>(parse_number("--api", api_listen.substr(colon + 1), 65535));
    if (api_token_file.empty()) usage_error("--api needs --api-token-file (there are no default credentials)");
    std::ifstream in(api_token_file);
    if (!in || !std::getline(in, api_token)) usage_error("cannot read the API token from " + api_token_file);
    while (!api_token.empty() && (api_token.back() == '\r' || api_token.back() == ' ')) api_token.pop_back();
    if (api_token.size() < 16) usage_error("the API token in " + api_token_file + " is shorter than 16 characters");
    if (api_tls_cert.empty() != api_tls_key.empty()) usage_error("--api-tls-cert and --api-tls-key go together");
  } else if (!api_token_file.empty() || api_open_reads || !api_port_file.empty() || !api_tls_cert.empty() ||
             !api_tls_key.empty()) {
    usage_error("--api-token-file, --api-open-reads, --api-port-file and --api-tls-* go with --api");
  }

  std::unique_ptr<fmc::FollowMe> follow_me;
  fmc::ctl::AppFactory apps = [] {
    fmc::ctl::AppList list;
    list.push_back(std::make_unique<fmc::apps::LearningSwitch>());
    return list;
  };
  if (!network_file.empty()) {
    if (config.threads != 1) usage_error("--network runs the Follow-Me Cloud apps on one worker: use --threads 1");
    auto model = fmc::model::load_network_yaml(network_file);
    if (!model) {
      std::cerr << "fmc-controller: " << model.error().to_string() << "\n";
      return 2;
    }
    if (const auto dir = std::filesystem::path(db_path).parent_path(); !dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
    }
    auto created = fmc::FollowMe::create(std::move(*model), db_path);
    if (!created) {
      std::cerr << "fmc-controller: " << created.error() << "\n";
      return 1;
    }
    follow_me = std::move(*created);
    apps = [&follow_me] { return follow_me->apps(); };
  }
  fmc::ctl::Controller controller(config, apps);
  if (follow_me) follow_me->run_on([&controller](std::function<void()> fn) { controller.post(0, std::move(fn)); });
  if (migrate_libvirt) {
    if (!follow_me) usage_error("--migrate-libvirt needs --network");
    if (!migrate_command.empty()) usage_error("--migrate-libvirt and --migrate-command exclude each other");
    auto* fm = follow_me.get();
    follow_me->use_migration_driver(std::make_unique<fmc::migration::LibvirtDriver>(
        [fm](const std::string& site) -> std::optional<std::string> {
          const auto* s = fm->model().site_named(site);
          if (!s || s->libvirt_uri.empty()) return std::nullopt;
          return s->libvirt_uri;
        },
        [fm](std::function<void()> fn) { fm->post(std::move(fn)); }));
  }
  const auto command_driver = [&follow_me](const char* name, const std::string& command) {
    std::vector<std::string> argv_template;
    std::istringstream words(command);
    for (std::string w; words >> w;) argv_template.push_back(w);
    auto* fm = follow_me.get();
    return std::make_unique<fmc::migration::CommandDriver>(name, argv_template,
                                                           [fm](std::function<void()> fn) { fm->post(std::move(fn)); });
  };
  if (!migrate_command.empty()) {
    if (!follow_me) usage_error("--migrate-command needs --network");
    follow_me->use_migration_driver(command_driver("command", migrate_command));
  }
  if (!transfer_command.empty()) {
    if (migrate_command.empty() && !migrate_libvirt) usage_error("--transfer-command needs --migrate-command or --migrate-libvirt");
    follow_me->use_transfer_driver(command_driver("transfer", transfer_command));
  }
  try {
    controller.start();
  } catch (const std::system_error& e) {
    std::cerr << "fmc-controller: " << e.what() << "\n";
    return 1;
  }
  std::unique_ptr<fmc::api::HttpNotifier> notifier;
  std::unique_ptr<fmc::api::Northbound> northbound;
  std::unique_ptr<fmc::api::HttpServer> api_server;
  if (!api_listen.empty()) {
    using fmc::api::HttpServer;
    notifier = std::make_unique<fmc::api::HttpNotifier>(controller.context(0));
    northbound = std::make_unique<fmc::api::Northbound>(
        fmc::api::ApiContext{follow_me->model(), follow_me->locations(), follow_me->switches(), follow_me->dhcp(),
                             follow_me->detector(), follow_me->arp(), controller.stats(), follow_me->migration_manager(),
                             follow_me->census(), follow_me->convergence(), follow_me->path_monitor(), follow_me->mapper(),
                             [] {
                               return std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                   .count();
                             }},
        fmc::api::ApiOptions{api_token, api_open_reads}, *notifier);
    try {
      auto tls = api_tls_cert.empty() ? nullptr : fmc::api::make_tls_context(api_tls_cert, api_tls_key);
      api_server = std::make_unique<HttpServer>(
          controller.context(0), api_address, api_port,
          [&northbound](const fmc::api::HttpRequest& r) { return northbound->handle(r); }, HttpServer::Limits{}, tls);
    } catch (const std::system_error& e) {
      std::cerr << "fmc-controller: " << e.what() << "\n";
      return 1;
    }
    follow_me->bus().subscribe([server = api_server.get(), nb = northbound.get()](const fmc::FmcEvent& e) {
      server->publish(fmc::api::Northbound::event_chunk(e));
      nb->on_event(e);
    });
    fmc::log::info("api", std::string("northbound API on ") + (api_tls_cert.empty() ? "http://" : "https://") +
                              api_address + ":" + std::to_string(api_server->port()) +
                              (api_open_reads ? " (reads open)" : " (token required)"));
  }
  // The port files say "ready": written once everything listens, API port first, each whole
  // (renamed into place), so a script that waits for --port-file finds the API up too.
  if ((api_server && !write_port_file("--api-port-file", api_port_file, api_server->port())) ||
      !write_port_file("--port-file", port_file, controller.port()))
    return 1;
  // Periodic work of the Follow-Me Cloud apps (path probes, dwell times), on their loop.
  asio::steady_timer ticker(controller.context(0));
  std::function<void()> arm_ticker = [&] {
    ticker.expires_after(std::chrono::milliseconds(100));
    ticker.async_wait([&](const asio::error_code& ec) {
      if (ec) return;
      follow_me->tick();
      arm_ticker();
    });
  };
  if (follow_me) arm_ticker();
  std::signal(SIGPIPE, SIG_IGN);
  controller.stop_on_signals();
  controller.run();
  if (follow_me) {
    follow_me->run_on(nullptr);  // the loop is gone; stored results from now on have nowhere to go
    follow_me->flush_store();
  }
  return 0;
}

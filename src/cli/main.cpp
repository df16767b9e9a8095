// fmc-controller: the Follow-Me Cloud OpenFlow controller.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "apps/learning_switch.hpp"
#include "fmc/config_yaml.hpp"
#include "fmc/follow_me.hpp"
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
  --port-file PATH         write the bound port to PATH once listening
  --network FILE           run the Follow-Me Cloud apps for the network in FILE (YAML);
                           without it the controller is a plain learning switch
  --db PATH                Follow-Me Cloud database (default /var/lib/fmc/fmc.db)
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "fmc-controller: " << message << "\n" << kUsage;
  std::exit(2);
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
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
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
  try {
    controller.start();
  } catch (const std::system_error& e) {
    std::cerr << "fmc-controller: " << e.what() << "\n";
    return 1;
  }
  if (!port_file.empty()) {
    FILE* f = std::fopen(port_file.c_str(), "w");
    if (!f) {
      std::cerr << "fmc-controller: cannot write --port-file " << port_file << "\n";
      return 1;
    }
    std::fprintf(f, "%u\n", controller.port());
    std::fclose(f);
  }
  std::signal(SIGPIPE, SIG_IGN);
  controller.stop_on_signals();
  controller.run();
  if (follow_me) {
    follow_me->run_on(nullptr);  // the loop is gone; stored results from now on have nowhere to go
    follow_me->flush_store();
  }
  return 0;
}

// fmc-flow-install: the real-switch check of the scale harness (issue 12).
// Builds the rule set of an access switch that `--visitors` visiting
// endpoints have roamed to (the pipeline's own skeleton, then each visitor's
// rewrite and forwarding flows, four each), listens as the controller, and
// when the switch connects installs them through the controller runtime in
// windows of `--window` flow-mods, each closed by a barrier, a few windows in
// flight. Prints flows/s from the first flow-mod to the last barrier reply and
// the failures the switch reported; writes a sample of the visitors (for the
// forwarding check of ovs_check.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "controller/controller.hpp"
#include "controller/log.hpp"
#include "fmc/pipeline/flows.hpp"
#include "operator_network.hpp"

using namespace fmc;
using Clock = std::chrono::steady_clock;

namespace {

// Visitor v: a client from another cell, at this cell's radio port.
pipeline::Tunnel visitor(std::uint32_t v) {
  const auto home = v % 1000 + 1000;  // spread over a thousand home cells, none of them this one
  return pipeline::Tunnel{scale::client_mac(v),
                          scale::client_home_ip(home, v / 1000),
                          net::Ipv4Addr{0x6440'0000u + v},  // 100.64.0.0/10 up: synthetic, never on a wire
                          scale::kRadioPort,
                          scale::kUplinkPort,
                          net::MacAddr{{0x02, 0xfe, 0, 0, 0, 1}},
                          net::MacAddr{{0x02, 0xfe, 0, 0, 0, 2}}};
}

struct Plan {
  std::vector<of::FlowMod> flows;
  std::size_t window = 1000, in_flight_max = 4;
};

// Installs the plan on the first switch that connects, then stops the controller.
class Installer final : public ctl::App {
 public:
  Installer(const Plan& plan, ctl::Controller*& controller, bool& ok) : plan_(plan), controller_(controller), ok_(ok) {}
  std::string_view name() const override { return "flow_install"; }
  void on_switch_up(ctl::Datapath& dp) override {
    if (started_) return;
    started_ = true;
    t0_ = Clock::now();
    pump(dp);
  }
  void on_switch_down(of::Dpid) override {
    if (started_ && !done_) finish("the switch disconnected before every barrier was answered");
  }

 private:
  void pump(ctl::Datapath& dp) {
    while (in_flight_ < plan_.in_flight_max && next_ < plan_.flows.size()) {
      const auto end = std::min(plan_.flows.size(), next_ + plan_.window);
      for (; next_ < end; ++next_) dp.send(plan_.flows[next_]);
      ++in_flight_;
      dp.barrier([this, &dp](const ctl::BarrierOutcome& o) {
        --in_flight_;
        failures_ += o.failures.size();
        if (o.status == ctl::BarrierOutcome::Status::kDisconnected) return;  // on_switch_down reports it
        if (next_ < plan_.flows.size()) pump(dp);
        else if (in_flight_ == 0) finish("");
      });
    }
  }
  void finish(const std::string& why) {
    done_ = true;
    const double s = std::chrono::duration<double>(Clock::now() - t0_).count();
    if (why.empty())
      std::printf("installed %zu flow-mods through the controller in %.3f s: %.0f flows/s, %zu failures\n",
                  plan_.flows.size(), s, double(plan_.flows.size()) / s, failures_);
    else std::printf("NOT installed: %s\n", why.c_str());
    std::fflush(stdout);
    ok_ = why.empty() && failures_ == 0;
    controller_->stop();
  }

  const Plan& plan_;
  ctl::Controller*& controller_;
  bool& ok_;  // every flow in, no failure
  bool started_ = false, done_ = false;
  std::size_t next_ = 0, in_flight_ = 0, failures_ = 0;
  Clock::time_point t0_;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "fmc-flow-install: %s\n"
               "usage: fmc-flow-install --visitors N --port-file FILE --sample-file FILE [--sample N] [--window N]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t visitors = 25'000, sample = 50, window = 1000;
  std::string port_file, sample_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage(("incomplete option " + a).c_str());
    const char* v = argv[++i];
    char* end = nullptr;
    const auto n = std::strtoull(v, &end, 10);
    const bool number = end && !*end && n > 0;
    if (a == "--visitors" && number && n <= 1'000'000) visitors = n;
    else if (a == "--sample" && number) sample = n;
    else if (a == "--window" && number && n <= 100'000) window = n;
    else if (a == "--port-file") port_file = v;
    else if (a == "--sample-file") sample_file = v;
    else return usage(("unknown option or bad value: " + a + " " + v).c_str());
  }
  if (port_file.empty() || sample_file.empty()) return usage("--port-file and --sample-file are required");
  log::threshold() = log::Level::kWarn;

  Plan plan;
  plan.window = window;
  plan.flows = pipeline::base();
  plan.flows.push_back(pipeline::dhcp_to_controller());
  pipeline::FlowsInto into(plan.flows);
  for (std::uint32_t v = 0; v < visitors; ++v) pipeline::tunnel_at_visited(into, visitor(v));
  {
    std::ofstream out(sample_file);
    out << "# mac ip visiting_ip visited_gateway_mac home_gateway_mac\n";
    for (std::uint64_t k = 0; k < sample; ++k) {
      const auto t = visitor(static_cast<std::uint32_t>(k * visitors / sample));
      out << t.mac.to_string() << " " << t.ip.to_string() << " " << t.visiting_ip.to_string() << " "
          << t.visited_gateway_mac.to_string() << " " << t.home_gateway_mac.to_string() << "\n";
    }
  }

  ctl::ControllerConfig config;
  config.listen_address = "127.0.0.1";
  config.port = 0;
  config.version_bitmap = 1u << 0x04;
  ctl::Controller* self = nullptr;
  bool ok = false;
  ctl::Controller controller(config, [&] {
    ctl::AppList apps;
    apps.push_back(std::make_unique<Installer>(plan, self, ok));
    return apps;
  });
  self = &controller;
  controller.start();
  std::ofstream(port_file) << controller.port() << "\n";
  const auto adds = std::count_if(plan.flows.begin(), plan.flows.end(),
                                  [](const of::FlowMod& f) { return f.command == of::FlowModCommand::kAdd; });
  std::printf("%zu flow-mods for %llu visitors; the table holds %zd flows once they are in; listening on 127.0.0.1:%u\n",
              plan.flows.size(), (unsigned long long)visitors, adds, controller.port());
  std::fflush(stdout);
  controller.run();
  return ok ? 0 : 1;
}

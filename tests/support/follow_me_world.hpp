#pragma once
// The Follow-Me apps wired as the controller wires them (Dispatcher, queued
// EventBus, EffectExecutor), on a network model, with fake switches whose
// flow tables answer where packets go. Clocks are the test's.
#include <string>
#include <vector>

#include "fmc/model/config_yaml.hpp"
#include "fmc/dispatch.hpp"
#include "fmc/mobility/migrations_in_flight.hpp"
#include "fmc/pipeline/declaration.hpp"
#include "support/fake_switch.hpp"

namespace fmc::test_support {

struct FollowMeWorld {
  model::NetworkModel model;
  ctl::EffectExecutor executor;
  EventBus bus{&executor};
  ManualClock clock;
  LocationManager lm{model, bus, nullptr, clock};
  MigrationsInFlight migrations;
  MobilityDetector detector{model, lm, bus, migrations, clock};
  std::vector<MoveConverged> converged;
  PacketManipulator manipulator{model, lm, bus, clock, [this](const MoveConverged& c) { converged.push_back(c); }};
  ArpProxy arp{model, lm, bus};
  // Leases are "stored" at once unless told to hold them.
  bool hold_leases = false;
  std::vector<dhcp::DhcpService::Stored> held_leases;
  std::vector<dhcp::LeaseChange> stored_leases;
  dhcp::DhcpService dhcp{model, lm, bus,
                         [this](std::vector<dhcp::LeaseChange> changes, dhcp::DhcpService::Stored done) {
                           stored_leases.insert(stored_leases.end(), changes.begin(), changes.end());
                           if (!done) return;
                           if (hold_leases) held_leases.push_back(std::move(done));
                           else bus.handle(done);
                         },
                         clock};
  PathMonitor paths{model, bus, clock};
  PacketInCensus census;
  Dispatcher dispatcher{FollowMeApps{model, bus, executor, census, detector, manipulator, arp, dhcp, paths}};
  std::deque<FakeSwitch> switches;
  std::vector<EndpointMoved> moves;
  std::vector<SecurityEvent> security;

  explicit FollowMeWorld(const std::string& config) : FollowMeWorld(*model::load_network_yaml(config)) {}
  explicit FollowMeWorld(model::NetworkModel m) : model(std::move(m)) {
    for (const auto& sw : model.switches) switches.emplace_back(sw.dpid, pipeline::check);
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* m = std::get_if<EndpointMoved>(&e)) moves.push_back(*m);
      if (const auto* s = std::get_if<SecurityEvent>(&e)) security.push_back(*s);
    });
  }
  FakeSwitch& sw(std::uint64_t dpid) {
    for (auto& s : switches)
      if (s.dpid().value == dpid) return s;
    throw std::runtime_error("no such switch");
  }
  void up_all() {
    for (auto& s : switches) dispatcher.on_switch_up(s);
  }
  void packet_in(FakeSwitch& s, std::uint32_t port, const std::vector<std::uint8_t>& frame) {
    of::PacketIn pi;
    pi.in_port = of::PortNo{port};
    pi.data = frame;
    dispatcher.on_packet_in(s, pi);
  }
  // A packet arriving at `port` of `s`: its fate in the flow table; if that
  // sends it to the controller, the controller handles it too (packet-in).
  Fate arrive(FakeSwitch& s, std::uint32_t port, const std::vector<std::uint8_t>& frame) {
    Fate f = s.table.fate(of::PortNo{port}, frame);
    if (f.to_controller()) packet_in(s, port, frame);
    return f;
  }
  void publish(FmcEvent e) { bus.publish(std::move(e)); }
  void clear_sent() {
    for (auto& s : switches) {
      s.packet_outs.clear();
      s.other.clear();
    }
  }
};

}  // namespace fmc::test_support

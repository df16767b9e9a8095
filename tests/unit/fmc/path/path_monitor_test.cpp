// The Path Monitor against fake switches: the probes it injects, carried
// to the switch they are addressed to by hand (standing in for the router)
// with a controlled clock; what it measures, refuses and counts.
#include "fmc/path/path_monitor.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"
#include "net/arp.hpp"
#include "net/udp.hpp"
#include "support/run_effects.hpp"

using namespace fmc;
using test_support::FakeDatapath;

namespace {

net::Ipv4Addr ip(const char* s) { return *net::Ipv4Addr::parse(s); }

struct World {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  EventBus bus;
  ManualClock clock{std::chrono::seconds(5)};
  PathMonitor monitor{model, bus, clock};
  FakeDatapath dc1{of::Version::V13, of::Dpid{0xd1}}, dc2{of::Version::V13, of::Dpid{0xd2}};
  FakeDatapath wlan1{of::Version::V13, of::Dpid{0xa1}}, wlan2{of::Version::V13, of::Dpid{0xa2}};
  std::vector<PathMeasured> measured;
  std::deque<std::vector<std::uint8_t>> frames;

  World() {
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* p = std::get_if<PathMeasured>(&e)) measured.push_back(*p);
    });
    for (auto* dp : all()) {
      test_support::run(monitor.on_switch_up(dp->dpid()), all());
    }
  }
  std::vector<FakeDatapath*> all() { return {&dc1, &dc2, &wlan1, &wlan2}; }
  FakeDatapath& switch_for(net::Ipv4Addr probe) {
    for (auto* dp : all())
      if (model.site_at(dp->dpid())->probe_address == probe) return *dp;
    throw std::runtime_error("no site owns " + probe.to_string());
  }
  ctl::Disposition packet_in(FakeDatapath& dp, std::vector<std::uint8_t> frame, std::uint32_t port = 1) {
    frames.push_back(std::move(frame));
    of::PacketIn pi;
    pi.in_port = of::PortNo{port};
    pi.data = frames.back();
    // What the dispatcher gives the Path Monitor: probes and ARP for its address.
    const PacketContext p = classify(model, dp.dpid(), pi);
    if (p.kind == PacketKind::kProbe) test_support::run(monitor.on_probe(p), all());
    else if (p.kind == PacketKind::kProbeArp) test_support::run(monitor.on_probe_arp(p), all());
    else return ctl::Disposition::kContinue;
    return ctl::Disposition::kConsumed;
  }
  void tick() { test_support::run(monitor.tick(), all());
  }
  // Delivers every probe sent since the last call, `one_way_ms(from, to)` later
  // (the same switch for a calibration probe, which comes back at once + 0.2 ms).
  void deliver(const std::function<double(const std::string&, const std::string&)>& one_way_ms) {
    struct InFlight {
      FakeDatapath* to;
      std::vector<std::uint8_t> frame;
      std::int64_t at;
      std::uint32_t in_port;  // the uplink, or the controller's port for a calibration probe
    };
    std::vector<InFlight> flights;
    for (auto* dp : all()) {
      for (const auto& po : dp->sent_of<of::PacketOut>()) {
        const auto eth = net::EthernetView::parse(po.data);
        const auto udp = eth ? net::parse_udp(*eth) : std::nullopt;
        if (!udp) continue;
        FakeDatapath& to = switch_for(udp->ip.dst);
        const std::string a = model.site_at(dp->dpid())->name, b = model.site_at(to.dpid())->name;
        const double ms = &to == dp ? 0.2 : one_way_ms(a, b) + 0.2;  // 0.1 ms each way on the control channel
        flights.push_back({&to, std::vector<std::uint8_t>(po.data.begin(), po.data.end()),
                           clock.steady_us() + static_cast<std::int64_t>(ms * 1000), &to == dp ? of::port::kController.value : 1u});
      }
      dp->sent.clear();
    }
    std::sort(flights.begin(), flights.end(), [](const auto& x, const auto& y) { return x.at < y.at; });
    const auto start = clock.now();
    for (auto& f : flights) {
      clock.set(std::chrono::microseconds(f.at));
      EXPECT_EQ(packet_in(*f.to, f.frame, f.in_port), ctl::Disposition::kConsumed);
    }
    clock.set(std::max(clock.now(), start));
  }
};

// Fig. 1 one way: 0.5 ms near, 25 ms far.
double fig1_one_way(const std::string& a, const std::string& b) {
  const bool near = (a == "wlan1" && b == "dc1") || (a == "dc1" && b == "wlan1") || (a == "wlan2" && b == "dc2") ||
                    (a == "dc2" && b == "wlan2");
  return near ? 0.5 : 25;
}

TEST(PathMonitor, InstallsACatchFlowForItsProbeAddressOnEverySwitch) {
  World w;
  for (auto* dp : w.all()) {
    const auto flows = dp->sent_of<of::FlowMod>();
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0].match.ipv4_dst->value, w.model.site_at(dp->dpid())->probe_address);
    EXPECT_EQ(flows[0].match.udp_dst, w.model.path_monitor.udp_port);
  }
  EXPECT_EQ(w.model.site_named("dc1")->probe_address, ip("10.1.0.254"));  // the last host address by default
}

TEST(PathMonitor, MeasuresRoundTripsCorrectedForTheControlChannel) {
  World w;
  for (auto* dp : w.all()) dp->sent.clear();
  w.tick();
  // 4 paths x 2 directions out of the uplinks, 4 calibrations through the table.
  std::size_t probes = 0, calibrations = 0;
  for (auto* dp : w.all())
    for (const auto& po : dp->sent_of<of::PacketOut>()) {
      const auto* out = std::get_if<of::Output>(&po.actions.at(0));
      ASSERT_TRUE(out);
      (out->port == of::port::kTable ? calibrations : probes)++;
    }
  EXPECT_EQ(probes, 8u);
  EXPECT_EQ(calibrations, 4u);
  w.deliver(fig1_one_way);
  EXPECT_NEAR(*w.monitor.rtt_ms("wlan1", "dc1"), 1.0, 1e-6);
  EXPECT_NEAR(*w.monitor.rtt_ms("wlan2", "dc1"), 50.0, 1e-6);
  ASSERT_EQ(w.measured.size(), 4u);

  // Smoothed: the far path gets 10 ms slower; one sample moves it by a quarter.
  w.clock.advance(std::chrono::seconds(1));
  w.tick();
  w.deliver([](const std::string& a, const std::string& b) { return fig1_one_way(a, b) + (fig1_one_way(a, b) > 1 ? 5 : 0); });
  EXPECT_NEAR(*w.monitor.rtt_ms("wlan2", "dc1"), 52.5, 1e-6);
  EXPECT_NEAR(*w.monitor.rtt_ms("wlan1", "dc1"), 1.0, 1e-6);
  EXPECT_EQ(w.measured.size(), 4u) << "2.5 ms on 50 is not a change worth an event";
}

TEST(PathMonitor, RefusesForgedRepeatedAndMisdeliveredProbesAndCountsLosses) {
  World w;
  for (auto* dp : w.all()) dp->sent.clear();
  w.tick();
  // A probe sent to dc2, readdressed to dc1 on the way.
  net::UdpEndpoints e{net::MacAddr{{2, 0, 0, 0, 0, 1}}, net::MacAddr{{2, 0, 0, 0, 0, 2}}, ip("10.10.1.254"),
                      ip("10.1.0.254"), 7359, 7359};
  std::vector<std::uint8_t> to_dc2;
  for (const auto& po : w.wlan1.sent_of<of::PacketOut>()) {
    const auto udp = net::parse_udp(*net::EthernetView::parse(po.data));
    if (udp->ip.dst == w.model.site_named("dc2")->probe_address) to_dc2.assign(udp->udp.payload.begin(), udp->udp.payload.end());
  }
  ASSERT_FALSE(to_dc2.empty());
  EXPECT_EQ(w.packet_in(w.dc1, net::build_udp_frame(e, to_dc2)), ctl::Disposition::kConsumed);
  EXPECT_EQ(w.monitor.rejected(), 1u);
  // The right probe at the right switch, but from a host's port rather than from the router.
  e.dst_ip = ip("10.2.0.254");
  EXPECT_EQ(w.packet_in(w.dc2, net::build_udp_frame(e, to_dc2), 2), ctl::Disposition::kConsumed);
  EXPECT_EQ(w.monitor.rejected(), 2u);
  EXPECT_EQ(w.packet_in(w.dc2, net::build_udp_frame(e, to_dc2), 1), ctl::Disposition::kConsumed);  // it still counts
  EXPECT_EQ(w.monitor.rejected(), 2u);
  e.dst_ip = ip("10.1.0.254");
  // A probe with a sequence number nobody sent.
  const std::vector<std::uint8_t> forged_payload = {'F', 'M', 'C', 'P', 'R', 'O', 'B', 'E', 0, 0, 0, 0, 0, 0, 0x99, 0x99};
  EXPECT_EQ(w.packet_in(w.dc1, net::build_udp_frame(e, forged_payload)), ctl::Disposition::kConsumed);
  EXPECT_EQ(w.monitor.rejected(), 3u);
  // Garbage to the probe port.
  EXPECT_EQ(w.packet_in(w.dc1, net::build_udp_frame(e, std::vector<std::uint8_t>{1, 2, 3})), ctl::Disposition::kConsumed);
  EXPECT_EQ(w.monitor.rejected(), 4u);
  // Nothing else is delivered: after three intervals every probe is lost.
  w.clock.advance(std::chrono::microseconds(3 * 500'000 + 1));
  w.tick();
  const auto paths = w.monitor.paths();
  std::uint64_t lost = 0;
  for (const auto& p : paths) lost += p.to_dc.lost + p.to_access.lost;
  EXPECT_EQ(lost, 7u);  // one of the eight came back
  EXPECT_FALSE(w.monitor.rtt_ms("wlan1", "dc2"));
  // Other traffic is not its business.
  e.dst_ip = ip("10.1.0.10");
  EXPECT_EQ(w.packet_in(w.dc1, net::build_udp_frame(e, forged_payload)), ctl::Disposition::kContinue);
}

TEST(PathMonitor, AnswersArpForTheProbeAddress) {
  World w;
  w.dc1.sent.clear();
  const auto router = *net::MacAddr::parse("02:fe:00:00:01:01");
  EXPECT_EQ(w.packet_in(w.dc1, net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(), router, ip("10.1.0.1"),
                                                    {}, ip("10.1.0.254"))),
            ctl::Disposition::kConsumed);
  const auto out = w.dc1.sent_of<of::PacketOut>();
  ASSERT_EQ(out.size(), 1u);
  const auto arp = net::ArpView::parse(net::EthernetView::parse(out[0].data)->payload);
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->sha, probe_mac(ip("10.1.0.254")));
  EXPECT_EQ(arp->spa, ip("10.1.0.254"));
  // Someone else's address: left to the ARP proxy.
  EXPECT_EQ(w.packet_in(w.dc1, net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(), router, ip("10.1.0.1"),
                                                    {}, ip("10.1.0.10"))),
            ctl::Disposition::kContinue);
}

TEST(PathMonitor, UplinkLoadFromPortStatistics) {
  World w;
  w.tick();
  const auto requests = w.dc1.sent_of<of::PortStatsRequest>();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].port_no, of::PortNo{1});
  of::PortStatsReply reply;
  reply.stats.push_back(of::PortStats{of::PortNo{1}, 0, 0, 1000, 2000});
  w.monitor.on_port_stats(w.dc1.dpid(), reply);
  EXPECT_FALSE(w.monitor.uplink_load("dc1"));  // one sample is not a rate
  w.clock.advance(std::chrono::seconds(2));
  reply.stats[0].rx_bytes += 2'500'000;  // 10 Mbit/s over 2 s
  reply.stats[0].tx_bytes += 250'000;
  w.monitor.on_port_stats(w.dc1.dpid(), reply);
  ASSERT_TRUE(w.monitor.uplink_load("dc1"));
  EXPECT_NEAR(w.monitor.uplink_load("dc1")->rx_mbps, 10, 1e-9);
  EXPECT_NEAR(w.monitor.uplink_load("dc1")->tx_mbps, 1, 1e-9);
}

}  // namespace

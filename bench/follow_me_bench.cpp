// The Follow-Me Cloud apps' PACKET_IN path, as the controller drives it:
// FollowMe built from config/fig1.yaml, vm1's switch connected, and the
// packet-ins that reach the controller at steady state (vm1 asking ARP for
// its gateway: answered by the ARP proxy; an IPv4 packet of vm1 at home:
// seen by the Mobility Detector, no move). Written against FollowMe's
// public interface only, so the same file measures any revision.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

#include "controller/datapath.hpp"
#include "controller/log.hpp"
#include "fmc/follow_me.hpp"
#if __has_include("fmc/model/config_yaml.hpp")
#include "fmc/model/config_yaml.hpp"
#else
#include "fmc/config_yaml.hpp"
#endif
#include "net/arp.hpp"
#include "net/udp.hpp"
#include "openflow/codec.hpp"

using namespace fmc;

namespace {

// A switch that encodes what it is sent (the cost a real session pays) and keeps nothing.
class EncodingDatapath final : public ctl::Datapath {
 public:
  explicit EncodingDatapath(std::uint64_t dpid) : dpid_{dpid} {}
  of::Dpid dpid() const override { return dpid_; }
  of::Version version() const override { return of::Version::V13; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  std::size_t sent = 0;
  of::Xid send(const of::Message& msg) override {
    ++sent;
    out_.clear();
    (void)of::encode(msg, of::Version::V13, of::Xid{1}, out_);
    return of::Xid{1};
  }
  void barrier(ctl::BarrierCallback done) override { done({}); }

 private:
  of::Dpid dpid_;
  std::vector<of::Port> ports_;
  std::vector<std::uint8_t> out_;
};

struct Rig {
  std::string db = (std::filesystem::temp_directory_path() / ("fmc-bench-" + std::to_string(::getpid()) + ".db")).string();
  std::unique_ptr<FollowMe> fm;
  ctl::AppList apps;
  EncodingDatapath dc1{0xd1};

  Rig() {
    log::threshold() = log::Level::kWarn;
    auto model = model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
    auto created = FollowMe::create(std::move(*model), db);
    fm = std::move(*created);
    fm->run_on([](std::function<void()> fn) { fn(); });
    apps = fm->apps();
    for (auto& a : apps) a->on_switch_up(dc1);
  }
  ~Rig() {
    fm->run_on(nullptr);
    fm->flush_store();
    fm.reset();
    std::filesystem::remove(db);
  }
  void packet_in(const of::PacketIn& pi) {
    for (auto& a : apps)
      if (a->on_packet_in(dc1, pi) == ctl::Disposition::kConsumed) return;
  }
};

// A PACKET_IN from vm1's port; it views `frame`, which must outlive it.
of::PacketIn from_vm1(const std::vector<std::uint8_t>& frame) {
  of::PacketIn pi;
  pi.in_port = of::PortNo{2};
  pi.match.in_port = of::PortNo{2};
  pi.total_len = static_cast<std::uint16_t>(frame.size());
  pi.data = frame;
  return pi;
}

const auto kVm1Mac = *net::MacAddr::parse("02:00:00:01:00:10");
const auto kVm1Ip = *net::Ipv4Addr::parse("10.1.0.10");
const auto kGatewayMac = *net::MacAddr::parse("02:fe:00:00:01:01");
const auto kGatewayIp = *net::Ipv4Addr::parse("10.1.0.1");

void BM_FollowMeArpForGateway(benchmark::State& state) {
  Rig rig;
  const auto frame = net::build_arp_frame(1, net::MacAddr::broadcast(), kVm1Mac, kVm1Ip, net::MacAddr{}, kGatewayIp);
  const auto pi = from_vm1(frame);
  const std::size_t before = rig.dc1.sent;
  for (auto _ : state) rig.packet_in(pi);
  // Each request answered: one PACKET_OUT (checked, so a refused packet cannot pass for a fast one).
  state.counters["replies_per_packet"] = static_cast<double>(rig.dc1.sent - before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FollowMeArpForGateway);

void BM_FollowMeVmTrafficAtHome(benchmark::State& state) {
  Rig rig;
  const std::uint8_t payload[16] = {};
  const auto frame = net::build_udp_frame(
      net::UdpEndpoints{kVm1Mac, kGatewayMac, kVm1Ip, *net::Ipv4Addr::parse("10.10.1.100"), 40000, 5001}, Bytes(payload));
  const auto pi = from_vm1(frame);
  const std::size_t before = rig.dc1.sent;
  for (auto _ : state) rig.packet_in(pi);
  state.counters["sent_per_packet"] = static_cast<double>(rig.dc1.sent - before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FollowMeVmTrafficAtHome);

}  // namespace

BENCHMARK_MAIN();

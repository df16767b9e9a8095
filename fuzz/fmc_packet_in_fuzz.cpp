// libFuzzer target for the Follow-Me Cloud packet-in path: the Mobility
// Detector, the DHCP service (serve and relay mode), the ARP proxy and the
// Packet Manipulator, on the Fig. 1 network with fake switches.
// Input: byte 0 picks mode, switch and port; if byte 1 is odd the rest is a
// DHCP payload sent as a client's UDP datagram (so DHCP seeds reach the
// service), else the rest is the raw frame.
#include <cstdint>
#include <memory>

#include "fmc/model/config_yaml.hpp"
#include "fmc/dispatch.hpp"
#include "fmc/mobility/migrations_in_flight.hpp"
#include "net/udp.hpp"

using namespace fmc;

namespace {

class NullDatapath : public ctl::Datapath {
 public:
  explicit NullDatapath(std::uint64_t dpid) : dpid_{dpid} {}
  of::Dpid dpid() const override { return dpid_; }
  of::Version version() const override { return of::Version::V13; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  of::Xid send(const of::Message&) override { return of::Xid{++sent_}; }
  void barrier(ctl::BarrierCallback done) override { done(ctl::BarrierOutcome{}); }

 private:
  of::Dpid dpid_;
  std::vector<of::Port> ports_;
  std::uint32_t sent_ = 0;
};

// The apps as the controller wires them: one Dispatcher, the queued bus, the executor.
struct World {
  model::NetworkModel model;
  ctl::EffectExecutor executor;
  EventBus bus{&executor};
  ManualClock clock;
  LocationManager locations{model, bus, nullptr, clock};
  MigrationsInFlight migrations;
  MobilityDetector detector{model, locations, bus, migrations, clock};
  dhcp::DhcpService dhcp{model, locations, bus,
                         [this](std::vector<dhcp::LeaseChange>, dhcp::DhcpService::Stored stored) {
                           if (stored) bus.handle(stored);
                         },
                         clock};
  ArpProxy arp{model, locations, bus};
  PacketManipulator manipulator{model, locations, bus, clock};
  PathMonitor paths{model, bus, clock};
  PacketInCensus census;
  Dispatcher dispatcher{FollowMeApps{model, bus, executor, census, detector, manipulator, arp, dhcp, paths}};
  NullDatapath switches[4] = {NullDatapath{0xd1}, NullDatapath{0xd2}, NullDatapath{0xa1}, NullDatapath{0xa2}};

  explicit World(const char* config) : model(*model::load_network_yaml(config)) {
    for (auto& dp : switches) dispatcher.on_switch_up(dp);
  }
  void packet_in(std::size_t sw, std::uint32_t port, Bytes frame) {
    of::PacketIn pi;
    pi.in_port = of::PortNo{port};
    pi.data = frame;
    dispatcher.on_packet_in(switches[sw], pi);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World serve(FMC_SOURCE_DIR "/config/fig1.yaml");
  static World relay(FMC_SOURCE_DIR "/tests/integration/dhcp_relay.yaml");
  if (size < 2) return 0;
  World& w = (data[0] & 0x80) ? relay : serve;
  const std::size_t sw = (data[0] >> 3) & 3;
  const std::uint32_t port = data[0] & 7;
  const Bytes rest(data + 2, size - 2);
  if (data[1] & 1) {
    const auto frame = net::build_udp_frame({net::MacAddr::from_u64(0x020000000000ull | data[1]), net::MacAddr::broadcast(), {},
                                             net::Ipv4Addr{0xffffffff}, net::kDhcpClientPort, net::kDhcpServerPort},
                                            rest);
    w.packet_in(sw, port, frame);
  } else {
    w.packet_in(sw, port, rest);
  }
  return 0;
}

// A PACKET_IN is classified once, and the census counts the kinds.
#include "fmc/packet/packet_in_census.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"
#include "net/udp.hpp"

using namespace fmc;

namespace {

std::vector<std::uint8_t> udp_to(const char* ip, std::uint16_t port) {
  const net::UdpEndpoints e{*net::MacAddr::parse("02:00:00:00:00:01"), *net::MacAddr::parse("02:00:00:00:00:02"),
                            *net::Ipv4Addr::parse("10.0.0.1"), *net::Ipv4Addr::parse(ip), 40000, port};
  const std::uint8_t payload[4] = {1, 2, 3, 4};
  return net::build_udp_frame(e, payload);
}

}  // namespace

TEST(PacketInCensus, PathProbesToThisSitesProbeAddressAreCountedApartFromTraffic) {
  const auto model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  const model::Site& dc1 = *model.site_named("dc1");
  const std::string probe = dc1.probe_address.to_string();
  const auto port = model.path_monitor.udp_port;
  PacketInCensus census;
  const std::vector<std::vector<std::uint8_t>> frames = {udp_to(probe.c_str(), port), udp_to(probe.c_str(), port),
                                                         udp_to("10.1.0.10", port),  // the probe port, not to us
                                                         udp_to("10.1.0.10", 5000), udp_to("255.255.255.255", 67),
                                                         {0, 1, 2}};
  for (const auto& frame : frames) {
    of::PacketIn pi;
    pi.in_port = of::PortNo{1};
    pi.data = frame;
    census.count(classify(model, of::Dpid{0xd1}, pi).kind);
  }
  EXPECT_EQ(census.probe, 2u);
  EXPECT_EQ(census.ipv4, 2u);
  EXPECT_EQ(census.dhcp, 1u);
  EXPECT_EQ(census.malformed, 1u);
}

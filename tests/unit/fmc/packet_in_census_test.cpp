#include "fmc/packet_in_census.hpp"

#include <gtest/gtest.h>

#include "support/fake_datapath.hpp"

using namespace fmc;

namespace {

std::vector<std::uint8_t> udp_to(std::uint16_t port) {
  const net::UdpEndpoints e{*net::MacAddr::parse("02:00:00:00:00:01"), *net::MacAddr::parse("02:00:00:00:00:02"),
                            *net::Ipv4Addr::parse("10.0.0.1"), *net::Ipv4Addr::parse("10.0.0.2"), 40000, port};
  const std::uint8_t payload[4] = {1, 2, 3, 4};
  return net::build_udp_frame(e, payload);
}

}  // namespace

TEST(PacketInCensus, PathProbesAreCountedApartFromTraffic) {
  PacketInCensus census;
  census.probe_port = 7359;
  test_support::FakeDatapath dp{of::Version::V13, of::Dpid{1}};
  for (std::uint16_t port : {7359, 7359, 5000, 67}) {
    const auto frame = udp_to(port);
    of::PacketIn pi;
    pi.data = frame;
    EXPECT_EQ(census.on_packet_in(dp, pi), ctl::Disposition::kContinue);
  }
  const std::uint8_t runt[3] = {0, 1, 2};
  of::PacketIn bad;
  bad.data = runt;
  census.on_packet_in(dp, bad);
  EXPECT_EQ(census.probe, 2u);
  EXPECT_EQ(census.ipv4, 1u);
  EXPECT_EQ(census.dhcp, 1u);
  EXPECT_EQ(census.malformed, 1u);
}

#include "link_emulator.hpp"

#include <gtest/gtest.h>

#include "net/ethernet.hpp"

using namespace fmc;
using namespace fmc::linkem;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> ip_frame(const char* src, const char* dst, std::size_t size = 100) {
  std::vector<std::uint8_t> ip(size - 14, 0);
  ip[0] = 0x45;
  ip[2] = static_cast<std::uint8_t>(ip.size() >> 8);
  ip[3] = static_cast<std::uint8_t>(ip.size());
  ip[9] = 1;
  const auto s = net::Ipv4Addr::parse(src)->value, d = net::Ipv4Addr::parse(dst)->value;
  for (int i = 0; i < 4; ++i) {
    ip[12 + i] = static_cast<std::uint8_t>(s >> (24 - 8 * i));
    ip[16 + i] = static_cast<std::uint8_t>(d >> (24 - 8 * i));
  }
  return net::build_ethernet(net::MacAddr::broadcast(), net::MacAddr{}, net::ethertype::kIpv4, ip);
}

LinkConfig wan() {
  LinkConfig c;
  c.rules.push_back(DelayRule{*net::Ipv4Prefix::parse("10.2.0.0/24"), 25ms});
  c.rules.push_back(DelayRule{*net::Ipv4Prefix::parse("10.1.0.0/24"), 500us});
  c.default_delay = 1ms;
  return c;
}

}  // namespace

TEST(LinkEmulator, DelayDependsOnTheFarEndsPrefix) {
  LinkEmulator link(wan());
  EXPECT_EQ(link.delay_for(ip_frame("10.10.1.100", "10.2.0.10")), 25ms);
  EXPECT_EQ(link.delay_for(ip_frame("10.2.0.10", "10.10.1.100")), 25ms);
  EXPECT_EQ(link.delay_for(ip_frame("10.10.1.100", "10.1.0.10")), 500us);
  const auto arp = net::build_ethernet(net::MacAddr::broadcast(), net::MacAddr{}, net::ethertype::kArp, std::vector<std::uint8_t>(28));
  EXPECT_EQ(link.delay_for(arp), 1ms);
}

TEST(LinkEmulator, LongestPrefixWinsForOverlappingRanges) {
  LinkConfig c;
  c.rules.push_back(DelayRule{*net::Ipv4Prefix::parse("10.1.0.0/24"), 500us});
  c.rules.push_back(DelayRule{*net::Ipv4Prefix::parse("10.1.0.128/25"), 25ms});
  LinkEmulator link(c);
  EXPECT_EQ(link.delay_for(ip_frame("10.10.1.100", "10.1.0.150")), 25ms);
  EXPECT_EQ(link.delay_for(ip_frame("10.10.1.100", "10.1.0.10")), 500us);
}

TEST(LinkEmulator, HoldsFramesUntilTheirReleaseAndCrossesSides) {
  LinkEmulator link(wan());
  const auto t0 = Clock::now();
  link.receive(Side::kA, ip_frame("10.10.1.100", "10.2.0.10"), t0);
  link.receive(Side::kB, ip_frame("10.1.0.10", "10.10.1.100"), t0);
  EXPECT_TRUE(link.due(t0).empty());
  auto first = link.due(t0 + 1ms);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].to, Side::kA);
  EXPECT_TRUE(link.due(t0 + 24ms).empty());
  auto second = link.due(t0 + 25ms);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].to, Side::kB);
  EXPECT_FALSE(link.next_release());
}

TEST(LinkEmulator, RateLimitSerialisesFrames) {
  LinkConfig c;
  c.rate_bps = 8'000'000;  // 1 byte per microsecond
  LinkEmulator link(c);
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) link.receive(Side::kA, ip_frame("10.0.0.1", "10.0.0.2", 1000), t0);
  EXPECT_EQ(link.due(t0 + 999us).size(), 0u);
  EXPECT_EQ(link.due(t0 + 1000us).size(), 1u);
  EXPECT_EQ(link.due(t0 + 3000us).size(), 2u);
}

TEST(LinkEmulator, LossDropsAboutTheConfiguredShare) {
  LinkConfig c;
  c.loss = 0.25;
  LinkEmulator link(c, 42);
  const auto t0 = Clock::now();
  for (int i = 0; i < 4000; ++i) link.receive(Side::kA, ip_frame("10.0.0.1", "10.0.0.2"), t0);
  EXPECT_GT(link.dropped(), 800u);
  EXPECT_LT(link.dropped(), 1200u);
  EXPECT_EQ(link.due(t0).size() + link.dropped(), 4000u);
}

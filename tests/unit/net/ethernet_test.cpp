#include "net/ethernet.hpp"

#include <gtest/gtest.h>

using namespace fmc::net;

TEST(Ethernet, BuildThenParse) {
  const auto dst = *MacAddr::parse("ff:ff:ff:ff:ff:ff");
  const auto src = *MacAddr::parse("02:00:00:00:00:01");
  const std::uint8_t payload[] = {1, 2, 3};
  const auto frame = build_ethernet(dst, src, ethertype::kArp, payload);
  ASSERT_EQ(frame.size(), 17u);
  auto v = EthernetView::parse(frame);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->dst, dst);
  EXPECT_EQ(v->src, src);
  EXPECT_EQ(v->ethertype, ethertype::kArp);
  EXPECT_FALSE(v->vlan_tci);
  ASSERT_EQ(v->payload.size(), 3u);
  EXPECT_EQ(v->payload[2], 3);
}

TEST(Ethernet, ParsesVlanTag) {
  const std::vector<std::uint8_t> frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x20, 0x0a, 0x08, 0x00, 0x45};
  auto v = EthernetView::parse(frame);
  ASSERT_TRUE(v);
  ASSERT_TRUE(v->vlan_tci);
  EXPECT_EQ(*v->vlan_tci, 0x200a);
  EXPECT_EQ(v->ethertype, ethertype::kIpv4);
  EXPECT_EQ(v->payload.size(), 1u);
}

TEST(Ethernet, RejectsTruncatedHeaders) {
  const std::vector<std::uint8_t> frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x20, 0x0a, 0x08};
  for (std::size_t n = 0; n <= frame.size(); ++n)
    EXPECT_FALSE(EthernetView::parse(fmc::Bytes(frame.data(), n))) << n;
}

#include "net/udp.hpp"

#include <gtest/gtest.h>

#include "net/ethernet.hpp"
#include "net/ipv4.hpp"

using namespace fmc::net;

TEST(InternetChecksum, Rfc1071Example) {
  // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is 220d.
  const std::uint8_t words[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(words), 0x220d);
}

TEST(Udp, FrameParsesBackAndChecksumsVerify) {
  const std::uint8_t payload[] = {'h', 'e', 'l', 'l', 'o'};
  const UdpEndpoints e{*MacAddr::parse("02:00:00:00:00:01"), *MacAddr::parse("02:00:00:00:00:02"),
                       *Ipv4Addr::parse("10.10.1.1"), *Ipv4Addr::parse("10.10.1.100"), 67, 68};
  const auto frame = build_udp_frame(e, payload);
  auto eth = EthernetView::parse(frame);
  ASSERT_TRUE(eth);
  EXPECT_EQ(eth->dst, e.dst_mac);
  auto ip = Ipv4View::parse(eth->payload);
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->protocol, ip_proto::kUdp);
  EXPECT_EQ(ip->dst, e.dst_ip);
  // A correct header sums to zero (RFC 1071); so does UDP with its pseudo-header.
  EXPECT_EQ(internet_checksum(eth->payload.first(20)), 0);
  const auto udp_bytes = ip->payload;
  const std::uint32_t pseudo = (e.src_ip.value >> 16) + (e.src_ip.value & 0xffff) + (e.dst_ip.value >> 16) +
                               (e.dst_ip.value & 0xffff) + ip_proto::kUdp + static_cast<std::uint32_t>(udp_bytes.size());
  EXPECT_EQ(internet_checksum(udp_bytes, pseudo), 0);
  auto udp = UdpView::parse(udp_bytes);
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->src_port, 67);
  EXPECT_EQ(udp->dst_port, 68);
  EXPECT_EQ(std::string(udp->payload.begin(), udp->payload.end()), "hello");
}

TEST(Udp, RejectsBadLengths) {
  std::vector<std::uint8_t> d = {0, 67, 0, 68, 0, 20, 0, 0, 1, 2};  // claims 20 bytes, has 10
  EXPECT_FALSE(UdpView::parse(d));
  d[5] = 4;  // below the header
  EXPECT_FALSE(UdpView::parse(d));
  d[5] = 10;
  ASSERT_TRUE(UdpView::parse(d));
  EXPECT_EQ(UdpView::parse(d)->payload.size(), 2u);
  EXPECT_FALSE(UdpView::parse(fmc::Bytes(d.data(), 7)));
}

#include <gtest/gtest.h>

#include "net/arp.hpp"
#include "net/ethernet.hpp"
#include "net/ipv4.hpp"

using namespace fmc::net;

TEST(Arp, RequestRoundTripAndReply) {
  const auto asker = *MacAddr::parse("02:00:00:00:00:01");
  const auto frame = build_arp_frame(arp_op::kRequest, MacAddr::broadcast(), asker, *Ipv4Addr::parse("10.1.0.10"),
                                     MacAddr{}, *Ipv4Addr::parse("10.1.0.1"));
  EXPECT_EQ(frame.size(), 60u);
  auto eth = EthernetView::parse(frame);
  ASSERT_TRUE(eth);
  EXPECT_EQ(eth->ethertype, ethertype::kArp);
  auto req = ArpView::parse(eth->payload);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->op, arp_op::kRequest);
  EXPECT_EQ(req->tpa.to_string(), "10.1.0.1");
  EXPECT_FALSE(req->is_gratuitous());

  const auto gw = *MacAddr::parse("02:fe:00:00:00:01");
  const auto reply_frame = build_arp_reply(*req, gw);  // views point into it: keep it alive
  auto reply_eth = EthernetView::parse(reply_frame);
  ASSERT_TRUE(reply_eth);
  EXPECT_EQ(reply_eth->dst, asker);
  EXPECT_EQ(reply_eth->src, gw);
  auto reply = ArpView::parse(reply_eth->payload);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->op, arp_op::kReply);
  EXPECT_EQ(reply->sha, gw);
  EXPECT_EQ(reply->spa.to_string(), "10.1.0.1");
  EXPECT_EQ(reply->tha, asker);
  EXPECT_EQ(reply->tpa.to_string(), "10.1.0.10");
}

TEST(Arp, AnAnnouncementIsByteExactAndPaddedWithZerosToTheMinimumFrame) {
  const auto frame = build_gratuitous_arp(*MacAddr::parse("02:00:00:00:00:0a"), *Ipv4Addr::parse("10.1.0.10"));
  const std::vector<std::uint8_t> expected = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x06,  // Ethernet, ARP
      0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,                                              // Ethernet/IPv4, request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 10, 1, 0, 10,                                      // sender
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 1, 0, 10,                                      // target: itself
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};                                 // padding
  EXPECT_EQ(frame, expected);
}

TEST(Arp, RejectsOtherHardwareAndTruncation) {
  auto frame = build_arp_frame(arp_op::kReply, MacAddr::broadcast(), MacAddr{}, Ipv4Addr{1}, MacAddr{}, Ipv4Addr{1});
  auto payload = std::vector<std::uint8_t>(frame.begin() + 14, frame.begin() + 42);
  EXPECT_TRUE(ArpView::parse(payload));
  for (std::size_t n = 0; n < payload.size(); ++n) EXPECT_FALSE(ArpView::parse(fmc::Bytes(payload.data(), n)));
  payload[1] = 6;  // htype 6 (IEEE 802)
  EXPECT_FALSE(ArpView::parse(payload));
}

TEST(Ipv4, ParsesHeaderAndBoundsPayloadByTotalLength) {
  std::vector<std::uint8_t> pkt = {0x45, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 2, 3, 4, 9, 9};
  auto v = Ipv4View::parse(pkt);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->protocol, ip_proto::kUdp);
  EXPECT_EQ(v->src.to_string(), "10.0.0.1");
  EXPECT_EQ(v->payload.size(), 4u);  // trailing Ethernet padding excluded
  pkt[3] = 200;                      // total length beyond the packet
  EXPECT_FALSE(Ipv4View::parse(pkt));
  pkt[3] = 24;
  pkt[0] = 0x44;  // IHL 4 words < 20 bytes
  EXPECT_FALSE(Ipv4View::parse(pkt));
}

TEST(Ipv4Prefix, ParsesContainsAndOverlaps) {
  auto p = Ipv4Prefix::parse("10.1.0.0/24");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->contains(*Ipv4Addr::parse("10.1.0.77")));
  EXPECT_FALSE(p->contains(*Ipv4Addr::parse("10.1.1.1")));
  EXPECT_TRUE(p->overlaps(*Ipv4Prefix::parse("10.0.0.0/8")));
  EXPECT_FALSE(p->overlaps(*Ipv4Prefix::parse("10.2.0.0/24")));
  for (const char* bad : {"10.1.0.0", "10.1.0.1/24", "10.1.0.0/33", "10.1.0.0/", "x/24", "10.1.0.0/2a"})
    EXPECT_FALSE(Ipv4Prefix::parse(bad)) << bad;
}

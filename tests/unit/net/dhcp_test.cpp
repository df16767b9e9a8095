#include "net/dhcp.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace fmc::net;

namespace {

DhcpMessage discover() {
  DhcpMessage m;
  m.op = 1;
  m.xid = 0x3903f326;
  m.flags = 0x8000;
  m.chaddr = *MacAddr::parse("02:00:00:0a:00:64");
  m.message_type = dhcp_type::kDiscover;
  m.requested_ip = Ipv4Addr::parse("10.10.1.100");
  m.parameter_list = {dhcp_option::kSubnetMask, dhcp_option::kRouter, dhcp_option::kDns};
  m.client_id = {1, 2, 0, 0, 0x0a, 0, 0x64};
  m.host_name = "client1";
  return m;
}

// Index of the first option byte (after the fixed header and the magic cookie).
constexpr std::size_t kOptions = 240;

}  // namespace

TEST(Dhcp, BuildThenParseKeepsEveryField) {
  DhcpMessage offer;
  offer.op = 2;
  offer.xid = 7;
  offer.yiaddr = *Ipv4Addr::parse("10.10.1.100");
  offer.giaddr = *Ipv4Addr::parse("10.10.1.1");
  offer.chaddr = *MacAddr::parse("02:00:00:0a:00:64");
  offer.message_type = dhcp_type::kOffer;
  offer.server_id = Ipv4Addr::parse("10.10.1.1");
  offer.lease_time = 3600;
  offer.renewal_time = 1800;
  offer.rebinding_time = 3150;
  offer.subnet_mask = Ipv4Addr::parse("255.255.255.0");
  offer.routers = {*Ipv4Addr::parse("10.10.1.1")};
  offer.dns_servers = {*Ipv4Addr::parse("10.10.1.1"), *Ipv4Addr::parse("10.10.1.2")};
  offer.domain_name = "fmc.test";
  offer.relay_agent = RelayAgentInfo{"s-wlan1:2", "wlan1"};
  offer.other_options[66] = {'t', 'f', 't', 'p'};
  const auto bytes = build_dhcp(offer);
  EXPECT_GE(bytes.size(), 300u);
  auto back = parse_dhcp(bytes);
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(*back, offer);

  auto d = parse_dhcp(build_dhcp(discover()));
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, discover());
  EXPECT_TRUE(d->broadcast());
}

TEST(Dhcp, WireLayoutFollowsRfc2131) {
  const auto bytes = build_dhcp(discover());
  EXPECT_EQ(bytes[0], 1);  // op
  EXPECT_EQ(bytes[1], 1);  // htype Ethernet
  EXPECT_EQ(bytes[2], 6);  // hlen
  EXPECT_EQ(bytes[4], 0x39);
  EXPECT_EQ(bytes[10], 0x80);  // broadcast flag
  EXPECT_EQ(bytes[28], 0x02);  // chaddr
  EXPECT_EQ(bytes[33], 0x64);
  EXPECT_EQ((std::vector<std::uint8_t>(bytes.begin() + 236, bytes.begin() + 240)), (std::vector<std::uint8_t>{99, 130, 83, 99}));
  EXPECT_EQ(bytes[kOptions], dhcp_option::kMessageType);
  EXPECT_EQ(bytes[kOptions + 1], 1);
  EXPECT_EQ(bytes[kOptions + 2], dhcp_type::kDiscover);
}

TEST(Dhcp, RefusesMalformedMessagesWithAReason) {
  const auto good = build_dhcp(discover());
  auto reason = [](std::vector<std::uint8_t> b) {
    auto r = parse_dhcp(b);
    return r ? std::string("accepted") : std::string(r.error().reason);
  };
  auto b = good;
  b[236] = 0;  // magic cookie
  EXPECT_EQ(reason(b), "no DHCP magic cookie");
  b = good;
  b[2] = 16;  // hlen
  EXPECT_NE(reason(b).find("hardware type"), std::string::npos);
  b = good;
  b[0] = 7;
  EXPECT_NE(reason(b).find("op"), std::string::npos);
  EXPECT_NE(reason(std::vector<std::uint8_t>(good.begin(), good.begin() + 100)).find("shorter"), std::string::npos);
  b = std::vector<std::uint8_t>(good.begin(), good.begin() + kOptions);
  b.insert(b.end(), {dhcp_option::kHostName, 40, 'a', 'b'});  // overruns
  EXPECT_EQ(reason(b), "option overruns the message");
  b = std::vector<std::uint8_t>(good.begin(), good.begin() + kOptions);
  b.insert(b.end(), {dhcp_option::kHostName, 0, dhcp_option::kEnd});
  EXPECT_EQ(reason(b), "zero-length option");
  b = std::vector<std::uint8_t>(good.begin(), good.begin() + kOptions);
  b.insert(b.end(), {dhcp_option::kMessageType, 1, 9, dhcp_option::kEnd});  // no type 9
  EXPECT_EQ(reason(b), "option has an invalid length or value");
  b = std::vector<std::uint8_t>(good.begin(), good.begin() + kOptions);
  b.insert(b.end(), {dhcp_option::kLeaseTime, 3, 0, 0, 1, dhcp_option::kEnd});
  EXPECT_EQ(reason(b), "option has an invalid length or value");
  b = std::vector<std::uint8_t>(good.begin(), good.begin() + kOptions);
  b.insert(b.end(), {dhcp_option::kMessageType, 1, 1});  // no END
  EXPECT_EQ(reason(b), "options are not terminated by END");
  b = std::vector<std::uint8_t>(good.begin(), good.begin() + kOptions);
  b.insert(b.end(), {dhcp_option::kRelayAgent, 4, 1, 9, 'x', 'y', dhcp_option::kEnd});  // sub-option overruns
  EXPECT_EQ(reason(b), "option has an invalid length or value");
}

TEST(Dhcp, RelayAgentOptionWithoutIdsIsNotRebuiltEmpty) {
  // Found by the fuzzer: option 82 holding only an empty circuit-id.
  auto b = build_dhcp(discover());
  b.resize(kOptions);
  b.insert(b.end(), {dhcp_option::kRelayAgent, 2, 1, 0, dhcp_option::kEnd});
  auto m = parse_dhcp(b);
  ASSERT_TRUE(m);
  EXPECT_TRUE(parse_dhcp(build_dhcp(*m)));
}

TEST(Dhcp, RandomBytesNeverCrash) {
  std::mt19937 rng(67);
  const auto good = build_dhcp(discover());
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    auto b = good;
    for (int k = 0; k < 8; ++k) b[kOptions + rng() % (b.size() - kOptions)] = static_cast<std::uint8_t>(rng());
    b.resize(kOptions + rng() % (b.size() - kOptions + 1));
    if (auto r = parse_dhcp(b)) {
      ++accepted;
      EXPECT_TRUE(parse_dhcp(build_dhcp(*r)));  // what parses, rebuilds
    }
  }
  EXPECT_GT(accepted, 0);
}

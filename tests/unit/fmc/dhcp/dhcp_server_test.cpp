// The DHCP server, lease table, abuse guard and relay agent logic, driven by
// an in-process DHCP client so that scenarios read like RFC 2131.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "fmc/model/config_yaml.hpp"
#include "fmc/dhcp/dhcp_guard.hpp"
#include "fmc/dhcp/dhcp_server.hpp"
#include "fmc/dhcp/relay_agent.hpp"

using namespace fmc;
using namespace fmc::dhcp;
namespace t = net::dhcp_type;

namespace {

net::Ipv4Addr ip(const char* s) { return *net::Ipv4Addr::parse(s); }
net::MacAddr mac(const char* s) { return *net::MacAddr::parse(s); }

model::NetworkModel fig1(const std::string& extra_access = "", const std::string& dhcp = "") {
  const std::string yaml = R"(
switches:
  - {name: s-dc1, dpid: 0xd1, ports: {uplink: 1}}
  - {name: s-wlan1, dpid: 0xa1, ports: {uplink: 1}}
  - {name: s-wlan2, dpid: 0xa2, ports: {uplink: 1}}
  - {name: s-big, dpid: 0xb1, ports: {uplink: 1}}
data_centers:
  - {name: dc1, switch: s-dc1, uplink_port: uplink, subnet: 10.1.0.0/24, gateway: {ip: 10.1.0.1, mac: "02:fe:00:00:01:01"}}
access_networks:
  - name: wlan1
    switch: s-wlan1
    uplink_port: uplink
    subnet: 10.10.1.0/24
    gateway: {ip: 10.10.1.1, mac: "02:fe:00:00:0a:01"}
    dhcp_pool: {first: 10.10.1.100, last: 10.10.1.103}
    dhcp_reservations: [{mac: "02:00:00:00:00:aa", ip: 10.10.1.50}]
  - name: wlan2
    switch: s-wlan2
    uplink_port: uplink
    subnet: 10.10.2.0/24
    gateway: {ip: 10.10.2.1, mac: "02:fe:00:00:0a:02"}
    dhcp_pool: {first: 10.10.2.100, last: 10.10.2.199}
)" + extra_access + R"(
router: {name: r1}
)" + dhcp;
  auto m = model::parse_network_yaml(yaml, "test.yaml");
  EXPECT_TRUE(m) << (m ? "" : m.error().to_string());
  return *m;
}

// A DHCP client as RFC 2131 §4.4 describes it, talking to the server in-process.
struct Client {
  DhcpServer& server;
  const model::NetworkModel& model;
  net::MacAddr hw;
  std::int64_t now = 1000;
  std::uint32_t xid = 1;
  std::vector<LeaseChange> stored;

  Decision send(net::DhcpMessage m, const char* network) {
    m.op = 1;
    m.xid = xid++;
    m.chaddr = hw;
    Decision d = server.handle(m, *model.site_named(network), now);
    stored.insert(stored.end(), d.changes.begin(), d.changes.end());
    return d;
  }
  Decision discover(const char* network, std::optional<net::Ipv4Addr> want = std::nullopt) {
    net::DhcpMessage m;
    m.message_type = t::kDiscover;
    m.requested_ip = want;
    m.parameter_list = {1, 3, 6, 15, 28, 51, 58, 59};
    return send(m, network);
  }
  Decision select(const net::DhcpMessage& offer, const char* network) {
    net::DhcpMessage m;
    m.message_type = t::kRequest;
    m.server_id = offer.server_id;
    m.requested_ip = offer.yiaddr;
    return send(m, network);
  }
  Decision init_reboot(net::Ipv4Addr addr, const char* network) {
    net::DhcpMessage m;
    m.message_type = t::kRequest;
    m.requested_ip = addr;
    return send(m, network);
  }
  Decision renew(net::Ipv4Addr addr, const char* network) {
    net::DhcpMessage m;
    m.message_type = t::kRequest;
    m.ciaddr = addr;
    return send(m, network);
  }
  Decision simple(std::uint8_t type, net::Ipv4Addr ciaddr, std::optional<net::Ipv4Addr> requested, const char* network) {
    net::DhcpMessage m;
    m.message_type = type;
    m.ciaddr = ciaddr;
    m.requested_ip = requested;
    return send(m, network);
  }
  // DISCOVER, OFFER, REQUEST, ACK: the address bound, or nullopt.
  std::optional<net::Ipv4Addr> dora(const char* network) {
    auto offer = discover(network);
    if (!offer.reply || offer.reply->message_type != t::kOffer) return std::nullopt;
    auto ack = select(*offer.reply, network);
    if (!ack.reply || ack.reply->message_type != t::kAck) return std::nullopt;
    return ack.bound;
  }
};

}  // namespace

TEST(DhcpServer, DoraGivesAnAddressFromThePoolWithTheRequestedOptions) {
  auto model = fig1("", "dhcp: {lease_time: 600, dns: [10.1.0.53], domain: fmc.test}\n");
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:0a:00:01")};
  auto offer = c.discover("wlan1");
  ASSERT_TRUE(offer.reply);
  const auto& o = *offer.reply;
  EXPECT_EQ(o.message_type, t::kOffer);
  EXPECT_EQ(o.op, 2);
  EXPECT_EQ(o.yiaddr, ip("10.10.1.100"));
  EXPECT_EQ(o.server_id, ip("10.10.1.1"));
  EXPECT_EQ(o.lease_time, 600u);
  EXPECT_EQ(o.renewal_time, 300u);
  EXPECT_EQ(o.rebinding_time, 525u);
  EXPECT_EQ(o.subnet_mask, ip("255.255.255.0"));
  EXPECT_EQ(o.routers, std::vector{ip("10.10.1.1")});
  EXPECT_EQ(o.dns_servers, std::vector{ip("10.1.0.53")});
  EXPECT_EQ(o.domain_name, "fmc.test");
  EXPECT_EQ(o.other_options.at(28), (std::vector<std::uint8_t>{10, 10, 1, 255}));
  EXPECT_FALSE(offer.bound);  // an offer binds nothing

  auto ack = c.select(o, "wlan1");
  ASSERT_TRUE(ack.reply);
  EXPECT_EQ(ack.reply->message_type, t::kAck);
  EXPECT_EQ(ack.bound, ip("10.10.1.100"));
  ASSERT_FALSE(ack.changes.empty());
  EXPECT_EQ(ack.changes.back().lease.state, LeaseState::kBound);
  EXPECT_EQ(ack.changes.back().lease.expires_s, c.now + 600);
}

TEST(DhcpServer, OnlyRequestedOptionsAreSent) {
  auto model = fig1("", "dhcp: {dns: [10.1.0.53]}\n");
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:0a:00:01")};
  net::DhcpMessage m;
  m.message_type = t::kDiscover;
  m.parameter_list = {3};
  auto d = c.send(m, "wlan1");
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->routers.size(), 1u);
  EXPECT_FALSE(d.reply->subnet_mask);
  EXPECT_TRUE(d.reply->dns_servers.empty());
  EXPECT_FALSE(d.reply->renewal_time);
  EXPECT_TRUE(d.reply->lease_time);  // 51 and 54 always (RFC 2131 table 3)
  EXPECT_TRUE(d.reply->server_id);
}

TEST(DhcpServer, SameClientGetsSameAddressAndClientsNeverShare) {
  auto model = fig1();
  DhcpServer server(model);
  std::set<std::uint32_t> given;
  for (int i = 0; i < 4; ++i) {
    Client c{server, model, net::MacAddr::from_u64(0x020000000100ull + i)};
    auto a = c.dora("wlan1");
    ASSERT_TRUE(a) << i;
    EXPECT_TRUE(given.insert(a->value).second) << a->to_string() << " handed out twice";
    EXPECT_EQ(c.dora("wlan1"), a) << "the same client asking again";
  }
  // Pool of four is used up: a fifth client gets nothing, and is told why.
  Client fifth{server, model, mac("02:00:00:00:09:99")};
  auto d = fifth.discover("wlan1");
  EXPECT_FALSE(d.reply);
  EXPECT_STREQ(d.refused, "address pool exhausted");
}

TEST(DhcpServer, ReservationWinsAndIsKeptFromOthers) {
  auto model = fig1();
  DhcpServer server(model);
  Client other{server, model, mac("02:00:00:00:00:bb")};
  auto d = other.discover("wlan1", ip("10.10.1.50"));
  ASSERT_TRUE(d.reply);
  EXPECT_NE(d.reply->yiaddr, ip("10.10.1.50"));
  Client owner{server, model, mac("02:00:00:00:00:aa")};
  EXPECT_EQ(owner.dora("wlan1"), ip("10.10.1.50"));
}

TEST(DhcpServer, RequestForSomeoneElsesAddressIsNaked) {
  auto model = fig1();
  DhcpServer server(model);
  Client a{server, model, mac("02:00:00:00:00:01")}, b{server, model, mac("02:00:00:00:00:02")};
  const auto addr = a.dora("wlan1");
  ASSERT_TRUE(addr);
  auto d = b.init_reboot(*addr, "wlan1");
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type, t::kNak);
  EXPECT_TRUE(d.reply->broadcast());
  EXPECT_TRUE(d.changes.empty());
  EXPECT_FALSE(d.bound);
}

TEST(DhcpServer, RenewAndRebindExtendTheLease) {
  auto model = fig1("", "dhcp: {lease_time: 600}\n");
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:00:00:01")};
  const auto addr = c.dora("wlan1");
  c.now += 300;
  auto d = c.renew(*addr, "wlan1");
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type, t::kAck);
  EXPECT_EQ(d.reply->ciaddr, *addr);
  EXPECT_EQ(d.changes.back().lease.expires_s, c.now + 600);
}

TEST(DhcpServer, SelectingAnotherServerFreesOurOffer) {
  auto model = fig1();
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:00:00:01")};
  auto offer = c.discover("wlan1");
  net::DhcpMessage m;
  m.message_type = t::kRequest;
  m.server_id = ip("192.0.2.1");
  m.requested_ip = ip("192.0.2.50");
  auto d = c.send(m, "wlan1");
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(d.refused, nullptr);  // ordinary protocol silence
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].lease.state, LeaseState::kReleased);
  const auto other = mac("02:00:00:00:00:02");
  EXPECT_TRUE(server.table("wlan1")->available(offer.reply->yiaddr, client_identity({}, other), other, c.now));
}

TEST(DhcpServer, ReleaseKeepsAffinityDeclineQuarantines) {
  auto model = fig1("", "dhcp: {lease_time: 600}\n");
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:00:00:01")};
  const auto addr = c.dora("wlan1");
  auto rel = c.simple(t::kRelease, *addr, std::nullopt, "wlan1");
  EXPECT_FALSE(rel.reply);
  ASSERT_EQ(rel.changes.size(), 1u);
  EXPECT_EQ(rel.changes[0].lease.state, LeaseState::kReleased);
  EXPECT_EQ(c.dora("wlan1"), addr);  // the same address again

  auto dec = c.simple(t::kDecline, {}, *addr, "wlan1");
  EXPECT_FALSE(dec.reply);
  ASSERT_EQ(dec.changes.size(), 1u);
  EXPECT_EQ(dec.changes[0].lease.state, LeaseState::kDeclined);
  auto next = c.dora("wlan1");
  ASSERT_TRUE(next);
  EXPECT_NE(next, addr);  // a declined address is not offered again...
  Client late{server, model, mac("02:00:00:00:00:02"), c.now + 601};
  EXPECT_TRUE(server.table("wlan1")->available(*addr, "hw:02:00:00:00:00:02", late.hw, late.now));  // ...until quarantine ends
}

TEST(DhcpServer, InformGetsConfigurationWithoutALease) {
  auto model = fig1();
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:00:00:01")};
  auto d = c.simple(t::kInform, ip("10.10.2.7"), std::nullopt, "wlan2");
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type, t::kAck);
  EXPECT_EQ(d.reply->ciaddr, ip("10.10.2.7"));
  EXPECT_EQ(d.reply->yiaddr, net::Ipv4Addr{});
  EXPECT_FALSE(d.reply->lease_time);
  EXPECT_TRUE(d.changes.empty());
}

TEST(DhcpServer, RoamingClientKeepsItsAddressWhereTheVisitedNetworkAllowsIt) {
  auto model = fig1();
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:00:00:01")};
  const auto home = c.dora("wlan1");
  ASSERT_TRUE(home);
  auto d = c.init_reboot(*home, "wlan2");  // wlan2 keeps visitors' addresses (default policy)
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type, t::kAck);
  EXPECT_EQ(d.bound, home);
  EXPECT_EQ(d.serving->name, "wlan1");
  EXPECT_EQ(d.reply->routers, std::vector{ip("10.10.1.1")});
  // And a fresh DISCOVER in wlan2 offers the home address too.
  auto offer = c.discover("wlan2");
  ASSERT_TRUE(offer.reply);
  EXPECT_EQ(offer.reply->yiaddr, *home);
}

TEST(DhcpServer, RoamingClientIsRenumberedWhereTheVisitedNetworkSaysSo) {
  auto model = fig1();
  model.sites.back().keep_address_when_visiting = false;  // wlan2
  DhcpServer server(model);
  Client c{server, model, mac("02:00:00:00:00:01")};
  const auto home = c.dora("wlan1");
  auto nak = c.init_reboot(*home, "wlan2");
  ASSERT_TRUE(nak.reply);
  EXPECT_EQ(nak.reply->message_type, t::kNak);
  const auto fresh = c.dora("wlan2");
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(model.site_named("wlan2")->subnet.contains(*fresh));
  // The old address is released, not held twice.
  EXPECT_EQ(server.table("wlan1")->at(*home)->state, LeaseState::kReleased);
}

TEST(DhcpServer, ExpiredLeasesAreReusedOnlyAfterTheUnusedOnes) {
  auto model = fig1("", "dhcp: {lease_time: 60}\n");
  DhcpServer server(model);
  Client first{server, model, mac("02:00:00:00:00:01")};
  const auto a = first.dora("wlan1");
  Client second{server, model, mac("02:00:00:00:00:02"), first.now + 61};
  auto b = second.dora("wlan1");
  ASSERT_TRUE(b);
  EXPECT_NE(b, a);  // never-used addresses first
  // Exhaust the never-used ones; then the expired lease is reclaimed.
  for (int i = 0; i < 2; ++i) {
    Client c{server, model, net::MacAddr::from_u64(0x020000000200ull + i), second.now};
    ASSERT_TRUE(c.dora("wlan1"));
  }
  Client last{server, model, mac("02:00:00:00:00:99"), second.now};
  EXPECT_EQ(last.dora("wlan1"), a);
}

TEST(DhcpServer, RestoredLeasesKeepClientsOnTheirAddresses) {
  auto model = fig1();
  std::vector<LeaseChange> saved;
  std::optional<net::Ipv4Addr> before;
  {
    DhcpServer server(model);
    Client c{server, model, mac("02:00:00:00:00:07")};
    Client other{server, model, mac("02:00:00:00:00:08")};
    other.dora("wlan1");
    before = c.dora("wlan1");
    saved = other.stored;
    saved.insert(saved.end(), c.stored.begin(), c.stored.end());
  }
  DhcpServer restarted(model);
  for (const auto& l : saved) restarted.restore(l);
  Client c{restarted, model, mac("02:00:00:00:00:07")};
  EXPECT_EQ(c.dora("wlan1"), before);
  Client newcomer{restarted, model, mac("02:00:00:00:00:09")};
  auto fresh = newcomer.dora("wlan1");
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh, before);
}

TEST(DhcpServer, TenThousandClientsNeverShareAnAddress) {
  auto model = fig1(R"(
  - name: big
    switch: s-big
    uplink_port: uplink
    subnet: 10.20.0.0/16
    gateway: {ip: 10.20.0.1, mac: "02:fe:00:00:14:01"}
    dhcp_pool: {first: 10.20.0.10, last: 10.20.255.254}
)");
  DhcpServer server(model);
  std::set<std::uint32_t> given;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    Client c{server, model, net::MacAddr::from_u64((rng() & 0xfeffffffffffull) | 0x020000000000ull)};
    auto a = c.dora("big");
    ASSERT_TRUE(a);
    ASSERT_TRUE(given.insert(a->value).second) << a->to_string() << " handed out twice";
  }
  EXPECT_EQ(server.active_leases(1000), 10000u);
}

TEST(DhcpServer, NonClientMessagesAreRefusedWithAReason) {
  auto model = fig1();
  DhcpServer server(model);
  net::DhcpMessage m;
  m.op = 2;
  m.message_type = t::kOffer;
  EXPECT_STREQ(server.handle(m, *model.site_named("wlan1"), 0).refused, "not a client request");
  m.op = 1;
  m.message_type = 0;
  EXPECT_STREQ(server.handle(m, *model.site_named("wlan1"), 0).refused, "BOOTP without a DHCP message type");
  m.message_type = t::kDiscover;
  EXPECT_STREQ(server.handle(m, *model.site_named("dc1"), 0).refused, "no DHCP pool for this network");
}

TEST(DhcpGuard, CapsClientsPerPortButNotOtherPorts) {
  DhcpGuard guard(3, 1000);
  const of::Dpid sw{0xa1};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(guard.admit(sw, of::PortNo{2}, net::MacAddr::from_u64(0x0200000000a0ull + i), 0), nullptr);
  EXPECT_STREQ(guard.admit(sw, of::PortNo{2}, mac("02:00:00:00:00:ff"), 1), "too many clients on port");
  EXPECT_EQ(guard.admit(sw, of::PortNo{2}, net::MacAddr::from_u64(0x0200000000a0ull), 1), nullptr);  // known ones go on
  EXPECT_EQ(guard.admit(sw, of::PortNo{3}, mac("02:00:00:00:00:ff"), 1), nullptr);
  // After the window, old clients make room.
  EXPECT_EQ(guard.admit(sw, of::PortNo{2}, mac("02:00:00:00:00:fe"), 1000), nullptr);
}

TEST(DhcpGuard, RateLimitsAFloodAndRecovers) {
  DhcpGuard guard(1000, 10);  // 10/s, burst 20
  const of::Dpid sw{0xa1};
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += guard.admit(sw, of::PortNo{2}, mac("02:00:00:00:00:01"), 5.0) == nullptr;
  EXPECT_EQ(admitted, 20);
  EXPECT_STREQ(guard.admit(sw, of::PortNo{2}, mac("02:00:00:00:00:01"), 5.0), "rate limit on port");
  EXPECT_EQ(guard.admit(sw, of::PortNo{3}, mac("02:00:00:00:00:02"), 5.0), nullptr);
  EXPECT_EQ(guard.admit(sw, of::PortNo{2}, mac("02:00:00:00:00:01"), 5.5), nullptr);  // 5 tokens back
}

TEST(RelayAgent, AddsGiaddrOption82AndAHop) {
  auto model = fig1();
  auto& wlan1 = model.sites[1];
  wlan1.dhcp_relay_agent = ip("10.10.1.2");
  net::DhcpMessage m;
  m.op = 1;
  m.message_type = t::kDiscover;
  auto r = relay_request(m, wlan1, of::PortNo{7});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->giaddr, ip("10.10.1.2"));
  EXPECT_EQ(r->hops, 1);
  ASSERT_TRUE(r->relay_agent);
  EXPECT_EQ(r->relay_agent->circuit_id, "s-wlan1:7");
  EXPECT_EQ(r->relay_agent->remote_id, "wlan1");
  EXPECT_EQ(port_of_circuit(wlan1, "s-wlan1:7"), of::PortNo{7});
  EXPECT_FALSE(port_of_circuit(wlan1, "s-wlan2:7"));
  EXPECT_FALSE(port_of_circuit(wlan1, "s-wlan1:7x"));
  EXPECT_FALSE(port_of_circuit(wlan1, "s-wlan1:"));
  m.hops = kMaxHops;
  EXPECT_FALSE(relay_request(m, wlan1, of::PortNo{7}));
  EXPECT_FALSE(relay_request(m, model.sites[2], of::PortNo{7}));  // no agent address
}

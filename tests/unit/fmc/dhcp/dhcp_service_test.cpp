// The DHCP service app against fake switches: what goes out of which port,
// what the Location Manager learns, and what is dropped and counted.
#include <gtest/gtest.h>

#include "fmc/pipeline/declaration.hpp"
#include "fmc/model/config_yaml.hpp"
#include "fmc/dhcp/dhcp_service.hpp"
#include "fmc/dhcp/relay_agent.hpp"
#include "net/arp.hpp"
#include "support/run_effects.hpp"

using namespace fmc;
using namespace fmc::dhcp;
using test_support::FakeDatapath;
namespace t = net::dhcp_type;

namespace {

net::Ipv4Addr ip(const char* s) { return *net::Ipv4Addr::parse(s); }
net::MacAddr mac(const char* s) { return *net::MacAddr::parse(s); }

struct Fixture {
  model::NetworkModel model;
  EventBus bus;
  ManualClock clock;
  LocationManager lm{model, bus, nullptr, clock};
  std::vector<std::vector<LeaseChange>> stored;
  std::vector<DhcpService::Stored> pending;  // "stored" callbacks not yet run
  DhcpService service{model, lm, bus,
                      [this](std::vector<LeaseChange> c, DhcpService::Stored done) {
                        stored.push_back(std::move(c));
                        if (done) pending.push_back(std::move(done));
                      },
                      clock};
  FakeDatapath dc1{of::Version::V13, of::Dpid{0xd1}};
  FakeDatapath wlan1{of::Version::V13, of::Dpid{0xa1}}, wlan2{of::Version::V13, of::Dpid{0xa2}};
  std::vector<EndpointMoved> moves;
  std::vector<SecurityEvent> security;
  std::vector<std::vector<std::uint8_t>> frames;

  explicit Fixture(const char* config) : model(*model::load_network_yaml(config)) {
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* m = std::get_if<EndpointMoved>(&e)) moves.push_back(*m);
      if (const auto* s = std::get_if<SecurityEvent>(&e)) security.push_back(*s);
    });
    for (auto* dp : {&dc1, &wlan1, &wlan2}) {
      switch_up(*dp);
      dp->sent.clear();
    }
  }
  std::vector<FakeDatapath*> all() { return {&dc1, &wlan1, &wlan2}; }
  void switch_up(FakeDatapath& dp) { test_support::run(service.on_switch_up(dp.dpid()), all()); }
  ctl::Disposition frame(FakeDatapath& dp, std::uint32_t port, std::vector<std::uint8_t> f) {
    frames.push_back(std::move(f));
    of::PacketIn pi;
    pi.in_port = of::PortNo{port};
    pi.data = frames.back();
    const PacketContext p = classify(model, dp.dpid(), pi);
    if (p.kind == PacketKind::kRelayArp) test_support::run(service.on_relay_agent_arp(p), all());
    else if (p.kind == PacketKind::kDhcp) test_support::run(service.on_dhcp(p), all());
    else return ctl::Disposition::kContinue;
    return ctl::Disposition::kConsumed;
  }
  ctl::Disposition client(FakeDatapath& dp, std::uint32_t port, net::DhcpMessage m, std::optional<net::MacAddr> src = {}) {
    const auto payload = net::build_dhcp(m);
    return frame(dp, port, net::build_udp_frame({src.value_or(m.chaddr), net::MacAddr::broadcast(), {}, ip("255.255.255.255"), 68, 67},
                                                payload));
  }
  void stored_now() {
    for (auto& p : pending) test_support::run(p(), all());
    pending.clear();
  }
  std::uint64_t dropped(const std::string& why) const {
    auto it = service.stats().dropped.find(why);
    return it == service.stats().dropped.end() ? 0 : it->second;
  }
};

net::DhcpMessage message(std::uint8_t type, const char* hw, std::uint32_t xid = 42) {
  net::DhcpMessage m;
  m.op = 1;
  m.xid = xid;
  m.chaddr = mac(hw);
  m.message_type = type;
  return m;
}

struct SentFrame {
  of::PortNo port;
  net::MacAddr eth_dst;
  net::Ipv4Addr ip_src, ip_dst;
  std::uint16_t udp_src = 0, udp_dst = 0;
  net::DhcpMessage dhcp;
};

// Every PACKET_OUT carrying DHCP, decoded.
std::vector<SentFrame> dhcp_out(const FakeDatapath& dp) {
  std::vector<SentFrame> out;
  for (const auto& po : dp.sent_of<of::PacketOut>()) {
    auto eth = net::EthernetView::parse(po.data);
    auto d = eth ? net::parse_udp(*eth) : std::nullopt;
    auto m = d ? net::parse_dhcp(d->udp.payload) : Result<net::DhcpMessage, net::DhcpError>(Unexpected{net::DhcpError{"none"}});
    if (!m || po.actions.size() != 1) continue;
    const auto* o = std::get_if<of::Output>(&po.actions[0]);
    if (!o) continue;
    out.push_back({o->port, eth->dst, d->ip.src, d->ip.dst, d->udp.src_port, d->udp.dst_port, *m});
  }
  return out;
}

constexpr const char* kServe = FMC_SOURCE_DIR "/config/fig1.yaml";
constexpr const char* kRelay = FMC_SOURCE_DIR "/tests/integration/dhcp_relay.yaml";

}  // namespace

TEST(DhcpService, AccessSwitchesSendDhcpToTheController) {
  Fixture f(kServe);
  f.switch_up(f.wlan1);
  f.switch_up(f.dc1);
  const auto flows = f.wlan1.sent_of<of::FlowMod>();
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].match.udp_dst, 67);
  EXPECT_EQ(flows[0].match.ip_proto, 17);
  EXPECT_EQ(flows[0].cookie, pipeline::cookie::kDhcp);
  EXPECT_TRUE(f.dc1.sent_of<of::FlowMod>().empty());  // a DC's own DHCP (e.g. Kea) is left alone
}

TEST(DhcpService, NewClientIsServedOnItsPortAndLocated) {
  Fixture f(kServe);
  auto discover = message(t::kDiscover, "02:00:00:00:07:01");
  EXPECT_EQ(f.client(f.wlan1, 5, discover), ctl::Disposition::kConsumed);
  auto out = dhcp_out(f.wlan1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].port, of::PortNo{5});
  EXPECT_EQ(out[0].dhcp.message_type, t::kOffer);
  EXPECT_EQ(out[0].eth_dst, discover.chaddr);  // unicast to the hardware address (no broadcast flag)
  EXPECT_EQ(out[0].ip_src, ip("10.10.1.1"));
  EXPECT_EQ(out[0].ip_dst, out[0].dhcp.yiaddr);
  EXPECT_EQ(out[0].udp_src, 67);
  EXPECT_EQ(out[0].udp_dst, 68);

  const Endpoint* e = f.lm.by_mac(discover.chaddr);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->home_site, "wlan1");
  ASSERT_TRUE(e->current);
  EXPECT_EQ(e->current->port, of::PortNo{5});
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.moves[0].cause, MoveCause::kDhcp);
}

TEST(DhcpService, AckGoesOutOnlyOnceTheLeaseIsStored) {
  Fixture f(kServe);
  auto discover = message(t::kDiscover, "02:00:00:00:07:01");
  discover.flags = 0x8000;
  f.client(f.wlan1, 5, discover);
  const auto offer = dhcp_out(f.wlan1).at(0);
  EXPECT_EQ(offer.eth_dst, net::MacAddr::broadcast());  // the client asked for broadcast
  f.wlan1.sent.clear();
  auto request = message(t::kRequest, "02:00:00:00:07:01", 43);
  request.server_id = offer.dhcp.server_id;
  request.requested_ip = offer.dhcp.yiaddr;
  f.client(f.wlan1, 5, request);
  EXPECT_TRUE(dhcp_out(f.wlan1).empty());
  EXPECT_FALSE(f.lm.by_mac(request.chaddr)->ip);
  ASSERT_FALSE(f.stored.empty());
  EXPECT_EQ(f.stored.back().back().lease.state, LeaseState::kBound);
  f.stored_now();
  auto out = dhcp_out(f.wlan1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dhcp.message_type, t::kAck);
  EXPECT_EQ(f.lm.by_mac(request.chaddr)->ip, offer.dhcp.yiaddr);
  EXPECT_EQ(f.service.stats().acks, 1u);
}

TEST(DhcpService, SpoofedAndRogueDhcpIsDroppedAndCounted) {
  Fixture f(kServe);
  f.client(f.wlan1, 5, message(t::kDiscover, "02:00:00:00:07:01"), mac("02:00:00:00:07:02"));
  EXPECT_EQ(f.dropped("chaddr differs from the source MAC"), 1u);
  auto offer = message(t::kOffer, "02:00:00:00:07:03");
  offer.op = 2;
  f.client(f.wlan1, 5, offer);
  EXPECT_EQ(f.dropped("server message from a client port"), 1u);
  ASSERT_EQ(f.security.size(), 1u);
  EXPECT_EQ(f.security[0].kind, SecurityKind::kRogueDhcpServer);
  auto relayed = message(t::kDiscover, "02:00:00:00:07:04");
  relayed.giaddr = ip("10.10.1.9");
  f.client(f.wlan1, 5, relayed);
  auto with82 = message(t::kDiscover, "02:00:00:00:07:05");
  with82.relay_agent = net::RelayAgentInfo{"s-wlan1:2", "wlan1"};
  f.client(f.wlan1, 5, with82);
  EXPECT_EQ(f.dropped("relayed message on a client port"), 1u);
  EXPECT_EQ(f.dropped("option 82 from a client"), 1u);
  f.client(f.wlan1, 1, message(t::kDiscover, "02:00:00:00:07:06"));
  EXPECT_EQ(f.dropped("DHCP from the uplink"), 1u);
  EXPECT_TRUE(dhcp_out(f.wlan1).empty());
  EXPECT_TRUE(f.lm.all().size() == f.model.vms.size() + f.model.clients.size()) << "nobody was added";
}

TEST(DhcpService, MalformedDhcpIsCountedByReasonAndNothingChanges) {
  Fixture f(kServe);
  auto payload = net::build_dhcp(message(t::kDiscover, "02:00:00:00:07:01"));
  payload[236] = 0;  // break the magic cookie
  f.frame(f.wlan1, 5, net::build_udp_frame({mac("02:00:00:00:07:01"), net::MacAddr::broadcast(), {}, ip("255.255.255.255"), 68, 67}, payload));
  ASSERT_EQ(f.service.stats().dropped.size(), 1u);
  EXPECT_EQ(f.service.stats().dropped.begin()->first.rfind("malformed: ", 0), 0u);
  // Truncated at every length: consumed or passed on, never a crash, nothing stored.
  const auto good = net::build_udp_frame({mac("02:00:00:00:07:01"), net::MacAddr::broadcast(), {}, ip("255.255.255.255"), 68, 67},
                                         net::build_dhcp(message(t::kDiscover, "02:00:00:00:07:01")));
  for (std::size_t n = 0; n + 1 < good.size(); ++n) f.frame(f.wlan1, 5, {good.begin(), good.begin() + static_cast<long>(n)});
  EXPECT_TRUE(f.stored.empty());
  EXPECT_TRUE(dhcp_out(f.wlan1).empty());
}

TEST(DhcpService, StarvationFromOnePortLeavesOtherPortsServed) {
  Fixture f(kServe);
  for (int i = 0; i < 500; ++i) {
    f.clock.advance(std::chrono::milliseconds(50));  // 20/s, within the rate limit: the client cap is what stops it
    f.client(f.wlan1, 5, message(t::kDiscover, net::MacAddr::from_u64(0x020000100000ull + i).to_string().c_str()));
  }
  const auto offers_to_attacker = dhcp_out(f.wlan1).size();
  EXPECT_EQ(offers_to_attacker, f.model.dhcp.max_clients_per_port);
  EXPECT_GT(f.dropped("too many clients on port"), 0u);
  EXPECT_FALSE(f.security.empty());
  f.wlan1.sent.clear();
  f.client(f.wlan1, 6, message(t::kDiscover, "02:00:00:00:08:01"));
  auto out = dhcp_out(f.wlan1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].port, of::PortNo{6});
  EXPECT_EQ(out[0].dhcp.message_type, t::kOffer);
}

TEST(DhcpService, FloodIsRateLimited) {
  Fixture f(kServe);
  for (int i = 0; i < 1000; ++i) f.client(f.wlan1, 5, message(t::kDiscover, "02:00:00:00:07:01", i));
  EXPECT_EQ(dhcp_out(f.wlan1).size(), 2 * f.model.dhcp.max_rate_per_port);  // the burst
  EXPECT_EQ(f.dropped("rate limit on port"), 1000 - 2 * f.model.dhcp.max_rate_per_port);
}

TEST(DhcpService, RelayModeForwardsWithOption82AndDeliversTheAnswer) {
  Fixture f(kRelay);
  auto discover = message(t::kDiscover, "02:00:00:00:07:01");
  f.client(f.wlan2, 5, discover);
  auto up = dhcp_out(f.wlan2);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].port, of::PortNo{1});  // the uplink
  EXPECT_EQ(up[0].eth_dst, mac("02:fe:00:00:0a:02"));  // via the router
  EXPECT_EQ(up[0].ip_src, ip("10.10.2.2"));
  EXPECT_EQ(up[0].ip_dst, ip("10.1.0.67"));
  EXPECT_EQ(up[0].udp_src, 67);
  EXPECT_EQ(up[0].dhcp.giaddr, ip("10.10.2.2"));
  ASSERT_TRUE(up[0].dhcp.relay_agent);
  EXPECT_EQ(up[0].dhcp.relay_agent->circuit_id, "s-wlan2:5");
  EXPECT_EQ(up[0].dhcp.relay_agent->remote_id, "wlan2");
  EXPECT_TRUE(f.lm.by_mac(discover.chaddr));  // located even though Kea serves it
  f.wlan2.sent.clear();

  // The router asks for the relay agent; the controller answers.
  f.frame(f.wlan2, 1, net::build_arp_frame(net::arp_op::kRequest, net::MacAddr::broadcast(), mac("02:fe:00:00:0a:02"),
                                           ip("10.10.2.1"), {}, ip("10.10.2.2")));
  const auto arp_out = f.wlan2.sent_of<of::PacketOut>();
  ASSERT_EQ(arp_out.size(), 1u);
  auto arp = net::ArpView::parse(net::EthernetView::parse(arp_out[0].data)->payload);
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->sha, relay_agent_mac(ip("10.10.2.2")));
  f.wlan2.sent.clear();

  // Kea's ACK comes back to the relay agent address through the uplink.
  net::DhcpMessage ack = up[0].dhcp;
  ack.op = 2;
  ack.message_type = t::kAck;
  ack.yiaddr = ip("10.10.2.150");
  ack.server_id = ip("10.1.0.67");
  const auto agent_mac = relay_agent_mac(ip("10.10.2.2"));
  f.frame(f.wlan2, 1, net::build_udp_frame({mac("02:fe:00:00:0a:02"), agent_mac, ip("10.1.0.67"), ip("10.10.2.2"), 67, 67},
                                           net::build_dhcp(ack)));
  auto down = dhcp_out(f.wlan2);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].port, of::PortNo{5});
  EXPECT_EQ(down[0].dhcp.message_type, t::kAck);
  EXPECT_FALSE(down[0].dhcp.relay_agent);  // option 82 is not the client's business
  EXPECT_EQ(down[0].udp_dst, 68);
  EXPECT_EQ(f.lm.by_mac(discover.chaddr)->ip, ip("10.10.2.150"));
  EXPECT_EQ(f.lm.by_mac(discover.chaddr)->home_site, "wlan2");
  f.wlan2.sent.clear();

  // The same reply from anyone but the configured server is refused.
  f.frame(f.wlan2, 1, net::build_udp_frame({mac("02:fe:00:00:0a:02"), agent_mac, ip("10.1.0.66"), ip("10.10.2.2"), 67, 67},
                                           net::build_dhcp(ack)));
  EXPECT_TRUE(dhcp_out(f.wlan2).empty());
  EXPECT_EQ(f.dropped("reply from an unknown server"), 1u);
  ASSERT_FALSE(f.security.empty());
  EXPECT_EQ(f.security.back().kind, SecurityKind::kRogueDhcpServer);
}

TEST(DhcpService, AnAddressKnownAsAnotherEndpointsIsNeverLeased) {
  Fixture f(kServe);
  // client1 numbered itself 10.10.1.100, the pool's first address; the controller learnt it (ARP).
  ASSERT_TRUE(f.lm.assign_ip("client1", ip("10.10.1.100")));
  f.client(f.wlan1, 5, message(t::kDiscover, "02:00:00:00:07:01"));
  auto out = dhcp_out(f.wlan1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dhcp.yiaddr, ip("10.10.1.101")) << "the next free one, not client1's";

  auto request = message(t::kRequest, "02:00:00:00:07:02", 43);
  request.requested_ip = ip("10.10.1.100");
  f.wlan1.sent.clear();
  f.client(f.wlan1, 6, request);
  out = dhcp_out(f.wlan1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dhcp.message_type, t::kNak) << "asking for it by name does not get it either";

  f.wlan1.sent.clear();
  auto own = message(t::kDiscover, "02:00:00:0a:00:64", 44);  // client1 itself, asking for its address
  own.requested_ip = ip("10.10.1.100");
  f.client(f.wlan1, 2, own);
  out = dhcp_out(f.wlan1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dhcp.yiaddr, ip("10.10.1.100")) << "its holder may have it";
}

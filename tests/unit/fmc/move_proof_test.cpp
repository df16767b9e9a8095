// A DHCP message alone does not move a live client (issue 13): the claim is
// proven by probing the old location, through the apps wired as the
// controller wires them.
#include <gtest/gtest.h>

#include "net/arp.hpp"
#include "net/dhcp.hpp"
#include "net/ethernet.hpp"
#include "net/udp.hpp"
#include "support/follow_me_world.hpp"

using namespace fmc;
using namespace std::chrono_literals;
using test_support::FakeSwitch;
using test_support::FollowMeWorld;

namespace {

net::MacAddr mac(const char* t) { return *net::MacAddr::parse(t); }
const char* kGuestMac = "02:00:00:00:07:01";
const char* kWlan1Gw = "02:fe:00:00:0a:01";

std::vector<std::uint8_t> dhcp_frame(std::uint8_t type, std::uint32_t xid, std::optional<net::Ipv4Addr> requested = {}) {
  net::DhcpMessage m;
  m.op = 1;
  m.xid = xid;
  m.chaddr = mac(kGuestMac);
  m.message_type = type;
  m.requested_ip = requested;
  const auto payload = net::build_dhcp(m);
  return net::build_udp_frame({m.chaddr, net::MacAddr::broadcast(), net::Ipv4Addr{0}, net::Ipv4Addr{0xffffffff},
                               net::kDhcpClientPort, net::kDhcpServerPort},
                              payload);
}

std::vector<net::DhcpMessage> dhcp_sent(const FakeSwitch& s) {
  std::vector<net::DhcpMessage> out;
  for (const auto& po : s.packet_outs) {
    auto eth = net::EthernetView::parse(po.data);
    auto d = eth ? net::parse_udp(*eth) : std::nullopt;
    if (!d || d->udp.dst_port != net::kDhcpClientPort) continue;
    if (auto m = net::parse_dhcp(d->udp.payload)) out.push_back(*m);
  }
  return out;
}

// A guest known only from DHCP, leased on wlan1 port 5.
struct World : FollowMeWorld {
  FakeSwitch &wlan1 = sw(0xa1), &wlan2 = sw(0xa2);
  net::Ipv4Addr leased;
  World() : FollowMeWorld(FMC_SOURCE_DIR "/config/fig1.yaml") {
    up_all();
    packet_in(wlan1, 5, dhcp_frame(net::dhcp_type::kDiscover, 1));
    leased = dhcp_sent(wlan1).at(0).yiaddr;
    packet_in(wlan1, 5, dhcp_frame(net::dhcp_type::kRequest, 2, leased));
    EXPECT_EQ(dhcp_sent(wlan1).at(1).message_type, net::dhcp_type::kAck);
    clear_sent();
    moves.clear();
  }
  const Endpoint& guest() const { return *lm.by_mac(mac(kGuestMac)); }
  void tick() {
    bus.handle([&] { return detector.tick(); });
  }
  // The ARP probe of the guest's address out of wlan1 port 5, if one was sent.
  std::optional<net::ArpView> probe() const {
    for (const auto& po : wlan1.packet_outs) {
      const auto* out = po.actions.size() == 1 ? std::get_if<of::Output>(&po.actions[0]) : nullptr;
      auto eth = net::EthernetView::parse(po.data);
      auto arp = eth ? net::ArpView::parse(eth->payload) : std::nullopt;
      if (out && out->port == of::PortNo{5} && arp && eth->dst == mac(kGuestMac)) return arp;
    }
    return std::nullopt;
  }
  void guest_answers() {
    const auto reply = net::build_arp_frame(net::arp_op::kReply, mac(kWlan1Gw), mac(kGuestMac), leased, mac(kWlan1Gw),
                                            net::Ipv4Addr{0});
    packet_in(wlan1, 5, reply);
  }
};

}  // namespace

TEST(MoveProof, AClaimWhileTheOldLocationAnswersIsRefusedAndReported) {
  World w;
  // Someone on wlan2 port 6 sends DHCP with the guest's hardware address.
  w.packet_in(w.wlan2, 6, dhcp_frame(net::dhcp_type::kDiscover, 7));
  EXPECT_TRUE(w.moves.empty());
  EXPECT_TRUE(dhcp_sent(w.wlan2).empty()) << "no answer while the claim is unproven";
  const auto probe = w.probe();
  ASSERT_TRUE(probe) << "the old location is asked";
  EXPECT_EQ(probe->op, net::arp_op::kRequest);
  EXPECT_EQ(probe->tpa, w.leased);
  EXPECT_EQ(probe->spa, net::Ipv4Addr{0});  // an RFC 5227 probe: nothing for the guest to learn
  EXPECT_EQ(probe->sha, mac(kWlan1Gw));

  // More claims while proving: no second probe.
  w.clear_sent();
  w.packet_in(w.wlan2, 6, dhcp_frame(net::dhcp_type::kDiscover, 8));
  EXPECT_FALSE(w.probe());

  w.guest_answers();
  ASSERT_EQ(w.security.size(), 1u);
  EXPECT_EQ(w.security[0].kind, SecurityKind::kSpoofedMove);
  EXPECT_NE(w.security[0].detail.find("claimed by DHCP at wlan2 port 6 but answered at wlan1 port 5"), std::string::npos)
      << w.security[0].detail;
  EXPECT_EQ(w.security[0].port, of::PortNo{6});  // reported against the claimant's port
  EXPECT_TRUE(w.wlan1.packet_outs.empty()) << "the probe's answer is consumed, not relayed to the router";

  w.clock.advance(2s);
  w.tick();
  EXPECT_TRUE(w.moves.empty());
  EXPECT_EQ(w.guest().current->site, "wlan1");

  // Claimed again from there within the hold: refused at once, nobody probed.
  w.clear_sent();
  w.packet_in(w.wlan2, 6, dhcp_frame(net::dhcp_type::kDiscover, 9));
  EXPECT_EQ(w.security.size(), 2u);
  EXPECT_FALSE(w.probe());
  EXPECT_EQ(w.detector.stats().moves_disproved, 1u);
  EXPECT_TRUE(w.moves.empty());
}

TEST(MoveProof, AClaimWhoseOldLocationStaysSilentIsAcceptedAndItsPacketAnswered) {
  World w;
  const auto discover = dhcp_frame(net::dhcp_type::kDiscover, 7);
  w.packet_in(w.wlan2, 6, discover);
  ASSERT_TRUE(w.probe());
  w.clock.advance(MoveProofs::kWindow - 1ms);
  w.tick();
  EXPECT_TRUE(w.moves.empty()) << "not before the window ends";

  w.clock.advance(1ms);
  w.tick();
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_EQ(w.moves[0].cause, MoveCause::kDhcp);
  EXPECT_EQ(w.guest().current, (Location{"wlan2", of::Dpid{0xa2}, of::PortNo{6}}));
  EXPECT_EQ(w.detector.stats().moves_proven, 1u);
  EXPECT_TRUE(w.security.empty());

  // The held DISCOVER goes back through wlan2's table, and is answered there.
  const auto held = std::find_if(w.wlan2.packet_outs.begin(), w.wlan2.packet_outs.end(),
                                 [&](const auto& po) { return po.data == discover; });
  ASSERT_NE(held, w.wlan2.packet_outs.end());
  EXPECT_EQ(held->in_port, of::PortNo{6});
  w.clear_sent();
  w.arrive(w.wlan2, 6, discover);
  const auto offers = dhcp_sent(w.wlan2);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].message_type, net::dhcp_type::kOffer);
  EXPECT_EQ(offers[0].yiaddr, w.leased) << "wlan2's pool allows keeping the address in fig1.yaml";
}

TEST(MoveProof, AClaimAfterTheOldPortWentDownNeedsNoProof) {
  World w;
  of::PortStatus ps;
  ps.reason = of::port_reason::kDelete;
  ps.desc.port_no = of::PortNo{5};
  w.dispatcher.on_port_status(w.wlan1, ps);
  w.packet_in(w.wlan2, 6, dhcp_frame(net::dhcp_type::kDiscover, 7));
  ASSERT_EQ(w.moves.size(), 1u);
  EXPECT_FALSE(w.probe());
  EXPECT_EQ(dhcp_sent(w.wlan2).size(), 1u);
}

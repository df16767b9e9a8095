// The controller runtime on loopback against scripted switches: handshake
// in both versions, keepalive, dead peers, duplicate DPIDs, bad input.
#include "controller/controller.hpp"

#include <gtest/gtest.h>

#include <asio/ssl.hpp>
#include <thread>

#include "apps/learning_switch.hpp"
#include "net/ethernet.hpp"
#include "support/test_pki.hpp"
#include "support/test_switch.hpp"

using namespace fmc;
using namespace std::chrono_literals;
using test_support::TestSwitch;

namespace {

class RunningController {
 public:
  explicit RunningController(ctl::ControllerConfig config = {}) {
    config.port = 0;
    config.listen_address = "127.0.0.1";
    controller_ = std::make_unique<ctl::Controller>(config, [] {
      ctl::AppList apps;
      apps.push_back(std::make_unique<apps::LearningSwitch>());
      return apps;
    });
    controller_->start();
    thread_ = std::thread([this] { controller_->run(); });
  }
  ~RunningController() {
    controller_->stop();
    thread_.join();
  }
  std::uint16_t port() const { return controller_->port(); }
  const ctl::ControllerStats& stats() const { return controller_->stats(); }

 private:
  std::unique_ptr<ctl::Controller> controller_;
  std::thread thread_;
};

bool echo_works(TestSwitch& sw) {
  sw.send(of::EchoRequest{}, of::Xid{4242});
  auto r = sw.receive_until<of::EchoReply>();
  return r && r->env.xid == of::Xid{4242};
}

std::vector<std::uint8_t> frame(const char* dst, const char* src) {
  const std::uint8_t payload[46] = {};
  return net::build_ethernet(*net::MacAddr::parse(dst), *net::MacAddr::parse(src), net::ethertype::kIpv4, payload);
}

of::PacketIn packet_in(std::uint32_t port, const std::vector<std::uint8_t>& data) {
  of::PacketIn pi;
  pi.in_port = of::PortNo{port};
  pi.total_len = static_cast<std::uint16_t>(data.size());
  pi.data = data;
  return pi;
}

}  // namespace

class Handshake : public ::testing::TestWithParam<of::Version> {};

TEST_P(Handshake, SwitchComesUpAndGetsTableMissFlow) {
  RunningController ctl;
  TestSwitch sw(ctl.port(), GetParam(), 0xd1);
  ASSERT_TRUE(sw.handshake());
  // The learning switch resyncs: delete its old flows, then install the table-miss flow.
  auto del = sw.receive_until<of::FlowMod>();
  ASSERT_TRUE(del);
  EXPECT_EQ(del->as<of::FlowMod>()->command, of::FlowModCommand::kDelete);
  auto miss = sw.receive_until<of::FlowMod>();
  ASSERT_TRUE(miss);
  const auto& fm = *miss->as<of::FlowMod>();
  EXPECT_EQ(fm.priority, 0);
  EXPECT_EQ(fm.match.field_count(), 0);
  ASSERT_EQ(fm.instructions.size(), 1u);
  EXPECT_EQ(std::get<of::ApplyActions>(fm.instructions[0]).actions.at(0), (of::Action{of::Output{of::port::kController, 0xffff}}));
  auto barrier = sw.receive_until<of::BarrierRequest>();
  ASSERT_TRUE(barrier);
  EXPECT_EQ(barrier->env.version, GetParam());
  EXPECT_TRUE(echo_works(sw));
}

INSTANTIATE_TEST_SUITE_P(Versions, Handshake, ::testing::Values(of::Version::V10, of::Version::V13),
                         [](const auto& info) { return info.param == of::Version::V10 ? "OF10" : "OF13"; });

TEST(Controller, LearningSwitchFloodsThenInstallsFlow) {
  RunningController ctl;
  TestSwitch sw(ctl.port(), of::Version::V13, 1);
  ASSERT_TRUE(sw.handshake());
  const auto a_to_bcast = frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0a");
  sw.send(packet_in(1, a_to_bcast));
  auto flood = sw.receive_until<of::PacketOut>();
  ASSERT_TRUE(flood);
  EXPECT_EQ(flood->as<of::PacketOut>()->actions.at(0), (of::Action{of::Output{of::port::kFlood, 0}}));

  const auto b_to_a = frame("02:00:00:00:00:0a", "02:00:00:00:00:0b");
  sw.send(packet_in(2, b_to_a));
  auto flow = sw.receive_until<of::FlowMod>();
  ASSERT_TRUE(flow);
  const auto& fm = *flow->as<of::FlowMod>();
  EXPECT_EQ(fm.command, of::FlowModCommand::kAdd);
  EXPECT_EQ(fm.match.in_port, of::PortNo{2});
  EXPECT_EQ(fm.match.eth_dst->value.to_string(), "02:00:00:00:00:0a");
  EXPECT_EQ(std::get<of::ApplyActions>(fm.instructions.at(0)).actions.at(0), (of::Action{of::Output{of::PortNo{1}, 0}}));
  auto out = sw.receive_until<of::PacketOut>();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->as<of::PacketOut>()->actions.at(0), (of::Action{of::Output{of::PortNo{1}, 0}}));
  EXPECT_EQ(out->as<of::PacketOut>()->data.size(), b_to_a.size());
}

TEST(Controller, MalformedMessageGetsErrorAndConnectionSurvives) {
  RunningController ctl;
  TestSwitch sw(ctl.port(), of::Version::V13, 2);
  ASSERT_TRUE(sw.handshake());
  sw.send_raw({0x04, 0x63, 0x00, 0x08, 0x00, 0x00, 0x00, 0x77});  // unknown type 99
  auto err = sw.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->env.xid, of::Xid{0x77});
  EXPECT_TRUE(err->as<of::ErrorMsg>()->is(of::code::kBadType));

  // A truncated PACKET_IN (its match claims more bytes than the message has).
  sw.send_raw({0x04, 0x0a, 0x00, 0x18, 0, 0, 0, 0x78, 0xff, 0xff, 0xff, 0xff, 0x00, 0x10, 0x00, 0x00,
               0, 0, 0, 0, 0, 0, 0, 0});
  err = sw.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->env.xid, of::Xid{0x78});

  // A message in a version other than the negotiated one.
  sw.send_raw({0x01, 0x02, 0x00, 0x08, 0, 0, 0, 0x79});
  err = sw.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_TRUE(err->as<of::ErrorMsg>()->is(of::code::kBadVersion));

  // A PACKET_IN whose match is not OXM: BAD_MATCH code 0, which is not a
  // version problem although BAD_REQUEST code 0 is.
  sw.send_raw({0x04, 0x0a, 0x00, 0x22, 0, 0, 0, 0x7a, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0});
  err = sw.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_TRUE(err->as<of::ErrorMsg>()->is(of::code::kBadMatchType));

  EXPECT_TRUE(echo_works(sw));
  EXPECT_EQ(ctl.stats().rejected_malformed.load(), 3u);
  EXPECT_EQ(ctl.stats().rejected_version.load(), 1u);
}

TEST(Controller, BrokenFramingClosesOnlyThatConnection) {
  RunningController ctl;
  TestSwitch good(ctl.port(), of::Version::V13, 3);
  TestSwitch bad(ctl.port(), of::Version::V10, 4);
  ASSERT_TRUE(good.handshake());
  ASSERT_TRUE(bad.handshake());
  bad.send_raw({0x01, 0x02, 0x00, 0x03, 0, 0, 0, 1});  // length 3 < header
  auto err = bad.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_TRUE(err->as<of::ErrorMsg>()->is(of::code::kBadLen));
  EXPECT_TRUE(bad.closed_by_peer());
  EXPECT_TRUE(echo_works(good));
  EXPECT_EQ(ctl.stats().rejected_framing.load(), 1u);
}

TEST(Controller, NoCommonVersionFailsHello) {
  ctl::ControllerConfig config;
  config.version_bitmap = 1u << 0x04;
  RunningController ctl(config);
  TestSwitch sw(ctl.port(), of::Version::V10, 5);
  ASSERT_TRUE(sw.receive_until<of::Hello>());
  sw.send(of::Hello{1u << 0x01});
  auto err = sw.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->as<of::ErrorMsg>()->type, static_cast<std::uint16_t>(of::ErrorType::kHelloFailed));
  EXPECT_TRUE(sw.closed_by_peer());
}

TEST(Controller, FirstMessageMustBeHello) {
  RunningController ctl;
  TestSwitch sw(ctl.port(), of::Version::V13, 6);
  ASSERT_TRUE(sw.receive_until<of::Hello>());
  sw.send(of::EchoRequest{});
  auto err = sw.receive_until<of::ErrorMsg>();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->as<of::ErrorMsg>()->type, static_cast<std::uint16_t>(of::ErrorType::kHelloFailed));
  EXPECT_TRUE(sw.closed_by_peer());
}

TEST(Controller, DuplicateDpidReplacesOldConnectionByDefault) {
  RunningController ctl;
  TestSwitch first(ctl.port(), of::Version::V13, 7);
  ASSERT_TRUE(first.handshake());
  TestSwitch second(ctl.port(), of::Version::V13, 7);
  ASSERT_TRUE(second.handshake());
  EXPECT_TRUE(first.closed_by_peer());
  EXPECT_TRUE(echo_works(second));
  EXPECT_EQ(ctl.stats().duplicate_dpid.load(), 1u);
}

TEST(Controller, DuplicateDpidCanRejectNewcomer) {
  ctl::ControllerConfig config;
  config.duplicate_dpid = ctl::DuplicateDpidPolicy::kRejectNew;
  RunningController ctl(config);
  TestSwitch first(ctl.port(), of::Version::V13, 8);
  ASSERT_TRUE(first.handshake());
  TestSwitch second(ctl.port(), of::Version::V13, 8);
  EXPECT_FALSE(second.handshake());
  EXPECT_TRUE(second.closed_by_peer());
  EXPECT_TRUE(echo_works(first));
}

TEST(Controller, SilentSwitchIsProbedThenDeclaredDead) {
  ctl::ControllerConfig config;
  config.echo_interval = 100ms;
  config.dead_after = 500ms;
  RunningController ctl(config);
  TestSwitch sw(ctl.port(), of::Version::V13, 9);
  ASSERT_TRUE(sw.handshake());
  EXPECT_TRUE(sw.receive_until<of::EchoRequest>(2000ms));
  EXPECT_TRUE(sw.closed_by_peer(3000ms));
  EXPECT_EQ(ctl.stats().dead_peers.load(), 1u);
}

TEST(Controller, AnsweredEchoesKeepSwitchAlive) {
  ctl::ControllerConfig config;
  config.echo_interval = 100ms;
  config.dead_after = 500ms;
  RunningController ctl(config);
  TestSwitch sw(ctl.port(), of::Version::V13, 10);
  ASSERT_TRUE(sw.handshake());
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  int answered = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto echo = sw.receive_until<of::EchoRequest>(300ms);
    if (!echo) continue;
    sw.send(of::EchoReply{}, echo->env.xid);
    ++answered;
  }
  EXPECT_GE(answered, 2);
  EXPECT_TRUE(echo_works(sw));
  EXPECT_EQ(ctl.stats().dead_peers.load(), 0u);
}

TEST(Controller, APeerThatDoesNotReadLosesItsConnectionNotTheControllersMemory) {
  ctl::ControllerConfig config;
  config.max_output_bytes = 1 << 20;
  RunningController ctl(config);
  TestSwitch flooder(ctl.port(), of::Version::V13, 11);
  ASSERT_TRUE(flooder.handshake());
  // 64 KB echo requests, never reading the replies: once the kernel's buffers are full the
  // replies pile up in the controller, until the cap.
  const std::vector<std::uint8_t> data(65000, 0x5a);
  for (int i = 0; i < 4000 && !ctl.stats().slow_readers.load(); ++i) flooder.send(of::EchoRequest{data}, of::Xid{1});
  EXPECT_EQ(ctl.stats().slow_readers.load(), 1u);
  EXPECT_TRUE(flooder.closed_by_peer(5000ms));
  TestSwitch other(ctl.port(), of::Version::V13, 12);  // the controller serves the next one
  ASSERT_TRUE(other.handshake());
  EXPECT_TRUE(echo_works(other));
}

TEST(Controller, APeerThatNeverSaysHelloIsClosedAfterTheHandshakeDeadline) {
  ctl::ControllerConfig config;
  config.handshake_timeout = 300ms;
  RunningController ctl(config);
  TestSwitch mute(ctl.port(), of::Version::V13, 13);
  EXPECT_TRUE(mute.closed_by_peer(3000ms));
  EXPECT_EQ(ctl.stats().handshake_timeouts.load(), 1u);
}

TEST(Controller, ConnectionsOverTheLimitsAreClosedAtOnce) {
  ctl::ControllerConfig config;
  config.max_connections_per_address = 2;
  RunningController ctl(config);
  TestSwitch a(ctl.port(), of::Version::V13, 14), b(ctl.port(), of::Version::V13, 15);
  ASSERT_TRUE(a.handshake());
  ASSERT_TRUE(b.handshake());
  TestSwitch c(ctl.port(), of::Version::V13, 16);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(ctl.stats().refused_connections.load(), 1u);
  EXPECT_TRUE(echo_works(a));
}

namespace {

// Connects over TLS (with `credential`, if any), and says whether the
// controller's OpenFlow HELLO came back through it.
bool hello_over_tls(std::uint16_t port, const std::string& ca, const test_support::TestPki::Issued* credential) {
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(ca);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  if (credential) {
    ctx.use_certificate_chain_file(credential->cert);
    ctx.use_private_key_file(credential->key, asio::ssl::context::pem);
  }
  asio::ssl::stream<asio::ip::tcp::socket> tls(io, ctx);
  tls.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  const timeval five_seconds{5, 0};
  setsockopt(tls.lowest_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  std::array<std::uint8_t, 8> header{};
  std::error_code ec;
  tls.handshake(asio::ssl::stream_base::client, ec);
  if (!ec) asio::read(tls, asio::buffer(header), ec);  // under TLS 1.3 a refused certificate shows here
  return !ec && header[0] == 0x04 && header[1] == 0x00;
}

// Sends an OpenFlow 1.3 HELLO in the clear; what came back before the controller closed.
std::string plain_hello_reply(std::uint16_t port) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  const timeval five_seconds{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  const std::uint8_t hello[] = {0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01};
  asio::write(s, asio::buffer(hello));
  std::string reply;
  std::array<char, 512> buf;
  std::error_code ec;
  while (!ec) reply.append(buf.data(), s.read_some(asio::buffer(buf), ec));
  return ec == asio::error::eof || ec == asio::error::connection_reset ? reply : "(not closed: " + ec.message() + ")";
}

}  // namespace

TEST(Controller, OverTlsOnlySwitchesWithACertificateTheCaSignedAreServed) {
  const test_support::TestPki pki, rogue("rogue-ca");
  const auto server = pki.issue("controller"), sw = pki.issue("switch"), impostor = rogue.issue("switch");
  ctl::ControllerConfig config;
  config.tls = {server.cert, server.key, pki.ca_cert()};
  config.handshake_timeout = 300ms;
  RunningController ctl(config);

  EXPECT_TRUE(hello_over_tls(ctl.port(), pki.ca_cert(), &sw));
  EXPECT_FALSE(hello_over_tls(ctl.port(), pki.ca_cert(), nullptr));    // no certificate
  EXPECT_FALSE(hello_over_tls(ctl.port(), pki.ca_cert(), &impostor));  // another CA's
  // The client may read the refusal before the controller's loop has counted it.
  const auto refused = [&](std::uint64_t n) {
    for (int i = 0; i < 200 && ctl.stats().tls_refused.load() < n; ++i) std::this_thread::sleep_for(10ms);
    return ctl.stats().tls_refused.load();
  };
  EXPECT_EQ(refused(2), 2u);

  // Plain OpenFlow to the TLS port gets no OpenFlow back and is closed; a peer
  // that never starts the TLS handshake is closed at the handshake deadline.
  const std::string reply = plain_hello_reply(ctl.port());
  EXPECT_TRUE(reply.rfind("\x04\x00", 0) != 0 && reply.find("not closed") == std::string::npos) << reply;
  EXPECT_EQ(refused(3), 3u);
  TestSwitch mute(ctl.port(), of::Version::V13, 18);
  EXPECT_TRUE(mute.closed_by_peer(3000ms));
  EXPECT_EQ(ctl.stats().handshake_timeouts.load(), 1u);
  EXPECT_TRUE(hello_over_tls(ctl.port(), pki.ca_cert(), &sw));  // still serving
}

TEST(Controller, UnreadableTlsFilesAreACleanErrorAtStart) {
  const test_support::TestPki pki;
  const auto server = pki.issue("controller");
  ctl::ControllerConfig config;
  config.port = 0;
  config.tls = {server.cert, server.key, pki.dir() + "/no-such-ca.pem"};
  ctl::Controller controller(config, nullptr);
  try {
    controller.start();
    FAIL() << "started without its CA file";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("TLS CA certificate " + pki.dir() + "/no-such-ca.pem"), std::string::npos) << e.what();
  }
}

TEST(Controller, AFloodingPortIsCappedAndTheOtherPortsAreStillServed) {
  ctl::ControllerConfig config;
  config.packet_in_port_rate = 20;
  RunningController ctl(config);
  TestSwitch sw(ctl.port(), of::Version::V13, 19);
  ASSERT_TRUE(sw.handshake());
  // 200 broadcasts from port 3 at once: the learning switch floods the first 20.
  for (int i = 0; i < 200; ++i) sw.send(packet_in(3, frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:33")));
  const auto b = frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:44");
  sw.send(packet_in(4, b));
  // Port 4's packet is handled: its flood comes back (after port 3's admitted ones).
  bool port4_served = false;
  for (int i = 0; i < 100 && !port4_served; ++i) {
    auto po = sw.receive_until<of::PacketOut>();
    ASSERT_TRUE(po);
    port4_served = po->as<of::PacketOut>()->in_port == of::PortNo{4};
  }
  EXPECT_TRUE(port4_served);
  EXPECT_GE(ctl.stats().packet_ins_limited.load(), 170u);  // 180, less what refilled while they arrived
  EXPECT_EQ(ctl.stats().packet_ins.load(), 201u);
}

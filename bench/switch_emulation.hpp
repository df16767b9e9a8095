#pragma once
// What the load generators share: being an OpenFlow switch towards a
// controller (TCP connection, handshake and the control messages every
// controller sends), so that they can then inject PACKET_INs.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "openflow/codec.hpp"

namespace fmc::bench {

inline std::vector<of::Port> fake_ports(int count) {
  std::vector<of::Port> ports;
  for (int p = 1; p <= count; ++p) {
    of::Port port;
    port.port_no = of::PortNo{static_cast<std::uint32_t>(p)};
    port.hw_addr = net::MacAddr::from_u64(0x020000000000ull | static_cast<std::uint64_t>(p));
    port.name = "p" + std::to_string(p);
    ports.push_back(port);
  }
  return ports;
}

// A non-blocking TCP connection with Nagle off; exits with a message if it cannot connect.
inline int connect_tcp(const std::string& host, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "not an IPv4 address: %s\n", host.c_str());
    std::exit(2);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

enum class Control { kOther, kFeatures, kPortDesc };

// Answers the controller's handshake and housekeeping messages into `out`.
// Says which one it was: after FEATURES (OF1.0) or PORT_DESC (OF1.3) the
// controller considers the switch up.
inline Control answer_control(const of::Envelope& env, of::Version v, std::uint64_t dpid, int ports,
                              std::vector<std::uint8_t>& out) {
  const auto& m = env.message;
  const bool v13 = v == of::Version::V13;
  auto reply = [&](const of::Message& r) { (void)of::encode(r, v, env.xid, out); };
  if (std::holds_alternative<of::FeaturesRequest>(m)) {
    of::FeaturesReply r;
    r.datapath_id = of::Dpid{dpid};
    r.n_buffers = 256;
    r.n_tables = v13 ? 254 : 1;
    if (!v13) r.ports = fake_ports(ports);
    reply(r);
    return Control::kFeatures;
  }
  if (std::holds_alternative<of::PortDescRequest>(m)) {
    reply(of::PortDescReply{0, fake_ports(ports)});
    return Control::kPortDesc;
  }
  if (const auto* e = std::get_if<of::EchoRequest>(&m)) reply(of::EchoReply{e->data});
  else if (std::holds_alternative<of::BarrierRequest>(m)) reply(of::BarrierReply{});
  else if (std::holds_alternative<of::GetConfigRequest>(m)) reply(of::GetConfigReply{});
  else if (std::holds_alternative<of::DescRequest>(m)) reply(of::DescReply{0, "fmc", "loadgen", "fmc-loadgen", "0", "fake switch"});
  return Control::kOther;
}

}  // namespace fmc::bench

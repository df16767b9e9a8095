// fmc-dhcp-loadgen: many simulated DHCP clients doing DISCOVER-OFFER-
// REQUEST-ACK against a DHCP service, with a window of clients in flight,
// retransmission, and a check that no address is given to two clients.
// One client state machine, three ways to reach a server:
//
//   --openflow HOST:PORT  be an OpenFlow 1.3 access switch of the controller
//                         and send the clients' frames as PACKET_INs
//   --relay SERVER --giaddr ADDR
//                         be a DHCP relay agent (RFC 2131 §4.1) on UDP port
//                         67 at ADDR, as the controller is to ISC Kea
//   --raw IFACE           be the clients themselves: their broadcast UDP
//                         frames on a link (a raw packet socket), as a real
//                         access switch receives them
//
// Prints leases/s; --out writes "mac address" per bound client (also when
// the controller goes away mid-run: what was bound until then).
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "net/dhcp.hpp"
#include "net/udp.hpp"
#include "switch_emulation.hpp"

using namespace fmc;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string openflow;  // host:port
  std::uint64_t dpid = 0xb1;
  int ports = 64;
  std::string relay_server, giaddr;
  std::string raw;  // interface
  int clients = 10000;
  int window = 64;
  std::uint64_t seed = 1;
  double timeout_s = 60;
  std::string out;
  bool json = false;
};

// A client's message as it leaves the client: broadcast, from its MAC.
std::vector<std::uint8_t> client_frame(const net::DhcpMessage& m) {
  const auto payload = net::build_dhcp(m);
  return net::build_udp_frame(
      {m.chaddr, net::MacAddr::broadcast(), {}, net::Ipv4Addr{0xffffffff}, net::kDhcpClientPort, net::kDhcpServerPort},
      payload);
}

// A server's answer to a client, from a frame; nullopt for anything else.
std::optional<net::DhcpMessage> reply_in(Bytes frame) {
  const auto eth = net::EthernetView::parse(frame);
  const auto d = eth ? net::parse_udp(*eth) : std::nullopt;
  if (!d || d->udp.dst_port != net::kDhcpClientPort) return std::nullopt;
  auto m = net::parse_dhcp(d->udp.payload);
  return m ? std::optional{*m} : std::nullopt;
}

// A datagram sent on a non-blocking socket, waiting while its buffer is full.
void send_datagram(int fd, const std::vector<std::uint8_t>& bytes, const sockaddr* to, socklen_t to_len) {
  while (::sendto(fd, bytes.data(), bytes.size(), 0, to, to_len) < 0) {
    if (errno != EAGAIN && errno != ENOBUFS) {
      std::perror("sendto");
      return;
    }
    pollfd p{fd, POLLOUT, 0};
    ::poll(&p, 1, 10);
  }
}

// The way messages reach the server and replies come back.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const net::DhcpMessage& m, int client) = 0;
  // Replies that arrived within `wait_ms`.
  virtual std::vector<net::DhcpMessage> receive(int wait_ms) = 0;
  // The server side went away (the controller closed the connection).
  bool lost() const { return lost_; }

 protected:
  bool lost_ = false;
};

class OpenFlowSwitch final : public Transport {
 public:
  OpenFlowSwitch(const std::string& target, std::uint64_t dpid, int ports) : dpid_(dpid), ports_(ports) {
    const auto colon = target.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "--openflow wants HOST:PORT\n");
      std::exit(2);
    }
    fd_ = bench::connect_tcp(target.substr(0, colon), std::stoi(target.substr(colon + 1)));
    (void)of::encode(of::Hello{1u << static_cast<int>(of::Version::V13)}, of::Version::V13, of::Xid{0}, out_);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!up_ && !lost_ && Clock::now() < deadline) receive(50);
    if (!up_) {
      std::fprintf(stderr, "the controller did not complete the handshake\n");
      std::exit(1);
    }
  }
  ~OpenFlowSwitch() override { ::close(fd_); }

  void send(const net::DhcpMessage& m, int client) override {
    const auto frame = client_frame(m);
    of::PacketIn pi;
    pi.total_len = static_cast<std::uint16_t>(frame.size());
    pi.in_port = of::PortNo{static_cast<std::uint32_t>(2 + client % (ports_ - 1))};  // port 1 is the uplink
    pi.data = frame;
    (void)of::encode(pi, of::Version::V13, of::Xid{0}, out_);
  }

  std::vector<net::DhcpMessage> receive(int wait_ms) override {
    flush();
    std::vector<net::DhcpMessage> replies;
    pollfd p{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, wait_ms) <= 0) return replies;
    if (p.revents & POLLOUT) flush();
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) return replies;
    std::uint8_t buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      if (!lost_) std::fprintf(stderr, "the controller closed the connection\n");
      lost_ = true;
      return replies;
    }
    in_.insert(in_.end(), buf, buf + n);
    std::size_t off = 0;
    while (in_.size() - off >= 8) {
      const std::size_t len = static_cast<std::size_t>(in_[off + 2] << 8 | in_[off + 3]);
      if (len < 8 || in_.size() - off < len) break;
      if (auto env = of::decode(Bytes(in_.data() + off, len))) {
        if (const auto* po = std::get_if<of::PacketOut>(&env->message)) {
          if (auto m = reply_in(po->data)) replies.push_back(*m);
        } else {
          const auto c = bench::answer_control(*env, of::Version::V13, dpid_, ports_, out_);
          up_ |= c == bench::Control::kPortDesc;
        }
      }
      off += len;
    }
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(off));
    flush();
    return replies;
  }

 private:
  void flush() {
    while (!out_.empty()) {
      const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      out_.erase(out_.begin(), out_.begin() + n);
    }
  }
  int fd_;
  std::uint64_t dpid_;
  int ports_;
  bool up_ = false;
  std::vector<std::uint8_t> in_, out_;
};

class RelayAgent final : public Transport {
 public:
  RelayAgent(const std::string& server, const std::string& giaddr) {
    auto s = net::Ipv4Addr::parse(server);
    auto g = net::Ipv4Addr::parse(giaddr);
    if (!s || !g) {
      std::fprintf(stderr, "--relay and --giaddr want IPv4 addresses\n");
      std::exit(2);
    }
    giaddr_ = *g;
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int big = 8 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(net::kDhcpServerPort);
    local.sin_addr.s_addr = htonl(g->value);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      std::perror("bind giaddr:67");
      std::exit(1);
    }
    server_.sin_family = AF_INET;
    server_.sin_port = htons(net::kDhcpServerPort);
    server_.sin_addr.s_addr = htonl(s->value);
  }
  ~RelayAgent() override { ::close(fd_); }

  void send(const net::DhcpMessage& m, int) override {
    net::DhcpMessage relayed = m;
    relayed.giaddr = giaddr_;
    relayed.hops = 1;
    send_datagram(fd_, net::build_dhcp(relayed), reinterpret_cast<const sockaddr*>(&server_), sizeof server_);
  }

  std::vector<net::DhcpMessage> receive(int wait_ms) override {
    std::vector<net::DhcpMessage> replies;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return replies;
    std::uint8_t buf[2048];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0)
      if (auto m = net::parse_dhcp(Bytes(buf, static_cast<std::size_t>(n)))) replies.push_back(*m);
    return replies;
  }

 private:
  int fd_;
  net::Ipv4Addr giaddr_;
  sockaddr_in server_{};
};

class RawClients final : public Transport {
 public:
  explicit RawClients(const std::string& iface) {
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    const unsigned index = ::if_nametoindex(iface.c_str());
    if (fd_ < 0 || index == 0) {
      std::fprintf(stderr, "--raw %s: %s\n", iface.c_str(), fd_ < 0 ? std::strerror(errno) : "no such interface");
      std::exit(1);
    }
    int big = 8 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    // Answers go to the clients' own MACs, none of them the interface's.
    packet_mreq promisc{};
    promisc.mr_ifindex = static_cast<int>(index);
    promisc.mr_type = PACKET_MR_PROMISC;
    ::setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &promisc, sizeof promisc);
    link_.sll_family = AF_PACKET;
    link_.sll_protocol = htons(ETH_P_ALL);
    link_.sll_ifindex = static_cast<int>(index);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&link_), sizeof link_) != 0) {
      std::perror("bind");
      std::exit(1);
    }
  }
  ~RawClients() override { ::close(fd_); }

  void send(const net::DhcpMessage& m, int) override {
    send_datagram(fd_, client_frame(m), reinterpret_cast<const sockaddr*>(&link_), sizeof link_);
  }

  std::vector<net::DhcpMessage> receive(int wait_ms) override {
    std::vector<net::DhcpMessage> replies;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return replies;
    std::uint8_t buf[2048];
    sockaddr_ll from{};
    socklen_t len = sizeof from;
    ssize_t n;
    while ((n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len)) > 0) {
      if (from.sll_pkttype != PACKET_OUTGOING)  // not our own frames on their way out
        if (auto m = reply_in(Bytes(buf, static_cast<std::size_t>(n)))) replies.push_back(*m);
      len = sizeof from;
    }
    return replies;
  }

 private:
  int fd_;
  sockaddr_ll link_{};
};

enum class State { kWaiting, kDiscovering, kRequesting, kBound, kFailed };

struct Client {
  net::MacAddr mac;
  State state = State::kWaiting;
  Clock::time_point sent_at;
  int tries = 0;
  net::DhcpMessage last;  // for retransmission
  net::Ipv4Addr address;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: fmc-dhcp-loadgen (--openflow HOST:PORT [--dpid N] [--ports N] | --relay SERVER --giaddr ADDR |\n"
               "                         --raw IFACE)\n"
               "                        [--clients N] [--window N] [--seed N] [--timeout S] [--out FILE] [--json]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--openflow") o.openflow = next();
    else if (a == "--dpid") o.dpid = std::stoull(next(), nullptr, 0);
    else if (a == "--ports") o.ports = std::stoi(next());
    else if (a == "--relay") o.relay_server = next();
    else if (a == "--giaddr") o.giaddr = next();
    else if (a == "--raw") o.raw = next();
    else if (a == "--clients") o.clients = std::stoi(next());
    else if (a == "--window") o.window = std::stoi(next());
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--timeout") o.timeout_s = std::stod(next());
    else if (a == "--out") o.out = next();
    else if (a == "--json") o.json = true;
    else usage();
  }
  const int ways = !o.openflow.empty() + !o.relay_server.empty() + !o.raw.empty();
  if (ways != 1 || o.clients < 1 || o.window < 1 || o.ports < 2) usage();
  if (!o.relay_server.empty() && o.giaddr.empty()) usage();

  std::unique_ptr<Transport> transport;
  const char* way = !o.openflow.empty() ? "openflow" : !o.relay_server.empty() ? "relay" : "udp";
  if (!o.openflow.empty()) transport = std::make_unique<OpenFlowSwitch>(o.openflow, o.dpid, o.ports);
  else if (!o.relay_server.empty()) transport = std::make_unique<RelayAgent>(o.relay_server, o.giaddr);
  else transport = std::make_unique<RawClients>(o.raw);

  // Clients: locally administered unicast MACs from the seed, so a second run
  // with the same seed is the same population.
  std::vector<Client> clients(static_cast<std::size_t>(o.clients));
  std::mt19937_64 rng(o.seed);
  std::set<std::uint64_t> macs;
  for (auto& c : clients) {
    std::uint64_t v;
    do v = (rng() & 0xfcffffffffffull) | 0x020000000000ull;
    while (!macs.insert(v).second);
    c.mac = net::MacAddr::from_u64(v);
  }

  auto transmit = [&](std::size_t i, net::DhcpMessage m) {
    auto& c = clients[i];
    m.op = 1;
    m.xid = static_cast<std::uint32_t>(i + 1);
    m.chaddr = c.mac;
    m.parameter_list = {net::dhcp_option::kSubnetMask, net::dhcp_option::kRouter, net::dhcp_option::kDns};
    c.last = m;
    c.sent_at = Clock::now();
    transport->send(m, static_cast<int>(i));
  };
  auto discover = [&](std::size_t i) {
    clients[i].state = State::kDiscovering;
    net::DhcpMessage m;
    m.message_type = net::dhcp_type::kDiscover;
    transmit(i, m);
  };

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout_s));
  std::size_t next = 0, in_flight = 0, bound = 0, failed = 0, retransmits = 0, naks = 0, unexpected = 0;
  auto last_scan = start;
  auto done_at = start;
  while (bound + failed < clients.size() && Clock::now() < deadline && !transport->lost()) {
    while (in_flight < static_cast<std::size_t>(o.window) && next < clients.size()) {
      discover(next++);
      ++in_flight;
    }
    for (const auto& r : transport->receive(10)) {
      const std::size_t i = r.xid - 1;
      if (r.op != 2 || i >= clients.size() || r.chaddr != clients[i].mac) {
        ++unexpected;
        continue;
      }
      auto& c = clients[i];
      if (r.message_type == net::dhcp_type::kOffer && c.state == State::kDiscovering) {
        c.state = State::kRequesting;
        c.tries = 0;
        net::DhcpMessage m;
        m.message_type = net::dhcp_type::kRequest;
        m.server_id = r.server_id;
        m.requested_ip = r.yiaddr;
        transmit(i, m);
      } else if (r.message_type == net::dhcp_type::kAck && c.state == State::kRequesting) {
        c.state = State::kBound;
        c.address = r.yiaddr;
        ++bound;
        --in_flight;
        done_at = Clock::now();
      } else if (r.message_type == net::dhcp_type::kNak && c.state == State::kRequesting) {
        ++naks;
        discover(i);  // RFC 2131 §3.1: start over
      }
    }
    const auto now = Clock::now();
    if (now - last_scan > std::chrono::milliseconds(200)) {
      last_scan = now;
      for (std::size_t i = 0; i < next; ++i) {
        auto& c = clients[i];
        if ((c.state != State::kDiscovering && c.state != State::kRequesting) || now - c.sent_at < std::chrono::seconds(1)) continue;
        if (++c.tries > 4) {
          c.state = State::kFailed;
          ++failed;
          --in_flight;
          continue;
        }
        ++retransmits;
        transmit(i, c.last);
      }
    }
  }

  std::set<std::uint32_t> addresses;
  std::size_t duplicates = 0;
  std::ofstream out;
  if (!o.out.empty()) out.open(o.out);
  for (const auto& c : clients) {
    if (c.state != State::kBound) continue;
    duplicates += !addresses.insert(c.address.value).second;
    if (out) out << c.mac.to_string() << ' ' << c.address.to_string() << '\n';
  }
  const double seconds = std::chrono::duration<double>(done_at - start).count();
  const double rate = seconds > 0 ? static_cast<double>(bound) / seconds : 0;
  if (o.json)
    std::printf("{\"transport\":\"%s\",\"clients\":%d,\"bound\":%zu,\"failed\":%zu,\"duplicates\":%zu,\"naks\":%zu,"
                "\"retransmits\":%zu,\"unexpected\":%zu,\"seconds\":%.3f,\"leases_per_s\":%.0f}\n",
                way, o.clients, bound, failed, duplicates, naks, retransmits, unexpected, seconds, rate);
  else
    std::printf("%s: %zu of %d clients bound in %.3f s = %.0f leases/s (%zu failed, %zu duplicate addresses, %zu NAKs, "
                "%zu retransmits)\n",
                way, bound, o.clients, seconds, rate, failed, duplicates, naks, retransmits);
  return bound == clients.size() && duplicates == 0 ? 0 : 1;
}

#include "support/test_switch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace fmc::test_support {

TestSwitch::TestSwitch(std::uint16_t port, of::Version version, std::uint64_t dpid)
    : version_(version), dpid_(dpid) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("test switch cannot connect");
}

TestSwitch::~TestSwitch() {
  if (fd_ >= 0) ::close(fd_);
}

void TestSwitch::send_raw(const std::vector<std::uint8_t>& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

void TestSwitch::send(const of::Message& msg, of::Xid xid) {
  std::vector<std::uint8_t> out;
  if (!of::encode(msg, version_, xid, out)) throw std::runtime_error("test switch cannot encode message");
  send_raw(out);
}

std::optional<Received> TestSwitch::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (buf_.size() >= 8) {
      const std::size_t len = static_cast<std::size_t>(buf_[2] << 8 | buf_[3]);
      if (len >= 8 && buf_.size() >= len) {
        Received r{std::vector<std::uint8_t>(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(len)), {}};
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(len));
        auto env = of::decode(r.frame);
        if (!env) throw std::runtime_error(std::string("controller sent undecodable message: ") + env.error().reason);
        r.env = std::move(*env);
        return r;
      }
    }
    if (closed_) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    std::uint8_t chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      closed_ = true;
      continue;
    }
    buf_.insert(buf_.end(), chunk, chunk + n);
  }
}

bool TestSwitch::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!receive(left) && !closed_) return false;
  }
  return closed_;
}

bool TestSwitch::handshake(std::uint32_t ports) {
  auto hello = receive();
  if (!hello || !hello->as<of::Hello>()) return false;
  send(of::Hello{1u << static_cast<int>(version_)}, of::Xid{1});
  auto freq = receive();
  if (!freq || !freq->as<of::FeaturesRequest>()) return false;
  of::FeaturesReply reply;
  reply.datapath_id = of::Dpid{dpid_};
  reply.n_tables = 254;
  std::vector<of::Port> port_list;
  for (std::uint32_t p = 1; p <= ports; ++p) {
    of::Port port;
    port.port_no = of::PortNo{p};
    port.name = "p" + std::to_string(p);
    port_list.push_back(port);
  }
  if (version_ == of::Version::V10) reply.ports = port_list;
  send(reply, freq->env.xid);
  if (version_ == of::Version::V13) {
    auto pd = receive();
    if (!pd || !pd->as<of::PortDescRequest>()) return false;
    send(of::PortDescReply{0, port_list}, pd->env.xid);
  }
  return receive_until<of::SetConfig>().has_value();
}

}  // namespace fmc::test_support

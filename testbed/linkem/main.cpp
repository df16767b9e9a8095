// fmc-linkem: joins two interfaces through a LinkEmulator.
//   fmc-linkem --a IFACE --b IFACE [--delay PREFIX=MS]... [--default-delay MS]
//              [--loss P] [--rate-mbit N]
// Runs until SIGTERM/SIGINT. Must run in the namespace holding both interfaces.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "link_emulator.hpp"

using namespace fmc;
using namespace fmc::linkem;

namespace {

volatile std::sig_atomic_t g_stop = 0;

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "fmc-linkem: %s\n", msg.c_str());
  std::exit(2);
}

int open_raw(const std::string& ifname) {
  const int fd = ::socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) die("socket: " + std::string(std::strerror(errno)) + " (needs root)");
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
  if (sll.sll_ifindex == 0) die("no interface " + ifname);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) die("bind " + ifname + ": " + std::strerror(errno));
  packet_mreq mr{};
  mr.mr_ifindex = sll.sll_ifindex;
  mr.mr_type = PACKET_MR_PROMISC;
  ::setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr);
  // Do not see our own transmissions again.
  int one = 1;
  ::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  return fd;
}

double number(const std::string& flag, const std::string& v) {
  try {
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used == v.size() && d >= 0) return d;
  } catch (const std::exception&) {
  }
  die(flag + " expects a non-negative number, got '" + v + "'");
}

}  // namespace

int main(int argc, char** argv) {
  std::string a, b;
  LinkConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) die("missing value for " + flag);
    const std::string v = argv[++i];
    if (flag == "--a") a = v;
    else if (flag == "--b") b = v;
    else if (flag == "--default-delay") config.default_delay = std::chrono::microseconds(static_cast<long>(number(flag, v) * 1000));
    else if (flag == "--loss") config.loss = number(flag, v);
    else if (flag == "--rate-mbit") config.rate_bps = static_cast<std::uint64_t>(number(flag, v) * 1e6);
    else if (flag == "--delay") {
      const auto eq = v.find('=');
      auto prefix = eq == std::string::npos ? std::nullopt : net::Ipv4Prefix::parse(v.substr(0, eq));
      if (!prefix) die("--delay expects PREFIX=MS, got '" + v + "'");
      config.rules.push_back(DelayRule{*prefix, std::chrono::microseconds(static_cast<long>(number(flag, v.substr(eq + 1)) * 1000))});
    } else {
      die("unknown option " + flag);
    }
  }
  if (a.empty() || b.empty()) die("usage: fmc-linkem --a IFACE --b IFACE [--delay PREFIX=MS]... [--default-delay MS] [--loss P] [--rate-mbit N]");
  if (config.loss >= 1) die("--loss must be below 1");
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });

  const int fds[2] = {open_raw(a), open_raw(b)};
  LinkEmulator link(std::move(config), static_cast<std::uint32_t>(::getpid()));
  std::vector<std::uint8_t> buf(65536);
  while (!g_stop) {
    int timeout_ms = 100;
    if (auto next = link.next_release()) {
      const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(*next - Clock::now()).count();
      timeout_ms = wait <= 0 ? 0 : static_cast<int>((wait + 999) / 1000);
      if (timeout_ms > 100) timeout_ms = 100;
    }
    pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    const int n = ::poll(p, 2, timeout_ms);
    const auto now = Clock::now();
    for (int s = 0; s < 2 && n > 0; ++s) {
      if (!(p[s].revents & POLLIN)) continue;
      // Drain what is ready without blocking.
      while (true) {
        const ssize_t got = ::recv(fds[s], buf.data(), buf.size(), MSG_DONTWAIT);
        if (got <= 0) break;
        link.receive(static_cast<Side>(s), Bytes(buf.data(), static_cast<std::size_t>(got)), now);
      }
    }
    for (const auto& f : link.due(Clock::now())) ::send(fds[static_cast<int>(f.to)], f.frame.data(), f.frame.size(), 0);
  }
  return 0;
}

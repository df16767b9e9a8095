// fmc-loadgen: a cbench-like OpenFlow load generator. Emulates many
// switches that complete the handshake and then send PACKET_INs for a set
// of hosts; counts the controller's answers (a PACKET_OUT, or a FLOW_MOD
// that releases the packet's buffer) per second.
//
//   throughput mode: each switch keeps --window packet-ins outstanding
//   latency mode:    each switch has one packet-in outstanding at a time
// A packet-in not answered within --response-timeout-ms is counted dropped
// and its window slot returned, so a controller that drops under load (OVS's
// learning switch past 10 queued messages) is measured on, not stalled.
// Answers come in order on one connection: the oldest outstanding is answered.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "switch_emulation.hpp"

using namespace fmc;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 6653;
  int switches = 16;
  int hosts = 100;       // MAC addresses per switch
  int ports = 4;         // switch ports the hosts are spread over
  int window = 64;       // outstanding packet-ins per switch (throughput mode)
  double warmup = 2.0;   // seconds
  double duration = 5.0; // seconds measured
  bool latency = false;
  int response_timeout_ms = 500;
  of::Version version = of::Version::V13;
  bool json = false;
};

std::vector<std::uint8_t> udp_frame(std::uint64_t src, std::uint64_t dst) {
  std::vector<std::uint8_t> f(60, 0);
  const auto s = net::MacAddr::from_u64(src), d = net::MacAddr::from_u64(dst);
  std::copy(d.octets.begin(), d.octets.end(), f.begin());
  std::copy(s.octets.begin(), s.octets.end(), f.begin() + 6);
  f[12] = 0x08;  // IPv4
  const std::uint8_t ip[20] = {0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
  std::copy(std::begin(ip), std::end(ip), f.begin() + 14);
  // UDP header: ports 1000 -> 2000, length 26
  const std::uint8_t udp[8] = {0x03, 0xe8, 0x07, 0xd0, 0, 26, 0, 0};
  std::copy(std::begin(udp), std::end(udp), f.begin() + 34);
  return f;
}

struct FakeSwitch {
  int fd = -1;
  std::uint64_t dpid = 0;
  of::Version version = of::Version::V13;
  bool up = false;
  std::optional<Clock::time_point> up_at;
  std::vector<std::uint8_t> in, out;
  std::size_t out_off = 0;
  std::vector<std::vector<std::uint8_t>> learn_frames, load_frames;  // pre-encoded PACKET_INs
  std::size_t next_frame = 0;
  bool learned = false;
  struct Sent {
    Clock::time_point at;
    bool measured;  // sent while measuring (latency mode)
  };
  std::deque<Sent> outstanding;  // oldest first
  std::uint64_t responses = 0;
};

struct Totals {
  std::uint64_t responses = 0;
  std::uint64_t dropped = 0;  // not answered within the timeout while measuring
  std::vector<double> latencies_us;
};

std::vector<std::uint8_t> packet_in(of::Version v, std::uint32_t buffer_id, std::uint32_t port,
                                    const std::vector<std::uint8_t>& frame) {
  of::PacketIn pi;
  pi.buffer_id = buffer_id;
  pi.total_len = static_cast<std::uint16_t>(frame.size());
  pi.in_port = of::PortNo{port};
  pi.data = frame;
  return of::encode_or_empty(pi, v, of::Xid{0});
}

void build_frames(FakeSwitch& sw, const Options& o) {
  const std::uint64_t base = (sw.dpid & 0xffff) << 24;
  auto port_of = [&](int h) { return static_cast<std::uint32_t>(h % o.ports + 1); };
  for (int h = 0; h < o.hosts; ++h) {
    // Learning phase: every host broadcasts once.
    sw.learn_frames.push_back(packet_in(sw.version, static_cast<std::uint32_t>(h), port_of(h),
                                        udp_frame(base + h + 1, 0xffffffffffffull)));
    const int dst = (h + 1) % o.hosts;
    sw.load_frames.push_back(packet_in(sw.version, static_cast<std::uint32_t>(h), port_of(h),
                                       udp_frame(base + h + 1, base + dst + 1)));
  }
}

void queue(FakeSwitch& sw, const of::Message& m, of::Xid xid) {
  (void)of::encode(m, sw.version, xid, sw.out);
}

void send_packet_in(FakeSwitch& sw, bool measuring) {
  auto& frames = sw.learned ? sw.load_frames : sw.learn_frames;
  const auto& f = frames[sw.next_frame];
  sw.out.insert(sw.out.end(), f.begin(), f.end());
  if (++sw.next_frame == frames.size()) {
    sw.next_frame = 0;
    sw.learned = true;
  }
  sw.outstanding.push_back(FakeSwitch::Sent{Clock::now(), measuring});
}

// Returns the window slots of packet-ins unanswered for longer than the timeout.
void expire(FakeSwitch& sw, Clock::time_point now, const Options& o, Totals& totals, Clock::time_point measure_from,
            Clock::time_point end) {
  const auto limit = std::chrono::milliseconds(o.response_timeout_ms);
  while (!sw.outstanding.empty() && now - sw.outstanding.front().at > limit) {
    if (sw.outstanding.front().at >= measure_from && now < end) ++totals.dropped;
    sw.outstanding.pop_front();
  }
}

// Handles one message from the controller. Returns true if it answered a packet-in.
bool handle(FakeSwitch& sw, Bytes frame, const Options& o) {
  const std::uint8_t type = frame[1];
  const bool v13 = sw.version == of::Version::V13;
  if (type == 13) return true;  // PACKET_OUT
  if (type == 14) {             // FLOW_MOD: answers a packet-in if it carries its buffer
    const std::size_t off = v13 ? 32 : 64;
    if (frame.size() < off + 4) return false;
    const std::uint32_t buffer = static_cast<std::uint32_t>(frame[off] << 24 | frame[off + 1] << 16 | frame[off + 2] << 8 | frame[off + 3]);
    return buffer != of::kNoBuffer;
  }
  auto env = of::decode(frame);
  if (!env) return false;
  // Some controllers ask for the port list after FEATURES and ignore
  // packet-ins until they have it; others never ask. Without a port-desc
  // request, load starts after a grace period.
  switch (bench::answer_control(*env, sw.version, sw.dpid, o.ports, sw.out)) {
    case bench::Control::kFeatures:
      if (!v13) sw.up = true;
      else sw.up_at = Clock::now() + std::chrono::milliseconds(300);
      break;
    case bench::Control::kPortDesc: sw.up = true; break;
    case bench::Control::kOther: break;
  }
  return false;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: fmc-loadgen [--host H] [--port P] [--switches N] [--hosts N] [--window N]\n"
               "                   [--warmup S] [--duration S] [--mode throughput|latency]\n"
               "                   [--of 1.0|1.3] [--response-timeout-ms N] [--json]\n");
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
    if (a == "--host") o.host = next();
    else if (a == "--port") o.port = std::stoi(next());
    else if (a == "--switches") o.switches = std::stoi(next());
    else if (a == "--hosts") o.hosts = std::stoi(next());
    else if (a == "--window") o.window = std::stoi(next());
    else if (a == "--warmup") o.warmup = std::stod(next());
    else if (a == "--duration") o.duration = std::stod(next());
    else if (a == "--mode") o.latency = next() == "latency";
    else if (a == "--of") o.version = next() == "1.0" ? of::Version::V10 : of::Version::V13;
    else if (a == "--response-timeout-ms") o.response_timeout_ms = std::stoi(next());
    else if (a == "--json") o.json = true;
    else usage();
  }
  if (o.hosts < 2 || o.ports < 2 || o.switches < 1 || o.window < 1 || o.response_timeout_ms < 1) usage();

  std::vector<FakeSwitch> sws(static_cast<std::size_t>(o.switches));
  for (std::size_t i = 0; i < sws.size(); ++i) {
    auto& sw = sws[i];
    sw.dpid = i + 1;
    sw.version = o.version;
    sw.fd = bench::connect_tcp(o.host, o.port);
    build_frames(sw, o);
    queue(sw, of::Hello{1u << static_cast<int>(o.version)}, of::Xid{0});
  }

  Totals totals;
  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  const auto end = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  const int limit = o.latency ? 1 : o.window;
  std::vector<pollfd> pfds(sws.size());
  bool all_up_reported = false;

  while (Clock::now() < end) {
    const auto now = Clock::now();
    const bool measuring = now >= measure_from;
    bool all_up = true;
    for (std::size_t i = 0; i < sws.size(); ++i) {
      auto& sw = sws[i];
      if (!sw.up && sw.up_at && now >= *sw.up_at) sw.up = true;
      all_up &= sw.up;
      if (sw.up) {
        expire(sw, now, o, totals, measure_from, end);
        while (static_cast<int>(sw.outstanding.size()) < limit) send_packet_in(sw, o.latency && measuring);
      }
      pfds[i] = {sw.fd, static_cast<short>(POLLIN | (sw.out.size() > sw.out_off ? POLLOUT : 0)), 0};
    }
    if (all_up && !all_up_reported && !o.json) {
      std::fprintf(stderr, "all %d switches up after %.3f s\n", o.switches,
                   std::chrono::duration<double>(Clock::now() - start).count());
      all_up_reported = true;
    }
    if (::poll(pfds.data(), pfds.size(), 100) < 0) break;
    for (std::size_t i = 0; i < sws.size(); ++i) {
      auto& sw = sws[i];
      if (pfds[i].revents & POLLOUT) {
        const ssize_t n = ::send(sw.fd, sw.out.data() + sw.out_off, sw.out.size() - sw.out_off, MSG_NOSIGNAL);
        if (n > 0) sw.out_off += static_cast<std::size_t>(n);
        if (sw.out_off == sw.out.size()) {
          sw.out.clear();
          sw.out_off = 0;
        }
      }
      if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        std::uint8_t buf[65536];
        const ssize_t n = ::recv(sw.fd, buf, sizeof buf, 0);
        if (n <= 0) {
          std::fprintf(stderr, "switch %llu: controller closed the connection\n", static_cast<unsigned long long>(sw.dpid));
          return 1;
        }
        sw.in.insert(sw.in.end(), buf, buf + n);
        std::size_t off = 0;
        while (sw.in.size() - off >= 8) {
          const std::size_t len = static_cast<std::size_t>(sw.in[off + 2] << 8 | sw.in[off + 3]);
          if (len < 8) {
            std::fprintf(stderr, "bad frame from controller\n");
            return 1;
          }
          if (sw.in.size() - off < len) break;
          if (handle(sw, Bytes(sw.in.data() + off, len), o) && !sw.outstanding.empty()) {
            const auto sent = sw.outstanding.front();
            sw.outstanding.pop_front();
            const auto t = Clock::now();
            if (t >= measure_from && t < end) {
              ++sw.responses;
              ++totals.responses;
              if (o.latency && sent.measured)
                totals.latencies_us.push_back(std::chrono::duration<double, std::micro>(t - sent.at).count());
            }
          }
          off += len;
        }
        sw.in.erase(sw.in.begin(), sw.in.begin() + static_cast<std::ptrdiff_t>(off));
      }
    }
  }
  for (auto& sw : sws) ::close(sw.fd);

  const double rate = static_cast<double>(totals.responses) / o.duration;
  std::uint64_t min_sw = UINT64_MAX, max_sw = 0;
  for (auto& sw : sws) {
    min_sw = std::min(min_sw, sw.responses);
    max_sw = std::max(max_sw, sw.responses);
  }
  const double p50 = percentile(totals.latencies_us, 0.50);
  const double p99 = percentile(totals.latencies_us, 0.99);
  if (o.json) {
    std::printf("{\"mode\":\"%s\",\"of\":\"%s\",\"switches\":%d,\"responses_per_s\":%.0f,\"dropped\":%llu,"
                "\"per_switch_min\":%llu,\"per_switch_max\":%llu,\"latency_p50_us\":%.1f,\"latency_p99_us\":%.1f}\n",
                o.latency ? "latency" : "throughput", o.version == of::Version::V13 ? "1.3" : "1.0", o.switches,
                rate, static_cast<unsigned long long>(totals.dropped), static_cast<unsigned long long>(min_sw),
                static_cast<unsigned long long>(max_sw), p50, p99);
  } else {
    std::printf("%s, OpenFlow %s, %d switches: %.0f responses/s, %llu dropped (per switch min %llu max %llu)",
                o.latency ? "latency" : "throughput", o.version == of::Version::V13 ? "1.3" : "1.0", o.switches, rate,
                static_cast<unsigned long long>(totals.dropped), static_cast<unsigned long long>(min_sw),
                static_cast<unsigned long long>(max_sw));
    if (o.latency) std::printf(", p50 %.1f us, p99 %.1f us", p50, p99);
    std::printf("\n");
  }
  return totals.responses > 0 ? 0 : 1;
}

#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "controller/tls.hpp"

namespace fmc::ctl {

// What to do when a second connection presents a DPID that is already up.
enum class DuplicateDpidPolicy {
  kReplaceOld,  // the newcomer wins (a restarted switch whose old TCP session is half-dead)
  kRejectNew,   // the first connection keeps the DPID; the newcomer is closed
};

struct ControllerConfig {
  std::string listen_address = "127.0.0.1";
  TlsFiles tls;  // enabled: every connection is TLS, switches show a certificate the CA signed
  std::uint16_t port = 6653;  // 0 = any free port (tests)
  unsigned threads = 1;
  std::chrono::milliseconds echo_interval{5000};
  std::chrono::milliseconds dead_after{15000};  // no message for this long: the peer is dead
  std::chrono::milliseconds handshake_timeout{10000};  // HELLO to port description, or closed
  // What a peer may hold of us: bytes waiting for it to read (over this, it loses its
  // connection), connections in all and from one address (over these, refused at once).
  std::size_t max_output_bytes = 16u << 20;
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_address = 1024;
  // PACKET_INs per second an app may be handed, per switch and per ingress port (0: no cap).
  std::uint32_t packet_in_rate = 50'000;
  std::uint32_t packet_in_port_rate = 2'000;
  DuplicateDpidPolicy duplicate_dpid = DuplicateDpidPolicy::kReplaceOld;
  std::uint32_t version_bitmap = (1u << 0x01) | (1u << 0x04);
  std::uint16_t miss_send_len = 0xffff;
};

}  // namespace fmc::ctl

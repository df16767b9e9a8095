#pragma once
// Controller-wide counters (read by tests, logs and later /metrics).
#include <atomic>
#include <cstdint>

namespace fmc::ctl {

struct ControllerStats {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> switches_up{0};
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> packet_ins{0};
  std::atomic<std::uint64_t> flow_mods_out{0};
  std::atomic<std::uint64_t> packet_outs{0};
  std::atomic<std::int64_t> barriers_in_flight{0};  // gauge
  std::atomic<std::uint64_t> rejected_malformed{0};      // decode errors answered with OFPT_ERROR
  std::atomic<std::uint64_t> rejected_framing{0};        // unrecoverable stream errors, connection closed
  std::atomic<std::uint64_t> rejected_version{0};        // hello negotiation failures / wrong version
  std::atomic<std::uint64_t> duplicate_dpid{0};
  std::atomic<std::uint64_t> dead_peers{0};
  std::atomic<std::uint64_t> handshake_timeouts{0};
  std::atomic<std::uint64_t> slow_readers{0};         // closed: output over max_output_bytes
  std::atomic<std::uint64_t> refused_connections{0};  // over max_connections(_per_address)
  std::atomic<std::uint64_t> tls_refused{0};
  std::atomic<std::uint64_t> packet_ins_limited{0};   // dropped: over a switch's or a port's PACKET_IN rate          // TLS handshake failed (no, or an unknown, certificate)
  std::atomic<std::uint64_t> switch_errors{0};           // OFPT_ERRORs switches sent us
  std::atomic<std::uint64_t> table_full{0};              // of them: a flow refused for want of room
  std::atomic<std::uint64_t> unencodable{0};             // app sent what the version cannot express
};

}  // namespace fmc::ctl

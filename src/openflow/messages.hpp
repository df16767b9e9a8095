#pragma once
// Version-independent OpenFlow messages. Decoded messages are zero-copy:
// `Bytes` fields point into the frame they were decoded from and are valid
// only as long as that frame.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "openflow/action.hpp"
#include "openflow/error.hpp"
#include "openflow/match.hpp"
#include "openflow/types.hpp"

namespace fmc::of {

struct Hello {
  std::uint32_t version_bitmap = 0;  // bit n = wire version n; 0 = none sent
};
struct ErrorMsg {
  std::uint16_t type = 0;  // as on the wire: a peer may send values we do not define
  std::uint16_t code = 0;
  Bytes data;
  bool is(ErrorCode c) const { return type == static_cast<std::uint16_t>(c.type) && code == c.value; }
};
struct EchoRequest {
  Bytes data;
};
struct EchoReply {
  Bytes data;
};
struct FeaturesRequest {};

struct Port {
  PortNo port_no;
  net::MacAddr hw_addr;
  std::string name;
  std::uint32_t config = 0;
  std::uint32_t state = 0;
  std::uint32_t curr = 0, advertised = 0, supported = 0, peer = 0;
  std::uint32_t curr_speed = 0, max_speed = 0;  // kbps, 1.3 only
  bool operator==(const Port&) const = default;
};

struct FeaturesReply {
  Dpid datapath_id;
  std::uint32_t n_buffers = 0;
  std::uint8_t n_tables = 0;
  std::uint8_t auxiliary_id = 0;  // 1.3 only
  std::uint32_t capabilities = 0;
  std::vector<Port> ports;        // 1.0 only; 1.3 uses a port-desc request
};
struct GetConfigRequest {};
struct SwitchConfig {
  std::uint16_t flags = 0;
  std::uint16_t miss_send_len = 0xffff;
};
struct GetConfigReply {
  SwitchConfig config;
};
struct SetConfig {
  SwitchConfig config;
};

namespace packet_in_reason {
inline constexpr std::uint8_t kNoMatch = 0, kAction = 1, kInvalidTtl = 2;
}
struct PacketIn {
  std::uint32_t buffer_id = kNoBuffer;
  std::uint16_t total_len = 0;
  std::uint8_t reason = packet_in_reason::kNoMatch;
  std::uint8_t table_id = 0;  // 1.3 only
  std::uint64_t cookie = 0;   // 1.3 only
  PortNo in_port;             // from the match in 1.3
  Match match;
  Bytes data;
};
struct PacketOut {
  std::uint32_t buffer_id = kNoBuffer;
  PortNo in_port = port::kController;
  ActionList actions;
  Bytes data;
};

enum class FlowModCommand : std::uint8_t { kAdd = 0, kModify = 1, kModifyStrict = 2, kDelete = 3, kDeleteStrict = 4 };
namespace flow_mod_flags {
inline constexpr std::uint16_t kSendFlowRem = 1 << 0, kCheckOverlap = 1 << 1, kResetCounts = 1 << 2;
}
struct FlowMod {
  std::uint64_t cookie = 0;
  std::uint64_t cookie_mask = 0;  // 1.3 only
  std::uint8_t table_id = 0;      // 1.3 only
  FlowModCommand command = FlowModCommand::kAdd;
  std::uint16_t idle_timeout = 0;
  std::uint16_t hard_timeout = 0;
  std::uint16_t priority = 0x8000;
  std::uint32_t buffer_id = kNoBuffer;
  PortNo out_port = port::kAny;
  std::uint32_t out_group = kGroupAny;  // 1.3 only
  std::uint16_t flags = 0;
  Match match;
  InstructionList instructions;
};

struct FlowRemoved {
  std::uint64_t cookie = 0;
  std::uint16_t priority = 0;
  std::uint8_t reason = 0;
  std::uint8_t table_id = 0;
  std::uint32_t duration_sec = 0, duration_nsec = 0;
  std::uint16_t idle_timeout = 0, hard_timeout = 0;
  std::uint64_t packet_count = 0, byte_count = 0;
  Match match;
};

namespace port_reason {
inline constexpr std::uint8_t kAdd = 0, kDelete = 1, kModify = 2;
}
struct PortStatus {
  std::uint8_t reason = port_reason::kAdd;
  Port desc;
};
struct BarrierRequest {};
struct BarrierReply {};

enum class ControllerRole : std::uint32_t { kNoChange = 0, kEqual = 1, kMaster = 2, kSlave = 3 };
struct RoleRequest {
  ControllerRole role = ControllerRole::kNoChange;
  std::uint64_t generation_id = 0;
};
struct RoleReply {
  ControllerRole role = ControllerRole::kNoChange;
  std::uint64_t generation_id = 0;
};
// A switch tells a controller its role changed without it asking: in 1.3
// the ONF extension (experimenter 0x4F4E4600, type 1911) that 1.4 made
// OFPT_ROLE_STATUS. Open vSwitch sends it to the controller another one
// displaced as master.
namespace role_reason {
inline constexpr std::uint8_t kMasterRequest = 0, kConfig = 1, kExperimenter = 2;
}
struct RoleStatus {
  ControllerRole role = ControllerRole::kNoChange;
  std::uint8_t reason = role_reason::kMasterRequest;
  std::uint64_t generation_id = 0;
};

// Multipart (1.3) / statistics (1.0).
inline constexpr std::uint16_t kMultipartReplyMore = 1;

struct DescRequest {};
struct DescReply {
  std::uint16_t flags = 0;
  std::string mfr_desc, hw_desc, sw_desc, serial_num, dp_desc;
};
struct FlowStatsRequest {
  std::uint8_t table_id = kTableAll;
  PortNo out_port = port::kAny;
  std::uint32_t out_group = kGroupAny;
  std::uint64_t cookie = 0, cookie_mask = 0;
  Match match;
};
struct FlowStats {
  std::uint8_t table_id = 0;
  std::uint32_t duration_sec = 0, duration_nsec = 0;
  std::uint16_t priority = 0, idle_timeout = 0, hard_timeout = 0, flags = 0;
  std::uint64_t cookie = 0, packet_count = 0, byte_count = 0;
  Match match;
  InstructionList instructions;
};
struct FlowStatsReply {
  std::uint16_t flags = 0;
  std::vector<FlowStats> stats;
};
struct AggregateStatsRequest {
  FlowStatsRequest filter;
};
struct AggregateStatsReply {
  std::uint16_t flags = 0;
  std::uint64_t packet_count = 0, byte_count = 0;
  std::uint32_t flow_count = 0;
};
struct TableStatsRequest {};
struct TableStats {
  std::uint8_t table_id = 0;
  std::uint32_t active_count = 0;
  std::uint64_t lookup_count = 0, matched_count = 0;
};
struct TableStatsReply {
  std::uint16_t flags = 0;
  std::vector<TableStats> stats;
};
struct PortStatsRequest {
  PortNo port_no = port::kAny;
};
struct PortStats {
  PortNo port_no;
  std::uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  std::uint64_t rx_dropped = 0, tx_dropped = 0, rx_errors = 0, tx_errors = 0;
  std::uint64_t rx_frame_err = 0, rx_over_err = 0, rx_crc_err = 0, collisions = 0;
  std::uint32_t duration_sec = 0, duration_nsec = 0;  // 1.3 only
};
struct PortStatsReply {
  std::uint16_t flags = 0;
  std::vector<PortStats> stats;
};
// 1.3 meters: drop bands only (what the controller uses to cap PACKET_INs).
enum class MeterModCommand : std::uint16_t { kAdd = 0, kModify = 1, kDelete = 2 };
namespace meter_flags {
inline constexpr std::uint16_t kKbps = 1 << 0, kPktps = 1 << 1, kBurst = 1 << 2, kStats = 1 << 3;
}
namespace meter {
inline constexpr std::uint32_t kAll = 0xffffffff;  // OFPM_ALL: every meter (delete)
}
struct MeterBand {
  std::uint32_t rate = 0;        // in kb/s or packets/s, as the meter's flags say
  std::uint32_t burst_size = 0;  // with kBurst
  bool operator==(const MeterBand&) const = default;
};
struct MeterMod {
  MeterModCommand command = MeterModCommand::kAdd;
  std::uint16_t flags = 0;
  std::uint32_t meter_id = 0;
  std::vector<MeterBand> bands;  // each of type DROP
};
struct PortDescRequest {};
struct PortDescReply {
  std::uint16_t flags = 0;
  std::vector<Port> ports;
};

using Message =
    std::variant<Hello, ErrorMsg, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply,
                 GetConfigRequest, GetConfigReply, SetConfig, PacketIn, PacketOut, FlowMod,
                 FlowRemoved, PortStatus, BarrierRequest, BarrierReply, RoleRequest, RoleReply, RoleStatus,
                 DescRequest, DescReply, FlowStatsRequest, FlowStatsReply, AggregateStatsRequest,
                 AggregateStatsReply, TableStatsRequest, TableStatsReply, PortStatsRequest,
                 PortStatsReply, PortDescRequest, PortDescReply, MeterMod>;

}  // namespace fmc::of

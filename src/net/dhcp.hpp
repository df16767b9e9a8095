#pragma once
// DHCP messages (RFC 2131) and the options this project uses (RFC 2132,
// RFC 3046 relay agent information). Pure: parse never reads past its input
// and says why it refused; build produces a BOOTP-sized message.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "util/result.hpp"

namespace fmc::net {

namespace dhcp_type {
inline constexpr std::uint8_t kDiscover = 1, kOffer = 2, kRequest = 3, kDecline = 4, kAck = 5, kNak = 6,
                              kRelease = 7, kInform = 8;
}

namespace dhcp_option {
inline constexpr std::uint8_t kPad = 0, kSubnetMask = 1, kRouter = 3, kDns = 6, kHostName = 12, kDomainName = 15,
                              kRequestedIp = 50, kLeaseTime = 51, kOverload = 52, kMessageType = 53,
                              kServerId = 54, kParameterList = 55, kMessage = 56, kMaxSize = 57,
                              kRenewalTime = 58, kRebindingTime = 59, kClientId = 61, kRelayAgent = 82,
                              kEnd = 255;
}

inline constexpr std::uint16_t kDhcpServerPort = 67;
inline constexpr std::uint16_t kDhcpClientPort = 68;

struct DhcpError {
  const char* reason;  // static string: counted and logged by callers
};

// Relay agent information (option 82): circuit-id and remote-id sub-options.
struct RelayAgentInfo {
  std::string circuit_id;
  std::string remote_id;
  bool operator==(const RelayAgentInfo&) const = default;
};

struct DhcpMessage {
  std::uint8_t op = 1;  // 1 request, 2 reply
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;  // bit 15: broadcast
  Ipv4Addr ciaddr, yiaddr, siaddr, giaddr;
  MacAddr chaddr;

  std::uint8_t message_type = 0;  // option 53; 0 = absent (plain BOOTP)
  std::optional<Ipv4Addr> requested_ip;      // 50
  std::optional<std::uint32_t> lease_time;   // 51, seconds
  std::optional<std::uint32_t> renewal_time;     // 58
  std::optional<std::uint32_t> rebinding_time;   // 59
  std::optional<Ipv4Addr> server_id;         // 54
  std::optional<Ipv4Addr> subnet_mask;       // 1
  std::vector<Ipv4Addr> routers;             // 3
  std::vector<Ipv4Addr> dns_servers;         // 6
  std::optional<std::string> host_name;      // 12
  std::optional<std::string> domain_name;    // 15
  std::optional<std::string> message;        // 56
  std::vector<std::uint8_t> parameter_list;  // 55
  std::vector<std::uint8_t> client_id;       // 61
  std::optional<RelayAgentInfo> relay_agent; // 82
  std::map<std::uint8_t, std::vector<std::uint8_t>> other_options;  // kept verbatim

  bool broadcast() const { return (flags & 0x8000) != 0; }
  bool operator==(const DhcpMessage&) const = default;
};

Result<DhcpMessage, DhcpError> parse_dhcp(Bytes udp_payload);
std::vector<std::uint8_t> build_dhcp(const DhcpMessage& m);

}  // namespace fmc::net

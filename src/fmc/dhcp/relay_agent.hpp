#pragma once
// DHCP relay agent (RFC 2131 §4.1, RFC 3046) for relay mode: the
// controller forwards client messages to an external server (ISC Kea) with
// giaddr = the access network's relay agent address and option 82 naming
// where the client is attached, and hands the server's replies back to that
// port. Pure: message transformations only.
#include <optional>
#include <string>

#include "fmc/model/network_model.hpp"
#include "net/dhcp.hpp"

namespace fmc::dhcp {

inline constexpr std::uint8_t kMaxHops = 16;

// circuit-id "<switch>:<port>", remote-id "<access network>".
net::RelayAgentInfo circuit_of(const model::Site& network, of::PortNo port);
// The port a circuit-id names on the switch of `network`, if it is that switch's.
std::optional<of::PortNo> port_of_circuit(const model::Site& network, const std::string& circuit_id);

// The client's message as the relay agent forwards it, or why it is refused.
// (Client-port checks, e.g. no giaddr and no option 82 from clients, are the caller's.)
Result<net::DhcpMessage, const char*> relay_request(const net::DhcpMessage& m, const model::Site& network, of::PortNo port);

// The MAC the controller answers for the relay agent address with.
net::MacAddr relay_agent_mac(net::Ipv4Addr agent);

}  // namespace fmc::dhcp

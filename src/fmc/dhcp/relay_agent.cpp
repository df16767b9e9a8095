#include "fmc/dhcp/relay_agent.hpp"

#include <charconv>

namespace fmc::dhcp {

net::RelayAgentInfo circuit_of(const model::Site& network, of::PortNo port) {
  return {network.switch_name + ":" + std::to_string(port.value), network.name};
}

std::optional<of::PortNo> port_of_circuit(const model::Site& network, const std::string& circuit_id) {
  const std::string prefix = network.switch_name + ":";
  if (circuit_id.size() <= prefix.size() || circuit_id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::uint32_t port = 0;
  const char* first = circuit_id.data() + prefix.size();
  const char* last = circuit_id.data() + circuit_id.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last) return std::nullopt;
  return of::PortNo{port};
}

Result<net::DhcpMessage, const char*> relay_request(const net::DhcpMessage& m, const model::Site& network, of::PortNo port) {
  if (!network.dhcp_relay_agent) return Unexpected{"no relay agent address for this network"};
  if (m.op != 1) return Unexpected{"not a client request"};
  if (m.hops >= kMaxHops) return Unexpected{"too many hops"};
  net::DhcpMessage out = m;
  out.hops = static_cast<std::uint8_t>(m.hops + 1);
  out.giaddr = *network.dhcp_relay_agent;
  out.relay_agent = circuit_of(network, port);
  return out;
}

net::MacAddr relay_agent_mac(net::Ipv4Addr agent) {
  const std::uint32_t v = agent.value;
  return net::MacAddr{{0x02, 0xfd, static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                       static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}};
}

}  // namespace fmc::dhcp

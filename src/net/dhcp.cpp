#include "net/dhcp.hpp"

namespace fmc::net {

namespace {

constexpr std::uint32_t kMagicCookie = 0x63825363;
constexpr std::size_t kMinBootpLen = 300;

Unexpected<DhcpError> refuse(const char* why) { return Unexpected<DhcpError>{DhcpError{why}}; }

std::vector<Ipv4Addr> addresses(Bytes v) {
  std::vector<Ipv4Addr> out;
  ByteReader r(v);
  while (r.remaining() >= 4) out.push_back(Ipv4Addr{r.u32()});
  return out;
}

std::string text(Bytes v) { return std::string(v.begin(), v.end()); }

std::optional<RelayAgentInfo> relay_agent(Bytes v) {
  RelayAgentInfo info;
  ByteReader r(v);
  while (r.remaining() > 0) {
    const std::uint8_t sub = r.u8();
    const std::uint8_t len = r.u8();
    const Bytes value = r.bytes(len);
    if (!r.ok()) return std::nullopt;
    if (sub == 1) info.circuit_id = text(value);
    if (sub == 2) info.remote_id = text(value);
  }
  return info;
}

// Applies one option; false if its length is wrong for its type.
bool apply(DhcpMessage& m, std::uint8_t code, Bytes v) {
  namespace o = dhcp_option;
  auto u32 = [&](std::optional<std::uint32_t>& slot) {
    if (v.size() != 4) return false;
    ByteReader r(v);
    slot = r.u32();
    return true;
  };
  auto ip = [&](std::optional<Ipv4Addr>& slot) {
    if (v.size() != 4) return false;
    ByteReader r(v);
    slot = Ipv4Addr{r.u32()};
    return true;
  };
  switch (code) {
    case o::kMessageType:
      if (v.size() != 1 || v[0] < dhcp_type::kDiscover || v[0] > dhcp_type::kInform) return false;
      m.message_type = v[0];
      return true;
    case o::kRequestedIp: return ip(m.requested_ip);
    case o::kServerId: return ip(m.server_id);
    case o::kSubnetMask: return ip(m.subnet_mask);
    case o::kLeaseTime: return u32(m.lease_time);
    case o::kRenewalTime: return u32(m.renewal_time);
    case o::kRebindingTime: return u32(m.rebinding_time);
    case o::kRouter:
    case o::kDns:
      if (v.empty() || v.size() % 4 != 0) return false;
      (code == o::kRouter ? m.routers : m.dns_servers) = addresses(v);
      return true;
    case o::kHostName: m.host_name = text(v); return !v.empty();
    case o::kDomainName: m.domain_name = text(v); return !v.empty();
    case o::kMessage: m.message = text(v); return !v.empty();
    case o::kParameterList: m.parameter_list.assign(v.begin(), v.end()); return !v.empty();
    case o::kClientId: m.client_id.assign(v.begin(), v.end()); return v.size() >= 2;
    case o::kRelayAgent: m.relay_agent = relay_agent(v); return m.relay_agent.has_value();
    default: m.other_options[code].assign(v.begin(), v.end()); return true;
  }
}

}  // namespace

Result<DhcpMessage, DhcpError> parse_dhcp(Bytes payload) {
  ByteReader r(payload);
  DhcpMessage m;
  m.op = r.u8();
  const std::uint8_t htype = r.u8();
  const std::uint8_t hlen = r.u8();
  m.hops = r.u8();
  m.xid = r.u32();
  m.secs = r.u16();
  m.flags = r.u16();
  m.ciaddr = Ipv4Addr{r.u32()};
  m.yiaddr = Ipv4Addr{r.u32()};
  m.siaddr = Ipv4Addr{r.u32()};
  m.giaddr = Ipv4Addr{r.u32()};
  m.chaddr = read_mac(r);
  r.skip(10 + 64 + 128);  // chaddr padding, sname, file
  if (!r.ok()) return refuse("shorter than the fixed BOOTP header");
  if (m.op != 1 && m.op != 2) return refuse("op is neither request nor reply");
  if (htype != 1 || hlen != 6) return refuse("hardware type is not Ethernet (htype 1, hlen 6)");
  if (r.u32() != kMagicCookie || !r.ok()) return refuse("no DHCP magic cookie");

  bool ended = false;
  while (r.remaining() > 0 && !ended) {
    const std::uint8_t code = r.u8();
    if (code == dhcp_option::kPad) continue;
    if (code == dhcp_option::kEnd) {
      ended = true;
      break;
    }
    if (!r.has(1)) return refuse("option without a length");
    const std::uint8_t len = r.u8();
    if (!r.has(len)) return refuse("option overruns the message");
    if (len == 0) return refuse("zero-length option");
    if (code == dhcp_option::kOverload) return refuse("option overload (sname/file options) is not supported");
    if (!apply(m, code, r.bytes(len))) return refuse("option has an invalid length or value");
  }
  if (!ended) return refuse("options are not terminated by END");
  return m;
}

std::vector<std::uint8_t> build_dhcp(const DhcpMessage& m) {
  std::vector<std::uint8_t> out;
  out.reserve(kMinBootpLen);
  ByteWriter w(out);
  w.u8(m.op);
  w.u8(1);
  w.u8(6);
  w.u8(m.hops);
  w.u32(m.xid);
  w.u16(m.secs);
  w.u16(m.flags);
  for (const auto& a : {m.ciaddr, m.yiaddr, m.siaddr, m.giaddr}) w.u32(a.value);
  w.bytes(m.chaddr.octets);
  w.zeros(10 + 64 + 128);
  w.u32(kMagicCookie);

  auto option = [&](std::uint8_t code, Bytes v) {
    for (std::size_t at = 0; at < v.size() || (at == 0 && v.empty()); at += 255) {
      const std::size_t n = std::min<std::size_t>(255, v.size() - at);
      w.u8(code);
      w.u8(static_cast<std::uint8_t>(n));
      w.bytes(v.subspan(at, n));
      if (v.empty()) break;
    }
  };
  auto u32 = [&](std::uint8_t code, std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    option(code, b);
  };
  auto ips = [&](std::uint8_t code, const std::vector<Ipv4Addr>& list) {
    std::vector<std::uint8_t> v;
    ByteWriter vw(v);
    for (const auto& a : list) vw.u32(a.value);
    option(code, v);
  };
  auto str = [&](std::uint8_t code, const std::string& s) {
    option(code, Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  namespace o = dhcp_option;
  if (m.message_type) {
    const std::uint8_t t[1] = {m.message_type};
    option(o::kMessageType, t);
  }
  if (m.server_id) u32(o::kServerId, m.server_id->value);
  if (m.requested_ip) u32(o::kRequestedIp, m.requested_ip->value);
  if (m.lease_time) u32(o::kLeaseTime, *m.lease_time);
  if (m.renewal_time) u32(o::kRenewalTime, *m.renewal_time);
  if (m.rebinding_time) u32(o::kRebindingTime, *m.rebinding_time);
  if (m.subnet_mask) u32(o::kSubnetMask, m.subnet_mask->value);
  if (!m.routers.empty()) ips(o::kRouter, m.routers);
  if (!m.dns_servers.empty()) ips(o::kDns, m.dns_servers);
  if (m.host_name) str(o::kHostName, *m.host_name);
  if (m.domain_name) str(o::kDomainName, *m.domain_name);
  if (m.message) str(o::kMessage, *m.message);
  if (!m.parameter_list.empty()) option(o::kParameterList, m.parameter_list);
  if (!m.client_id.empty()) option(o::kClientId, m.client_id);
  for (const auto& [code, value] : m.other_options) option(code, value);
  if (m.relay_agent) {  // last, as relay agents append it (RFC 3046 §2.1)
    std::vector<std::uint8_t> v;
    for (const auto& [sub, s] : {std::pair<std::uint8_t, const std::string*>{1, &m.relay_agent->circuit_id},
                                 std::pair<std::uint8_t, const std::string*>{2, &m.relay_agent->remote_id}}) {
      if (s->empty()) continue;
      v.push_back(sub);
      v.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(s->size(), 255)));
      v.insert(v.end(), s->begin(), s->begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(s->size(), 255)));
    }
    if (!v.empty()) option(o::kRelayAgent, v);  // an option may not be empty
  }
  w.u8(o::kEnd);
  if (out.size() < kMinBootpLen) out.resize(kMinBootpLen, 0);
  return out;
}

}  // namespace fmc::net

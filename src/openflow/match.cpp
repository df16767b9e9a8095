#include "openflow/match.hpp"

#include <algorithm>
#include <bit>

namespace fmc::of {

namespace {

constexpr std::uint16_t kOxmClassBasic = 0x8000;
constexpr std::uint16_t kMatchTypeOxm = 1;

using enum OxmField;

void oxm_header(ByteWriter& w, OxmField f, bool has_mask, std::uint8_t len) {
  w.u16(kOxmClassBasic);
  w.u8(static_cast<std::uint8_t>(static_cast<unsigned>(f) << 1 | (has_mask ? 1 : 0)));
  w.u8(has_mask ? static_cast<std::uint8_t>(len * 2) : len);
}
void put_u8(ByteWriter& w, OxmField f, std::uint8_t v) {
  oxm_header(w, f, false, 1);
  w.u8(v);
}
void put_u16(ByteWriter& w, OxmField f, std::uint16_t v) {
  oxm_header(w, f, false, 2);
  w.u16(v);
}
void put_mac(ByteWriter& w, OxmField f, const net::MacAddr& v) {
  oxm_header(w, f, false, 6);
  w.bytes(v.octets);
}
void put_mac(ByteWriter& w, OxmField f, const Masked<net::MacAddr>& v) {
  oxm_header(w, f, v.mask.has_value(), 6);
  w.bytes(v.value.octets);
  if (v.mask) w.bytes(v.mask->octets);
}
void put_ip(ByteWriter& w, OxmField f, const Masked<net::Ipv4Addr>& v) {
  oxm_header(w, f, v.mask.has_value(), 4);
  w.u32(v.value.value);
  if (v.mask) w.u32(v.mask->value);
}


template <class T>
bool set_once(std::optional<T>& slot, T v) {
  if (slot) return false;
  slot = std::move(v);
  return true;
}

}  // namespace

int Match::field_count() const {
  return in_port.has_value() + eth_dst.has_value() + eth_src.has_value() + eth_type.has_value() +
         vlan_vid.has_value() + ip_proto.has_value() + ipv4_src.has_value() +
         ipv4_dst.has_value() + tcp_src.has_value() + tcp_dst.has_value() + udp_src.has_value() +
         udp_dst.has_value() + arp_op.has_value() + arp_spa.has_value() + arp_tpa.has_value() +
         arp_sha.has_value() + arp_tha.has_value();
}

void encode_oxm_fields(const Match& m, ByteWriter& w) {
  // Prerequisite order (OF1.3 §7.2.3.6): a field follows the fields it depends on.
  if (m.in_port) {
    oxm_header(w, kInPort, false, 4);
    w.u32(m.in_port->value);
  }
  if (m.eth_dst) put_mac(w, kEthDst, *m.eth_dst);
  if (m.eth_src) put_mac(w, kEthSrc, *m.eth_src);
  if (m.eth_type) put_u16(w, kEthType, *m.eth_type);
  if (m.vlan_vid) put_u16(w, kVlanVid, *m.vlan_vid);
  if (m.ip_proto) put_u8(w, kIpProto, *m.ip_proto);
  if (m.ipv4_src) put_ip(w, kIpv4Src, *m.ipv4_src);
  if (m.ipv4_dst) put_ip(w, kIpv4Dst, *m.ipv4_dst);
  if (m.tcp_src) put_u16(w, kTcpSrc, *m.tcp_src);
  if (m.tcp_dst) put_u16(w, kTcpDst, *m.tcp_dst);
  if (m.udp_src) put_u16(w, kUdpSrc, *m.udp_src);
  if (m.udp_dst) put_u16(w, kUdpDst, *m.udp_dst);
  if (m.arp_op) put_u16(w, kArpOp, *m.arp_op);
  if (m.arp_spa) put_ip(w, kArpSpa, *m.arp_spa);
  if (m.arp_tpa) put_ip(w, kArpTpa, *m.arp_tpa);
  if (m.arp_sha) put_mac(w, kArpSha, *m.arp_sha);
  if (m.arp_tha) put_mac(w, kArpTha, *m.arp_tha);
}

OfResult<Match> decode_oxm_fields(Bytes tlvs) {
  Match m;
  ByteReader r(tlvs);
  while (r.remaining() > 0) {
    const std::uint16_t cls = r.u16();
    const std::uint8_t fh = r.u8();
    const std::uint8_t len = r.u8();
    if (!r.has(len)) return fail(code::kBadMatchLen, "oxm overruns match");
    ByteReader v(r.bytes(len));
    if (cls != kOxmClassBasic) continue;  // other classes (e.g. Nicira) are not modelled
    const auto field = static_cast<OxmField>(fh >> 1);
    const bool has_mask = (fh & 1) != 0;
    auto expect = [&](std::size_t size) { return len == (has_mask ? size * 2 : size); };
    auto masked_ip = [&]() {
      Masked<net::Ipv4Addr> ip{net::Ipv4Addr{v.u32()}, std::nullopt};
      if (has_mask) ip.mask = net::Ipv4Addr{v.u32()};
      return ip;
    };
    auto masked_mac = [&]() {
      Masked<net::MacAddr> mac{net::read_mac(v), std::nullopt};
      if (has_mask) mac.mask = net::read_mac(v);
      return mac;
    };
    bool fresh = true;
    bool size_ok = true;
    switch (field) {
      case kInPort: size_ok = !has_mask && expect(4); fresh = set_once(m.in_port, PortNo{v.u32()}); break;
      case kEthDst: size_ok = expect(6); fresh = set_once(m.eth_dst, masked_mac()); break;
      case kEthSrc: size_ok = expect(6); fresh = set_once(m.eth_src, masked_mac()); break;
      case kEthType: size_ok = !has_mask && expect(2); fresh = set_once(m.eth_type, v.u16()); break;
      case kVlanVid: size_ok = !has_mask && expect(2); fresh = set_once(m.vlan_vid, v.u16()); break;
      case kIpProto: size_ok = !has_mask && expect(1); fresh = set_once(m.ip_proto, v.u8()); break;
      case kIpv4Src: size_ok = expect(4); fresh = set_once(m.ipv4_src, masked_ip()); break;
      case kIpv4Dst: size_ok = expect(4); fresh = set_once(m.ipv4_dst, masked_ip()); break;
      case kTcpSrc: size_ok = !has_mask && expect(2); fresh = set_once(m.tcp_src, v.u16()); break;
      case kTcpDst: size_ok = !has_mask && expect(2); fresh = set_once(m.tcp_dst, v.u16()); break;
      case kUdpSrc: size_ok = !has_mask && expect(2); fresh = set_once(m.udp_src, v.u16()); break;
      case kUdpDst: size_ok = !has_mask && expect(2); fresh = set_once(m.udp_dst, v.u16()); break;
      case kArpOp: size_ok = !has_mask && expect(2); fresh = set_once(m.arp_op, v.u16()); break;
      case kArpSpa: size_ok = expect(4); fresh = set_once(m.arp_spa, masked_ip()); break;
      case kArpTpa: size_ok = expect(4); fresh = set_once(m.arp_tpa, masked_ip()); break;
      case kArpSha: size_ok = !has_mask && expect(6); fresh = set_once(m.arp_sha, net::read_mac(v)); break;
      case kArpTha: size_ok = !has_mask && expect(6); fresh = set_once(m.arp_tha, net::read_mac(v)); break;
      default: break;  // a basic field this project does not use: skipped
    }
    if (!size_ok || !v.ok()) return fail(code::kBadMatchLen, "oxm field has wrong length");
    if (!fresh) return fail(code::kDupField, "oxm field repeated");
  }
  if (!r.ok()) return fail(code::kBadMatchLen, "truncated oxm header");
  return m;
}

void encode_match13(const Match& m, ByteWriter& w) {
  const std::size_t start = w.position();
  w.u16(kMatchTypeOxm);
  w.u16(0);  // length, patched below
  encode_oxm_fields(m, w);
  w.patch_u16(start + 2, static_cast<std::uint16_t>(w.position() - start));
  w.pad_to(start, 8);
}

OfResult<Match> decode_match13(ByteReader& r) {
  const std::uint16_t type = r.u16();
  const std::uint16_t len = r.u16();
  if (!r.ok()) return fail(code::kBadMatchLen, "truncated match header");
  if (type != kMatchTypeOxm) return fail(code::kBadMatchType, "match type is not OXM");
  if (len < 4) return fail(code::kBadMatchLen, "match length below header");
  const std::size_t padded = (static_cast<std::size_t>(len) + 7) / 8 * 8;
  if (!r.has(padded - 4)) return fail(code::kBadMatchLen, "match overruns message");
  const Bytes tlvs = r.bytes(len - 4u);
  r.skip(padded - len);
  return decode_oxm_fields(tlvs);
}

// ---- OpenFlow 1.0 ----

namespace {
namespace wc {
constexpr std::uint32_t kInPort = 1u << 0;
constexpr std::uint32_t kDlVlan = 1u << 1;
constexpr std::uint32_t kDlSrc = 1u << 2;
constexpr std::uint32_t kDlDst = 1u << 3;
constexpr std::uint32_t kDlType = 1u << 4;
constexpr std::uint32_t kNwProto = 1u << 5;
constexpr std::uint32_t kTpSrc = 1u << 6;
constexpr std::uint32_t kTpDst = 1u << 7;
constexpr int kNwSrcShift = 8;
constexpr int kNwDstShift = 14;
constexpr std::uint32_t kDlVlanPcp = 1u << 20;
constexpr std::uint32_t kNwTos = 1u << 21;
}  // namespace wc

constexpr std::uint16_t kVlanNone10 = 0xffff;

// Number of wildcarded low bits for a prefix mask, or -1 for a non-prefix mask.
int wildcard_bits(const std::optional<Masked<net::Ipv4Addr>>& ip) {
  if (!ip) return 32;
  if (!ip->mask) return 0;
  const std::uint32_t mask = ip->mask->value;
  const int ones = std::popcount(mask);
  const std::uint32_t prefix = ones == 0 ? 0 : ~std::uint32_t{0} << (32 - ones);
  return mask == prefix ? 32 - ones : -1;
}

std::optional<Masked<net::Ipv4Addr>> ip_from_wildcard(std::uint32_t addr, std::uint32_t bits) {
  if (bits >= 32) return std::nullopt;
  if (bits == 0) return Masked<net::Ipv4Addr>{net::Ipv4Addr{addr}, std::nullopt};
  const std::uint32_t mask = ~std::uint32_t{0} << bits;
  return Masked<net::Ipv4Addr>{net::Ipv4Addr{addr & mask}, net::Ipv4Addr{mask}};
}

bool exact_mac(const std::optional<Masked<net::MacAddr>>& mac) {
  return !mac || !mac->mask || *mac->mask == net::MacAddr::broadcast();
}
}  // namespace

std::uint16_t port_to_wire10(PortNo p) {
  if (p.value >= 0xffffff00) return static_cast<std::uint16_t>(0xff00 | (p.value & 0xff));
  return static_cast<std::uint16_t>(p.value);
}

PortNo port_from_wire10(std::uint16_t p) {
  if (p >= 0xff00) return PortNo{0xffffff00u | (p & 0xffu)};
  return PortNo{p};
}

OfResult<Ok> encode_match10(const Match& m, ByteWriter& w) {
  if (!exact_mac(m.eth_src) || !exact_mac(m.eth_dst))
    return fail(code::kBadMask, "OpenFlow 1.0 cannot mask MAC addresses");
  if (m.arp_sha || m.arp_tha)
    return fail(code::kBadField, "OpenFlow 1.0 cannot match ARP hardware addresses");
  if ((m.tcp_src || m.tcp_dst) && (m.udp_src || m.udp_dst))
    return fail(code::kDupField, "both TCP and UDP ports given");
  if ((m.arp_op || m.arp_spa || m.arp_tpa) && (m.ip_proto || m.ipv4_src || m.ipv4_dst))
    return fail(code::kDupField, "both ARP and IPv4 fields given");
  const auto& nw_src = m.arp_spa ? m.arp_spa : m.ipv4_src;
  const auto& nw_dst = m.arp_tpa ? m.arp_tpa : m.ipv4_dst;
  const int src_bits = wildcard_bits(nw_src);
  const int dst_bits = wildcard_bits(nw_dst);
  if (src_bits < 0 || dst_bits < 0)
    return fail(code::kBadMask, "OpenFlow 1.0 needs prefix IP masks");

  std::uint32_t wildcards = wc::kDlVlanPcp | wc::kNwTos;
  if (!m.in_port) wildcards |= wc::kInPort;
  if (!m.vlan_vid) wildcards |= wc::kDlVlan;
  if (!m.eth_src) wildcards |= wc::kDlSrc;
  if (!m.eth_dst) wildcards |= wc::kDlDst;
  if (!m.eth_type) wildcards |= wc::kDlType;
  const auto nw_proto = m.arp_op ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*m.arp_op)) : m.ip_proto;
  if (!nw_proto) wildcards |= wc::kNwProto;
  const auto tp_src = m.tcp_src ? m.tcp_src : m.udp_src;
  const auto tp_dst = m.tcp_dst ? m.tcp_dst : m.udp_dst;
  if (!tp_src) wildcards |= wc::kTpSrc;
  if (!tp_dst) wildcards |= wc::kTpDst;
  wildcards |= static_cast<std::uint32_t>(src_bits) << wc::kNwSrcShift;
  wildcards |= static_cast<std::uint32_t>(dst_bits) << wc::kNwDstShift;

  w.u32(wildcards);
  w.u16(m.in_port ? port_to_wire10(*m.in_port) : 0);
  w.bytes((m.eth_src ? m.eth_src->value : net::MacAddr{}).octets);
  w.bytes((m.eth_dst ? m.eth_dst->value : net::MacAddr{}).octets);
  std::uint16_t vlan = 0;
  if (m.vlan_vid) vlan = (*m.vlan_vid & kVlanPresent) ? (*m.vlan_vid & 0x0fff) : kVlanNone10;
  w.u16(vlan);
  w.u8(0);  // dl_vlan_pcp
  w.u8(0);
  w.u16(m.eth_type.value_or(0));
  w.u8(0);  // nw_tos
  w.u8(nw_proto.value_or(0));
  w.zeros(2);
  w.u32(nw_src ? nw_src->value.value : 0);
  w.u32(nw_dst ? nw_dst->value.value : 0);
  w.u16(tp_src.value_or(0));
  w.u16(tp_dst.value_or(0));
  return Ok{};
}

OfResult<Match> decode_match10(ByteReader& r) {
  if (!r.has(kMatch10Len)) return fail(code::kBadLen, "truncated ofp_match");
  Match m;
  const std::uint32_t wildcards = r.u32();
  const std::uint16_t in_port = r.u16();
  const net::MacAddr dl_src = net::read_mac(r);
  const net::MacAddr dl_dst = net::read_mac(r);
  const std::uint16_t dl_vlan = r.u16();
  r.skip(2);  // pcp, pad
  const std::uint16_t dl_type = r.u16();
  r.skip(1);  // tos
  const std::uint8_t nw_proto = r.u8();
  r.skip(2);
  const std::uint32_t nw_src = r.u32();
  const std::uint32_t nw_dst = r.u32();
  const std::uint16_t tp_src = r.u16();
  const std::uint16_t tp_dst = r.u16();

  if (!(wildcards & wc::kInPort)) m.in_port = port_from_wire10(in_port);
  if (!(wildcards & wc::kDlSrc)) m.eth_src = Masked<net::MacAddr>{dl_src, std::nullopt};
  if (!(wildcards & wc::kDlDst)) m.eth_dst = Masked<net::MacAddr>{dl_dst, std::nullopt};
  if (!(wildcards & wc::kDlVlan))
    m.vlan_vid = dl_vlan == kVlanNone10 ? std::uint16_t{0} : static_cast<std::uint16_t>(kVlanPresent | (dl_vlan & 0x0fff));
  if (!(wildcards & wc::kDlType)) m.eth_type = dl_type;
  const bool arp = m.eth_type == std::uint16_t{0x0806};
  const auto src = ip_from_wildcard(nw_src, wildcards >> wc::kNwSrcShift & 0x3f);
  const auto dst = ip_from_wildcard(nw_dst, wildcards >> wc::kNwDstShift & 0x3f);
  if (arp) {
    if (!(wildcards & wc::kNwProto)) m.arp_op = nw_proto;
    m.arp_spa = src;
    m.arp_tpa = dst;
  } else {
    if (!(wildcards & wc::kNwProto)) m.ip_proto = nw_proto;
    m.ipv4_src = src;
    m.ipv4_dst = dst;
  }
  // 1.0 has one pair of transport ports; the protocol tells which they are.
  const bool udp = m.ip_proto == std::uint8_t{17};
  if (!(wildcards & wc::kTpSrc)) (udp ? m.udp_src : m.tcp_src) = tp_src;
  if (!(wildcards & wc::kTpDst)) (udp ? m.udp_dst : m.tcp_dst) = tp_dst;
  return m;
}

}  // namespace fmc::of

#pragma once
// Version-independent flow match. Encoded as OXM TLVs for OpenFlow 1.3 and
// as the fixed 40-byte ofp_match (with wildcards) for OpenFlow 1.0.
#include <cstdint>
#include <optional>
#include <vector>

#include "net/address.hpp"
#include "openflow/error.hpp"
#include "openflow/types.hpp"
#include "util/bytes.hpp"

namespace fmc::of {

// OXM field numbers of the OpenFlow basic class (OF1.3 §7.2.3.7) that Match models.
enum class OxmField : std::uint8_t {
  kInPort = 0,
  kEthDst = 3,
  kEthSrc = 4,
  kEthType = 5,
  kVlanVid = 6,
  kIpProto = 10,
  kIpv4Src = 11,
  kIpv4Dst = 12,
  kTcpSrc = 13,
  kTcpDst = 14,
  kUdpSrc = 15,
  kUdpDst = 16,
  kArpOp = 21,
  kArpSpa = 22,
  kArpTpa = 23,
  kArpSha = 24,
  kArpTha = 25,
};

template <class T>
struct Masked {
  T value{};
  std::optional<T> mask;  // nullopt = exact match
  bool operator==(const Masked&) const = default;
};

struct Match {
  std::optional<PortNo> in_port;
  std::optional<Masked<net::MacAddr>> eth_dst;
  std::optional<Masked<net::MacAddr>> eth_src;
  std::optional<std::uint16_t> eth_type;
  std::optional<std::uint16_t> vlan_vid;  // with kVlanPresent; 0 = untagged
  std::optional<std::uint8_t> ip_proto;
  std::optional<Masked<net::Ipv4Addr>> ipv4_src;
  std::optional<Masked<net::Ipv4Addr>> ipv4_dst;
  std::optional<std::uint16_t> tcp_src;
  std::optional<std::uint16_t> tcp_dst;
  std::optional<std::uint16_t> udp_src;
  std::optional<std::uint16_t> udp_dst;
  std::optional<std::uint16_t> arp_op;
  std::optional<Masked<net::Ipv4Addr>> arp_spa;
  std::optional<Masked<net::Ipv4Addr>> arp_tpa;
  std::optional<net::MacAddr> arp_sha;
  std::optional<net::MacAddr> arp_tha;

  bool operator==(const Match&) const = default;
  int field_count() const;
};

// OpenFlow 1.3: a complete ofp_match structure (type OXM), padded to 8.
void encode_match13(const Match& m, ByteWriter& w);
OfResult<Match> decode_match13(ByteReader& r);
// The OXM TLVs alone, as used inside a set-field action.
void encode_oxm_fields(const Match& m, ByteWriter& w);
OfResult<Match> decode_oxm_fields(Bytes tlvs);

// OpenFlow 1.0: the fixed 40-byte ofp_match. Fails for what 1.0 cannot
// express (masked MACs, non-prefix IP masks, ARP hardware addresses).
OfResult<Ok> encode_match10(const Match& m, ByteWriter& w);
OfResult<Match> decode_match10(ByteReader& r);

inline constexpr std::size_t kMatch10Len = 40;

// Port number mapping between the 32-bit (1.3) and 16-bit (1.0) spaces.
std::uint16_t port_to_wire10(PortNo p);
PortNo port_from_wire10(std::uint16_t p);

}  // namespace fmc::of

#pragma once
// Ethernet II header view (with an optional 802.1Q tag). Zero-copy: the
// payload span points into the frame it was parsed from.
#include <cstdint>
#include <optional>

#include "net/address.hpp"
#include "util/bytes.hpp"

namespace fmc::net {

namespace ethertype {
inline constexpr std::uint16_t kIpv4 = 0x0800;
inline constexpr std::uint16_t kArp = 0x0806;
inline constexpr std::uint16_t kRarp = 0x8035;
inline constexpr std::uint16_t kVlan = 0x8100;
inline constexpr std::uint16_t kLldp = 0x88cc;
}  // namespace ethertype

struct EthernetView {
  MacAddr dst;
  MacAddr src;
  std::optional<std::uint16_t> vlan_tci;
  std::uint16_t ethertype = 0;
  Bytes payload;

  // nullopt when the frame is shorter than its headers.
  static std::optional<EthernetView> parse(Bytes frame);
};

// Writes an Ethernet II frame header (the payload follows it in `w`: a ByteWriter, or a SpanWriter
// over a frame of known size).
template <typename Writer>
void write_ethernet_header(Writer& w, MacAddr dst, MacAddr src, std::uint16_t ethertype) {
  w.bytes(dst.octets);
  w.bytes(src.octets);
  w.u16(ethertype);
}

// Builds an Ethernet II frame header followed by `payload`.
std::vector<std::uint8_t> build_ethernet(MacAddr dst, MacAddr src, std::uint16_t ethertype,
                                         Bytes payload);

}  // namespace fmc::net

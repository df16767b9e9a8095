#pragma once
// UDP over IPv4: a view of a UDP datagram and a builder of complete
// Ethernet/IPv4/UDP frames with correct checksums, for what the controller
// itself sends through PACKET_OUT (DHCP replies, path probes).
#include <cstdint>
#include <optional>
#include <vector>

#include "net/address.hpp"
#include "net/ethernet.hpp"
#include "net/ipv4.hpp"
#include "util/bytes.hpp"

namespace fmc::net {

struct UdpView {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  Bytes payload;  // bounded by the UDP length field

  static std::optional<UdpView> parse(Bytes ip_payload);
};

// A UDP datagram inside an Ethernet frame, with its IPv4 header.
struct UdpDatagram {
  Ipv4View ip;
  UdpView udp;
};
// nullopt unless the frame is IPv4 carrying a well-formed UDP datagram.
std::optional<UdpDatagram> parse_udp(const EthernetView& eth);
// A DHCP client or relay message to a server (UDP port 67).
bool is_dhcp_to_server(const EthernetView& eth);

struct UdpEndpoints {
  MacAddr src_mac, dst_mac;
  Ipv4Addr src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
};

std::vector<std::uint8_t> build_udp_frame(const UdpEndpoints& e, Bytes payload, std::uint8_t ttl = 64);

// RFC 1071 Internet checksum of `data`, continuing from `sum`.
std::uint16_t internet_checksum(Bytes data, std::uint32_t sum = 0);

}  // namespace fmc::net

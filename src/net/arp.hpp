#pragma once
// ARP for IPv4 over Ethernet (RFC 826): view and builder.
#include <cstdint>
#include <optional>
#include <vector>

#include "net/address.hpp"
#include "util/bytes.hpp"

namespace fmc::net {

namespace arp_op {
inline constexpr std::uint16_t kRequest = 1;
inline constexpr std::uint16_t kReply = 2;
}  // namespace arp_op

struct ArpView {
  std::uint16_t op = 0;
  MacAddr sha;
  Ipv4Addr spa;
  MacAddr tha;
  Ipv4Addr tpa;

  // nullopt unless the payload is a complete Ethernet/IPv4 ARP packet.
  static std::optional<ArpView> parse(Bytes payload);
  // A gratuitous ARP announces the sender's own binding (spa == tpa).
  bool is_gratuitous() const { return spa == tpa; }
};

// A complete Ethernet frame carrying an ARP packet.
std::vector<std::uint8_t> build_arp_frame(std::uint16_t op, MacAddr eth_dst, MacAddr sha, Ipv4Addr spa,
                                          MacAddr tha, Ipv4Addr tpa);

// A broadcast gratuitous ARP request announcing that `ip` is at `mac`.
std::vector<std::uint8_t> build_gratuitous_arp(MacAddr mac, Ipv4Addr ip);

// The reply to `request` saying that `ip` is at `mac`, addressed to the asker.
std::vector<std::uint8_t> build_arp_reply(const ArpView& request, MacAddr mac);

}  // namespace fmc::net

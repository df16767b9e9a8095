#pragma once
// The controller's DHCP server (RFC 2131 §4.3): one LeaseTable per client
// network with a pool. Pure: a message and the network it arrived in go in,
// a decision comes out (the reply, and the lease changes; an ACK may only be
// sent once its changes are stored). A roaming client keeps the address of
// its home network where the visited network's policy says so
// (`keep_address_when_visiting`); elsewhere it is renumbered.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fmc/dhcp/lease_table.hpp"
#include "net/dhcp.hpp"

namespace fmc::dhcp {

struct LeaseChange {
  std::string network;
  Lease lease;
};

struct Decision {
  std::optional<net::DhcpMessage> reply;
  std::vector<LeaseChange> changes;
  std::optional<net::Ipv4Addr> bound;         // the address an ACK confirms
  const model::Site* serving = nullptr;       // the network whose lease answered
  const char* refused = nullptr;              // why nothing was sent, if that is not ordinary protocol silence
};

class DhcpServer {
 public:
  static constexpr std::int64_t kOfferHoldS = 60;

  // `held`: addresses known as other endpoints' are never leased (see HeldElsewhere).
  explicit DhcpServer(const model::NetworkModel& model, HeldElsewhere held = nullptr);

  void restore(const LeaseChange& saved);
  Decision handle(const net::DhcpMessage& m, const model::Site& arrived, std::int64_t now);
  const LeaseTable* table(const std::string& network) const;
  std::size_t active_leases(std::int64_t now) const;

 private:
  LeaseTable* serving_table(const std::string& client, const model::Site& arrived, std::int64_t now);
  Decision discover(const net::DhcpMessage& m, LeaseTable& t, const std::string& client, std::int64_t now);
  Decision request(const net::DhcpMessage& m, LeaseTable& t, const std::string& client, std::int64_t now);
  Decision inform(const net::DhcpMessage& m, const model::Site& arrived);
  net::DhcpMessage reply_to(const net::DhcpMessage& m, std::uint8_t type, const model::Site& network) const;
  Decision nak(const net::DhcpMessage& m, const model::Site& network, const char* why) const;

  model::DhcpSettings settings_;
  std::map<std::string, LeaseTable> tables_;
};

}  // namespace fmc::dhcp

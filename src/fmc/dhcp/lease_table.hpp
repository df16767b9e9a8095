#pragma once
// The leases of one client network and RFC 2131 §4.3.1 address selection.
// Pure state: time comes in as seconds, and every change is returned so the
// caller can persist it. Invariant: an address is held by at most one
// client at a time (offered or bound and not expired).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fmc/model/network_model.hpp"

namespace fmc::dhcp {

enum class LeaseState { kOffered, kBound, kReleased, kDeclined, kFree };
const char* to_string(LeaseState s);
std::optional<LeaseState> lease_state_from(std::string_view s);

struct Lease {
  net::Ipv4Addr ip;
  std::string client;  // identity: client-id (option 61) if sent, else the hardware address
  net::MacAddr mac;
  LeaseState state = LeaseState::kFree;
  std::int64_t expires_s = 0;  // absolute, seconds
  std::string host_name;
  bool operator==(const Lease&) const = default;
};

// Whether `ip` is held by an endpoint other than the one with `mac` (known
// to the controller some other way: a VM's address, a visitor's borrowed
// address, a client that numbered itself). Such an address is never leased.
using HeldElsewhere = std::function<bool(net::Ipv4Addr ip, const net::MacAddr& mac)>;

class LeaseTable {
 public:
  explicit LeaseTable(const model::Site& network, HeldElsewhere held = nullptr);

  const model::Site& network() const { return network_; }
  // Re-applies a saved lease after a restart; leases outside the subnet are ignored.
  void restore(const Lease& l);
  const Lease* of_client(const std::string& client) const;
  const Lease* at(net::Ipv4Addr ip) const;
  // Whether `client` may hold `ip` now.
  bool available(net::Ipv4Addr ip, const std::string& client, const net::MacAddr& mac, std::int64_t now) const;
  // The client's reservation, else its last address, else the requested
  // one, else a never-used one, else the longest-free one.
  std::optional<net::Ipv4Addr> choose(const std::string& client, const net::MacAddr& mac,
                                      std::optional<net::Ipv4Addr> requested, std::int64_t now);
  // Gives `ip` to `client` (which must be `available`). Returns the changes:
  // the new lease, and the client's previous address freed if it differs.
  std::vector<Lease> hold(const Lease& lease);
  // RELEASE: the client's lease is kept for affinity but free for others.
  std::optional<Lease> release(const std::string& client, net::Ipv4Addr ip);
  // DECLINE: the address is in use by someone unknown; quarantined until `until`.
  std::optional<Lease> decline(const std::string& client, net::Ipv4Addr ip, std::int64_t until);
  std::size_t size() const { return by_ip_.size(); }
  std::size_t active(std::int64_t now) const;  // offered or bound, unexpired
  std::vector<Lease> all() const;

 private:
  bool assignable(net::Ipv4Addr ip) const;  // in the subnet and not a special address
  const model::DhcpReservation* reservation_of(const net::MacAddr& mac) const;
  const model::DhcpReservation* reservation_at(net::Ipv4Addr ip) const;
  void forget(std::uint32_t ip);

  model::Site network_;
  HeldElsewhere held_;
  std::map<std::uint32_t, Lease> by_ip_;
  std::unordered_map<std::string, std::uint32_t> by_client_;
  std::uint32_t next_unused_;  // every pool address below it has been leased at least once
};

// The key RFC 2131 §4.2 identifies a client by.
std::string client_identity(const std::vector<std::uint8_t>& client_id, const net::MacAddr& chaddr);

}  // namespace fmc::dhcp

#pragma once
// Abuse limits on DHCP from client ports. A DHCP server is easy to starve:
// one host sending DISCOVERs with random hardware addresses takes the whole
// pool, and a flood ties up the controller. Per switch port, a token bucket
// bounds the message rate and a cap bounds how many distinct clients may be
// seen within a window; what exceeds either is dropped, so clients on
// other ports are still served.
#include <cstdint>
#include <map>
#include <unordered_map>

#include "net/address.hpp"
#include "openflow/types.hpp"

namespace fmc::dhcp {

class DhcpGuard {
 public:
  DhcpGuard(std::uint32_t max_clients_per_port, std::uint32_t messages_per_second, double client_window_s = 600)
      : max_clients_(max_clients_per_port), rate_(messages_per_second), window_s_(client_window_s) {}

  // nullptr when the message may go on, else why it is dropped.
  const char* admit(of::Dpid dpid, of::PortNo port, const net::MacAddr& chaddr, double now_s);
  void forget_switch(of::Dpid dpid);

 private:
  struct PortState {
    double tokens = 0;
    double refilled_at = 0;
    std::unordered_map<net::MacAddr, double> clients;  // last seen
  };
  std::uint32_t max_clients_;
  double rate_;
  double window_s_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, PortState> ports_;
};

}  // namespace fmc::dhcp

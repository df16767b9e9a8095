#include "fmc/dhcp/dhcp_guard.hpp"

#include <algorithm>

namespace fmc::dhcp {

const char* DhcpGuard::admit(of::Dpid dpid, of::PortNo port, const net::MacAddr& chaddr, double now_s) {
  auto [it, fresh] = ports_.try_emplace({dpid.value, port.value});
  PortState& p = it->second;
  const double burst = 2 * rate_;
  if (fresh) {
    p.tokens = burst;
    p.refilled_at = now_s;
  }
  p.tokens = std::min(burst, p.tokens + (now_s - p.refilled_at) * rate_);
  p.refilled_at = now_s;
  if (p.tokens < 1) return "rate limit on port";
  p.tokens -= 1;

  if (auto c = p.clients.find(chaddr); c != p.clients.end()) {
    c->second = now_s;
    return nullptr;
  }
  if (p.clients.size() >= max_clients_)
    std::erase_if(p.clients, [&](const auto& kv) { return now_s - kv.second > window_s_; });
  if (p.clients.size() >= max_clients_) return "too many clients on port";
  p.clients.emplace(chaddr, now_s);
  return nullptr;
}

void DhcpGuard::forget_switch(of::Dpid dpid) {
  std::erase_if(ports_, [&](const auto& kv) { return kv.first.first == dpid.value; });
}

}  // namespace fmc::dhcp

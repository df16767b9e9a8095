#include "fmc/network_model.hpp"

namespace fmc::model {

const SwitchSpec* NetworkModel::switch_named(std::string_view name) const {
  for (const auto& s : switches)
    if (s.name == name) return &s;
  return nullptr;
}

const SwitchSpec* NetworkModel::switch_with(of::Dpid dpid) const {
  for (const auto& s : switches)
    if (s.dpid == dpid) return &s;
  return nullptr;
}

const Site* NetworkModel::site_named(std::string_view name) const {
  for (const auto& s : sites)
    if (s.name == name) return &s;
  return nullptr;
}

const Site* NetworkModel::site_at(of::Dpid dpid) const {
  const SwitchSpec* sw = switch_with(dpid);
  if (!sw) return nullptr;
  for (const auto& s : sites)
    if (s.switch_name == sw->name) return &s;
  return nullptr;
}

const Site* NetworkModel::gateway_site(net::Ipv4Addr ip) const {
  for (const auto& s : sites)
    if (s.gateway.ip == ip) return &s;
  return nullptr;
}

std::vector<const Site*> NetworkModel::sites_of(SiteKind kind) const {
  std::vector<const Site*> out;
  for (const auto& s : sites)
    if (s.kind == kind) out.push_back(&s);
  return out;
}

std::optional<of::PortNo> NetworkModel::uplink_port(const Site& site) const {
  const SwitchSpec* sw = switch_named(site.switch_name);
  if (!sw) return std::nullopt;
  auto it = sw->ports.find(site.uplink_port);
  if (it == sw->ports.end()) return std::nullopt;
  return it->second;
}

bool NetworkModel::has_configured_port(std::string_view endpoint) const {
  for (const auto& sw : switches)
    if (sw.ports.count(std::string(endpoint))) return true;
  return false;
}

}  // namespace fmc::model

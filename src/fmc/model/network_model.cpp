#include "fmc/model/network_model.hpp"

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

const char* to_string(PlacementPolicyKind k) {
  switch (k) {
    case PlacementPolicyKind::kOff: return "off";
    case PlacementPolicyKind::kNearest: return "nearest";
    case PlacementPolicyKind::kThreshold: return "threshold";
    case PlacementPolicyKind::kMdp: return "mdp";
  }
  return "?";
}

std::optional<PlacementPolicyKind> placement_policy_from_string(std::string_view s) {
  for (auto k : {PlacementPolicyKind::kOff, PlacementPolicyKind::kNearest, PlacementPolicyKind::kThreshold, PlacementPolicyKind::kMdp})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

std::optional<double> NetworkModel::wan_delay(std::string_view a, std::string_view b) const {
  for (const auto& d : wan)
    if ((d.from == a && d.to == b) || (d.from == b && d.to == a)) return d.delay_ms;
  return std::nullopt;
}

const VmSpec* NetworkModel::vm_named(std::string_view name) const {
  for (const auto& v : vms)
    if (v.name == name) return &v;
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

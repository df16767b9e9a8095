#include "fmc/model/network_model.hpp"

#include <unordered_set>

#include "util/flat_index.hpp"

namespace fmc::model {

namespace {
// The entry at the indexed position if it still has `key`, else the first that has it.
template <class T, class Map, class Key, class Same>
const T* find_in(const std::vector<T>& list, const Map* map, const Key& key, Same same) {
  if (map) {
    auto it = map->find(key);
    if (it == map->end()) return nullptr;
    if (it->second < list.size() && same(list[it->second])) return &list[it->second];
  }
  for (const auto& x : list)
    if (same(x)) return &x;
  return nullptr;
}

constexpr std::uint32_t kNoSite = FlatIndex::kNone;
}  // namespace

struct NetworkModel::Index {
  std::size_t switches = 0, sites = 0, vms = 0;  // the lists' sizes when indexed
  ByName<std::size_t> switch_by_name, site_by_name, vm_by_name;
  FlatIndex switch_by_dpid;
  std::vector<std::uint32_t> site_by_number;  // by SiteName::number(): the site's position, or kNoSite
  std::vector<std::uint32_t> site_of_switch;  // by switch position: its site's position, or kNoSite
  std::unordered_set<std::string, NameHash, std::equal_to<>> port_names;
  std::vector<std::optional<of::PortNo>> uplinks;  // by site position
  std::vector<const SwitchSpec*> site_switches;     // likewise
  // DPIDs read here rather than in the switches' records (a move looks up several switches; at
  // millions of endpoints their records are no longer in the cache).
  std::vector<std::optional<of::Dpid>> site_dpids;  // by site position
  std::vector<of::Dpid> switch_dpids;               // by switch position
};

NetworkModel::NetworkModel() = default;
NetworkModel::NetworkModel(NetworkModel&&) noexcept = default;
NetworkModel& NetworkModel::operator=(NetworkModel&&) noexcept = default;
NetworkModel::~NetworkModel() = default;
NetworkModel::NetworkModel(const NetworkModel& o)
    : switches(o.switches), sites(o.sites), router(o.router), vms(o.vms), clients(o.clients), wan(o.wan),
      dhcp(o.dhcp), services(o.services), placement(o.placement), path_monitor(o.path_monitor) {
  if (o.index_) index();  // afresh: the index points into its own model's lists
}
NetworkModel& NetworkModel::operator=(const NetworkModel& o) {
  if (this != &o) *this = NetworkModel(o);
  return *this;
}

void NetworkModel::index() {
  auto ix = std::make_unique<Index>();
  ix->switches = switches.size();
  ix->sites = sites.size();
  ix->vms = vms.size();
  for (std::size_t i = 0; i < switches.size(); ++i) {
    ix->switch_by_name.emplace(switches[i].name, i);
    const auto dpid = switches[i].dpid;
    ix->switch_dpids.push_back(dpid);
    ix->switch_by_dpid.set(of::tag(dpid), std::uint32_t(i), [&](std::uint32_t n) { return switches[n].dpid == dpid; });
    for (const auto& [name, port] : switches[i].ports) ix->port_names.insert(name);
  }
  ix->site_of_switch.assign(switches.size(), kNoSite);
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const Site& site = sites[i];
    ix->site_by_name.emplace(site.name, i);
    const SiteName name = site.name;
    if (name.number() >= ix->site_by_number.size()) ix->site_by_number.resize(name.number() + 1, kNoSite);
    if (ix->site_by_number[name.number()] == kNoSite) ix->site_by_number[name.number()] = std::uint32_t(i);
    const auto sw = ix->switch_by_name.find(site.switch_name);
    const SwitchSpec* spec = sw == ix->switch_by_name.end() ? nullptr : &switches[sw->second];
    if (spec && ix->site_of_switch[sw->second] == kNoSite) ix->site_of_switch[sw->second] = std::uint32_t(i);
    ix->site_switches.push_back(spec);
    ix->site_dpids.push_back(spec ? std::optional{spec->dpid} : std::nullopt);
    std::optional<of::PortNo> uplink;
    if (spec)
      if (auto p = spec->ports.find(site.uplink_port); p != spec->ports.end()) uplink = p->second;
    ix->uplinks.push_back(uplink);
  }
  for (std::size_t i = 0; i < vms.size(); ++i) ix->vm_by_name.emplace(vms[i].name, i);
  index_ = std::move(ix);
}

const NetworkModel::Index* NetworkModel::fresh_index() const {
  if (!index_ || index_->switches != switches.size() || index_->sites != sites.size() || index_->vms != vms.size())
    return nullptr;
  return index_.get();
}

const SwitchSpec* NetworkModel::switch_named(std::string_view name) const {
  const Index* ix = fresh_index();
  return find_in(switches, ix ? &ix->switch_by_name : nullptr, name, [&](const SwitchSpec& s) { return s.name == name; });
}

const SwitchSpec* NetworkModel::switch_with(of::Dpid dpid) const {
  if (const Index* ix = fresh_index()) {
    const auto n = ix->switch_by_dpid.find(of::tag(dpid), [&](std::uint32_t k) { return ix->switch_dpids[k] == dpid; });
    return n == FlatIndex::kNone ? nullptr : &switches[n];
  }
  for (const auto& s : switches)
    if (s.dpid == dpid) return &s;
  return nullptr;
}

const Site* NetworkModel::site_named(std::string_view name) const {
  const Index* ix = fresh_index();
  return find_in(sites, ix ? &ix->site_by_name : nullptr, name, [&](const Site& s) { return s.name == name; });
}

const Site* NetworkModel::site_numbered(std::uint32_t name_number) const {
  // The site at the name's position is checked against the number itself (one name, one number),
  // so an index older than the site list can only send the search the long way, never astray.
  if (index_ && name_number < index_->site_by_number.size()) {
    const std::uint32_t at = index_->site_by_number[name_number];
    if (at < sites.size() && sites[at].name.number() == name_number) return &sites[at];
  }
  if (fresh_index()) return nullptr;  // it knows every site: this name is none of them
  for (const auto& s : sites)
    if (s.name.number() == name_number) return &s;
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
  const Index* ix = fresh_index();
  return find_in(vms, ix ? &ix->vm_by_name : nullptr, name, [&](const VmSpec& v) { return v.name == name; });
}

const Site* NetworkModel::site_at(of::Dpid dpid) const {
  const SwitchSpec* sw = switch_with(dpid);
  if (!sw) return nullptr;
  if (const Index* ix = fresh_index()) {
    const std::uint32_t at = ix->site_of_switch[std::size_t(sw - switches.data())];
    return at == kNoSite ? nullptr : &sites[at];  // as switch_of(): a fresh index is the lists' own
  }
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

const NetworkModel::Index* NetworkModel::index_of(const Site& site, std::size_t& position) const {
  const Index* ix = fresh_index();
  if (!ix || &site < sites.data() || &site >= sites.data() + sites.size()) return nullptr;
  position = static_cast<std::size_t>(&site - sites.data());
  return ix;
}

const SwitchSpec* NetworkModel::switch_of(const Site& site) const {
  std::size_t at = 0;
  if (const Index* ix = index_of(site, at)) return ix->site_switches[at];
  return switch_named(site.switch_name);
}

std::optional<of::Dpid> NetworkModel::switch_dpid(const Site& site) const {
  std::size_t at = 0;
  if (const Index* ix = index_of(site, at)) return ix->site_dpids[at];
  const SwitchSpec* sw = switch_named(site.switch_name);
  if (!sw) return std::nullopt;
  return sw->dpid;
}

std::optional<of::PortNo> NetworkModel::uplink_port(const Site& site) const {
  std::size_t at = 0;
  if (const Index* ix = index_of(site, at)) return ix->uplinks[at];
  const SwitchSpec* sw = switch_named(site.switch_name);
  if (!sw) return std::nullopt;
  auto it = sw->ports.find(site.uplink_port);
  if (it == sw->ports.end()) return std::nullopt;
  return it->second;
}

bool NetworkModel::has_configured_port(std::string_view endpoint) const {
  if (const Index* ix = fresh_index()) return ix->port_names.find(endpoint) != ix->port_names.end();
  for (const auto& sw : switches)
    if (sw.ports.find(endpoint) != sw.ports.end()) return true;
  return false;
}

}  // namespace fmc::model

#include "fmc/model/config_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "fmc/model/placement_settings.hpp"
#include "fmc/model/yaml_fields.hpp"

namespace fmc::model {

std::string ConfigError::to_string() const {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(column);
  return where + ": " + message;
}

namespace {

// The section parsers, each from the field readers (yaml_fields.hpp).
class Loader : YamlFields {
 public:
  using YamlFields::YamlFields;

  NetworkModel load(const YAML::Node& root) {
    only_keys(root, "the network", {"switches", "data_centers", "access_networks", "router", "vms", "clients", "wan_delays_ms", "dhcp",
                                      "services", "placement", "path_monitor"});
    NetworkModel m;
    for (const auto& n : sequence(root, "switches", true)) m.switches.push_back(switch_spec(n));
    for (const auto& n : sequence(root, "data_centers", true)) m.sites.push_back(site(n, SiteKind::kDataCenter));
    for (const auto& n : sequence(root, "access_networks", true)) m.sites.push_back(site(n, SiteKind::kAccessNetwork));
    const YAML::Node router = need(root, "router", "the network");
    only_keys(router, "router", {"name"});
    m.router.name = text(need(router, "name", "router"), "router.name");
    for (const auto& n : sequence(root, "vms", false)) m.vms.push_back(vm(n));
    for (const auto& n : sequence(root, "clients", false)) m.clients.push_back(client(n));
    for (const auto& n : sequence(root, "wan_delays_ms", false)) m.wan.push_back(delay(n));
    if (const YAML::Node d = root["dhcp"]) m.dhcp = dhcp(d);
    for (const auto& n : sequence(root, "services", false)) m.services.push_back(service(n));
    if (const YAML::Node p = root["placement"]) m.placement = placement(p);
    if (const YAML::Node p = root["path_monitor"]) m.path_monitor = path_monitor(p);
    cross_check(m);
    for (auto& s : m.sites)
      if (!site_nodes_.at(s.name)["probe_address"]) default_probe_address(s, m.vms);
    if (m.dhcp.mode == DhcpMode::kRelay)
      for (const auto& s : m.sites)
        if (s.kind == SiteKind::kAccessNetwork && !s.dhcp_relay_agent)
          fail(site_nodes_.at(s.name), s.name + ": DHCP relay mode needs 'dhcp_relay_agent' in every access network");
    return m;
  }

 private:
  SwitchSpec switch_spec(const YAML::Node& n) {
    only_keys(n, "a switch", {"name", "dpid", "ports", "scope"});
    SwitchSpec s;
    s.name = text(need(n, "name", "a switch"), "switch name");
    s.dpid = of::Dpid{number(need(n, "dpid", "switch " + s.name), "switch " + s.name + " dpid", ~0ull)};
    const YAML::Node ports = need(n, "ports", "switch " + s.name);
    if (!ports.IsMap()) fail(ports, "switch " + s.name + " ports must map names to numbers");
    for (const auto& kv : ports)
      s.ports[kv.first.as<std::string>()] = of::PortNo{static_cast<std::uint32_t>(number(kv.second, "switch " + s.name + " port", 0xffffff00))};
    if (const YAML::Node scope = n["scope"]) {
      s.scope = text(scope, "switch " + s.name + " scope");
      for (unsigned char c : s.scope)
        if (!(std::isalnum(c) || c == '-' || c == '_'))
          fail(scope, "switch " + s.name + " scope '" + s.scope + "': letters, digits, '-' and '_' only");
    }
    if (!switch_names_.insert(s.name).second) fail(n, "switch '" + s.name + "' is defined twice");
    if (!dpids_.insert(s.dpid.value).second) fail(n, "switch '" + s.name + "' reuses a dpid");
    return s;
  }

  Site site(const YAML::Node& n, SiteKind kind) {
    const std::string what = kind == SiteKind::kDataCenter ? "a data center" : "an access network";
    only_keys(n, what, {"name", "switch", "uplink_port", "subnet", "gateway", "location", "dhcp_pool", "dhcp_reservations",
                  "dhcp_relay_agent", "keep_address_when_visiting", "utilisation", "cost", "provider", "probe_address", "libvirt_uri"});
    Site s;
    s.kind = kind;
    s.name = text(need(n, "name", what), "name");
    s.switch_name = text(need(n, "switch", s.name), s.name + ".switch");
    s.uplink_port = text(need(n, "uplink_port", s.name), s.name + ".uplink_port");
    s.subnet = prefix(need(n, "subnet", s.name), s.name + ".subnet");
    const YAML::Node gw = need(n, "gateway", s.name);
    only_keys(gw, s.name + ".gateway", {"ip", "mac"});
    s.gateway.ip = ip(need(gw, "ip", s.name + ".gateway"), s.name + ".gateway.ip");
    s.gateway.mac = mac(need(gw, "mac", s.name + ".gateway"), s.name + ".gateway.mac");
    if (!s.subnet.contains(s.gateway.ip)) fail(gw, s.name + ": gateway " + s.gateway.ip.to_string() + " is outside " + s.subnet.to_string());
    if (const YAML::Node loc = n["location"]) {
      only_keys(loc, s.name + ".location", {"lat", "lon"});
      s.latitude = real(need(loc, "lat", s.name + ".location"), s.name + ".location.lat");
      s.longitude = real(need(loc, "lon", s.name + ".location"), s.name + ".location.lon");
    }
    if (const YAML::Node pool = n["dhcp_pool"]) {
      if (kind != SiteKind::kAccessNetwork) fail(pool, s.name + ": only access networks have a DHCP pool");
      only_keys(pool, s.name + ".dhcp_pool", {"first", "last"});
      AddressPool p{ip(need(pool, "first", s.name + ".dhcp_pool"), s.name + ".dhcp_pool.first"),
                    ip(need(pool, "last", s.name + ".dhcp_pool"), s.name + ".dhcp_pool.last")};
      if (!s.subnet.contains(p.first) || !s.subnet.contains(p.last) || p.last.value < p.first.value)
        fail(pool, s.name + ": the DHCP pool must be an ascending range inside " + s.subnet.to_string());
      s.dhcp_pool = p;
    }
    for (const auto& r : sequence(n, "dhcp_reservations", false)) {
      if (kind != SiteKind::kAccessNetwork) fail(r, s.name + ": only access networks have DHCP reservations");
      only_keys(r, s.name + ".dhcp_reservations", {"mac", "ip"});
      DhcpReservation res{mac(need(r, "mac", "a reservation"), "reservation mac"), ip(need(r, "ip", "a reservation"), "reservation ip")};
      if (!s.subnet.contains(res.ip) || res.ip == s.gateway.ip)
        fail(r, s.name + ": reserved address " + res.ip.to_string() + " must be a host address inside " + s.subnet.to_string());
      for (const auto& other : s.dhcp_reservations)
        if (other.mac == res.mac || other.ip == res.ip) fail(r, s.name + ": reservation for " + res.mac.to_string() + " repeats a MAC or an address");
      s.dhcp_reservations.push_back(res);
    }
    if (const YAML::Node agent = n["dhcp_relay_agent"]) {
      s.dhcp_relay_agent = ip(agent, s.name + ".dhcp_relay_agent");
      if (!s.subnet.contains(*s.dhcp_relay_agent) || *s.dhcp_relay_agent == s.gateway.ip)
        fail(agent, s.name + ": the relay agent address must be a host address inside " + s.subnet.to_string() + " other than the gateway");
    }
    if (const YAML::Node keep = n["keep_address_when_visiting"]) s.keep_address_when_visiting = boolean(keep, s.name + ".keep_address_when_visiting");
    for (const char* key : {"utilisation", "cost", "provider", "libvirt_uri"})
      if (n[key] && kind != SiteKind::kDataCenter) fail(n[key], s.name + ": only data centers have '" + key + "'");
    if (const YAML::Node u = n["utilisation"]) s.utilisation = fraction(u, s.name + ".utilisation");
    if (const YAML::Node c = n["cost"]) s.cost = non_negative(c, s.name + ".cost");
    if (const YAML::Node p = n["provider"]) s.provider = text(p, s.name + ".provider");
    if (const YAML::Node u = n["libvirt_uri"]) s.libvirt_uri = text(u, s.name + ".libvirt_uri");
    if (const YAML::Node a = n["probe_address"]) {
      s.probe_address = ip(a, s.name + ".probe_address");
      if (!s.subnet.contains(s.probe_address) || s.probe_address == s.subnet.network || !free_address(s, s.probe_address))
        fail(a, s.name + ": the path probe address " + s.probe_address.to_string() + " must be a free host address inside " +
                    s.subnet.to_string() + " (not the gateway, the relay agent, reserved or in the DHCP pool)");
    }
    if (!site_names_.insert(s.name).second) fail(n, "site '" + s.name + "' is defined twice");
    site_nodes_[s.name] = n;
    return s;
  }

  VmSpec vm(const YAML::Node& n) {
    only_keys(n, "a VM", {"name", "ip", "mac", "home", "hypervisor", "memory_mib"});
    VmSpec v;
    v.name = text(need(n, "name", "a VM"), "VM name");
    v.ip = ip(need(n, "ip", v.name), v.name + ".ip");
    v.mac = mac(need(n, "mac", v.name), v.name + ".mac");
    v.home = text(need(n, "home", v.name), v.name + ".home");
    v.hypervisor = n["hypervisor"] ? text(n["hypervisor"], v.name + ".hypervisor") : "netns:" + v.home;
    if (const YAML::Node mem = n["memory_mib"]) v.memory_mib = non_negative(mem, v.name + ".memory_mib");
    endpoint_nodes_.push_back(n);
    return v;
  }

  ClientSpec client(const YAML::Node& n) {
    only_keys(n, "a client", {"name", "mac", "home"});
    ClientSpec c;
    c.name = text(need(n, "name", "a client"), "client name");
    c.mac = mac(need(n, "mac", c.name), c.name + ".mac");
    c.home = text(need(n, "home", c.name), c.name + ".home");
    endpoint_nodes_.push_back(n);
    return c;
  }

  DhcpSettings dhcp(const YAML::Node& n) const {
    only_keys(n, "dhcp", {"mode", "lease_time", "dns", "domain", "relay_to", "max_clients_per_port", "max_rate_per_port"});
    DhcpSettings d;
    if (const YAML::Node mode = n["mode"]) {
      const std::string v = text(mode, "dhcp.mode");
      if (v == "serve") d.mode = DhcpMode::kServe;
      else if (v == "relay") d.mode = DhcpMode::kRelay;
      else fail(mode, "dhcp.mode: '" + v + "' is neither 'serve' nor 'relay'");
    }
    if (const YAML::Node t = n["lease_time"]) {
      d.lease_time_s = static_cast<std::uint32_t>(number(t, "dhcp.lease_time", 0x7fffffff));
      if (d.lease_time_s < 60) fail(t, "dhcp.lease_time must be at least 60 seconds");
    }
    for (const auto& a : sequence(n, "dns", false)) d.dns.push_back(ip(a, "dhcp.dns"));
    if (const YAML::Node dom = n["domain"]) d.domain = text(dom, "dhcp.domain");
    if (d.domain.size() > 255) fail(n["domain"], "dhcp.domain is longer than 255 characters");
    if (const YAML::Node to = n["relay_to"]) d.relay_to = ip(to, "dhcp.relay_to");
    if (d.mode == DhcpMode::kRelay && !d.relay_to) fail(n, "dhcp.mode relay needs 'relay_to' (the DHCP server's address)");
    if (const YAML::Node c = n["max_clients_per_port"])
      d.max_clients_per_port = static_cast<std::uint32_t>(number(c, "dhcp.max_clients_per_port", 1u << 24));
    if (const YAML::Node r = n["max_rate_per_port"])
      d.max_rate_per_port = static_cast<std::uint32_t>(number(r, "dhcp.max_rate_per_port", 1u << 24));
    if (d.max_clients_per_port == 0 || d.max_rate_per_port == 0) fail(n, "dhcp limits must be at least 1");
    return d;
  }

  // Not the gateway, the relay agent, reserved or in the DHCP pool.
  static bool free_address(const Site& s, net::Ipv4Addr a) {
    if (a == s.gateway.ip || a == s.dhcp_relay_agent || (s.dhcp_pool && s.dhcp_pool->contains(a))) return false;
    for (const auto& r : s.dhcp_reservations)
      if (r.ip == a) return false;
    return true;
  }

  // The highest free host address of the subnet that no VM uses.
  void default_probe_address(Site& s, const std::vector<VmSpec>& vms) {
    const std::uint32_t broadcast = s.subnet.network.value | ~s.subnet.mask();
    for (std::uint32_t a = broadcast - 1; a > s.subnet.network.value; --a) {
      bool used = !free_address(s, net::Ipv4Addr{a});
      for (const auto& v : vms) used |= v.ip.value == a;
      if (!used) {
        s.probe_address = net::Ipv4Addr{a};
        return;
      }
    }
    fail(site_nodes_.at(s.name), s.name + ": no free address left in " + s.subnet.to_string() + " for the path probes");
  }

  ServiceSpec service(const YAML::Node& n) {
    only_keys(n, "a service", {"name", "vm", "users", "parts"});
    ServiceSpec s;
    s.name = text(need(n, "name", "a service"), "service name");
    s.vm = text(need(n, "vm", s.name), s.name + ".vm");
    for (const auto& u : sequence(n, "users", false)) s.users.push_back(text(u, s.name + ".users"));
    for (const auto& p : sequence(n, "parts", false)) {
      only_keys(p, s.name + ".parts", {"name", "size_mib", "at", "follows"});
      ServicePart part;
      part.name = text(need(p, "name", s.name + ".parts"), s.name + ".parts.name");
      if (part.name.find('/') != std::string::npos) fail(p["name"], s.name + ": a part's name cannot hold '/'");
      const std::string what = ServiceSpec::part_id(s.name, part.name);
      part.size_mib = non_negative(need(p, "size_mib", what), what + ".size_mib");
      part.initial_dc = text(need(p, "at", what), what + ".at");
      if (const YAML::Node f = p["follows"]) part.follows = boolean(f, what + ".follows");
      for (const auto& other : s.parts)
        if (other.name == part.name) fail(p, what + ": the part is named twice");
      s.parts.push_back(std::move(part));
      part_nodes_.push_back(p);
    }
    service_nodes_.push_back(n);
    return s;
  }

  PlacementSettings placement(const YAML::Node& n) const {
    only_keys(n, "placement", placement_keys());
    PlacementSettings p;
    if (const YAML::Node policy = n["policy"]) {
      const std::string v = text(policy, "placement.policy");
      if (auto why = unknown_policy(v, "placement.policy")) fail(policy, *why);
      p.policy = *placement_policy_from_string(v);
    }
    if (const YAML::Node w = n["weights"]) {
      only_keys(w, "placement.weights", placement_weight_keys());
      for (const auto& weight : placement_weights()) read(w, weight, "placement.weights.", p);
    }
    for (const auto& v : sequence(n, "preferred_providers", false)) p.preferred_providers.push_back(text(v, "placement.preferred_providers"));
    for (const auto& number : placement_numbers()) read(n, number, "placement.", p);
    return p;
  }

  void read(const YAML::Node& map, const PlacementNumber& number, const std::string& prefix, PlacementSettings& p) const {
    const YAML::Node v = map[number.key];
    if (!v) return;
    const std::string what = prefix + number.key;
    const double d = real(v, what);
    if (auto why = out_of_range(number, d, what)) fail(v, *why);
    p.*number.field = d;
  }

  PathMonitorSettings path_monitor(const YAML::Node& n) const {
    only_keys(n, "path_monitor", {"interval_ms", "udp_port", "smoothing"});
    PathMonitorSettings p;
    if (const YAML::Node i = n["interval_ms"]) p.interval_ms = static_cast<std::uint32_t>(number(i, "path_monitor.interval_ms", 3600000));
    if (p.interval_ms < 10) fail(n["interval_ms"], "path_monitor.interval_ms must be at least 10");
    if (const YAML::Node u = n["udp_port"]) p.udp_port = static_cast<std::uint16_t>(number(u, "path_monitor.udp_port", 65535));
    if (p.udp_port == 0 || p.udp_port == 67 || p.udp_port == 68) fail(n, "path_monitor.udp_port must be a free UDP port (not 0, 67 or 68)");
    if (const YAML::Node a = n["smoothing"]) {
      p.smoothing = fraction(a, "path_monitor.smoothing");
      if (p.smoothing == 0) fail(a, "path_monitor.smoothing must be above 0");
    }
    return p;
  }

  WanDelay delay(const YAML::Node& n) {
    only_keys(n, "a WAN delay", {"from", "to", "delay"});
    WanDelay d{text(need(n, "from", "a WAN delay"), "from"), text(need(n, "to", "a WAN delay"), "to"), 0};
    d.delay_ms = real(need(n, "delay", "a WAN delay"), "delay");
    if (d.delay_ms < 0) fail(n, "a WAN delay cannot be negative");
    delay_nodes_.push_back(n);
    return d;
  }

  void cross_check(const NetworkModel& m) {
    for (const auto& s : m.sites) {
      const YAML::Node& at = site_nodes_.at(s.name);
      const SwitchSpec* sw = m.switch_named(s.switch_name);
      if (!sw) fail(at, s.name + ": no switch named '" + s.switch_name + "'");
      if (!sw->ports.count(s.uplink_port)) fail(at, s.name + ": switch " + sw->name + " has no port '" + s.uplink_port + "'");
      for (const auto& other : m.sites)
        if (&other != &s && other.switch_name == s.switch_name) fail(at, s.name + " and " + other.name + " share switch " + s.switch_name);
    }
    std::set<std::uint64_t> macs;
    for (std::size_t i = 0; i < m.vms.size(); ++i) {
      const auto& v = m.vms[i];
      const Site* home = m.site_named(v.home);
      if (!home || home->kind != SiteKind::kDataCenter) fail(endpoint_nodes_[i], v.name + ": home '" + v.home + "' is not a data center");
      if (!home->subnet.contains(v.ip)) fail(endpoint_nodes_[i], v.name + ": " + v.ip.to_string() + " is outside its home " + home->subnet.to_string());
      if (!macs.insert(v.mac.as_u64()).second) fail(endpoint_nodes_[i], v.name + ": MAC " + v.mac.to_string() + " is used twice");
      if (v.ip == home->probe_address) fail(endpoint_nodes_[i], v.name + ": " + v.ip.to_string() + " is " + home->name + "'s path probe address; set another 'probe_address'");
    }
    for (std::size_t i = 0; i < m.clients.size(); ++i) {
      const auto& c = m.clients[i];
      const YAML::Node& at = endpoint_nodes_[m.vms.size() + i];
      const Site* home = m.site_named(c.home);
      if (!home || home->kind != SiteKind::kAccessNetwork) fail(at, c.name + ": home '" + c.home + "' is not an access network");
      if (!macs.insert(c.mac.as_u64()).second) fail(at, c.name + ": MAC " + c.mac.to_string() + " is used twice");
    }
    for (std::size_t i = 0; i < m.services.size(); ++i) {
      const auto& s = m.services[i];
      if (!m.vm_named(s.vm)) fail(service_nodes_[i], s.name + ": no VM named '" + s.vm + "'");
      for (const auto& u : s.users) {
        bool known = false;
        for (const auto& c : m.clients) known |= c.name == u;
        if (!known) fail(service_nodes_[i], s.name + ": no client named '" + u + "'");
      }
      for (std::size_t j = 0; j < i; ++j)
        if (m.services[j].name == s.name || m.services[j].vm == s.vm)
          fail(service_nodes_[i], s.name + ": a service name or VM is used twice");
    }
    std::size_t next_part = 0;
    for (const auto& s : m.services)
      for (const auto& part : s.parts) {
        const Site* dc = m.site_named(part.initial_dc);
        if (!dc || dc->kind != SiteKind::kDataCenter)
          fail(part_nodes_[next_part], ServiceSpec::part_id(s.name, part.name) + ": '" + part.initial_dc + "' is not a data center");
        ++next_part;
      }
    for (std::size_t i = 0; i < m.wan.size(); ++i)
      for (const auto* name : {&m.wan[i].from, &m.wan[i].to})
        if (!m.site_named(*name)) fail(delay_nodes_[i], "WAN delay names unknown site '" + *name + "'");
  }

  std::set<std::string> switch_names_, site_names_;
  std::set<std::uint64_t> dpids_;
  std::map<std::string, YAML::Node> site_nodes_;
  std::vector<YAML::Node> endpoint_nodes_, delay_nodes_, service_nodes_, part_nodes_;
};

}  // namespace

Result<NetworkModel, ConfigError> parse_network_yaml(const std::string& text, const std::string& name) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return Unexpected{ConfigError{name, 1, 1, "the file must hold a YAML mapping"}};
    return Loader(name).load(root);
  } catch (const Invalid& e) {
    return Unexpected{e.error};
  } catch (const YAML::Exception& e) {
    return Unexpected{ConfigError{name, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1, e.msg}};
  }
}

Result<NetworkModel, ConfigError> load_network_yaml(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{ConfigError{path, 0, 0, "cannot read the file"}};
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_network_yaml(buf.str(), path);
}

}  // namespace fmc::model

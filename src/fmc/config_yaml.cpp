#include "fmc/config_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace fmc::model {

std::string ConfigError::to_string() const {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(column);
  return where + ": " + message;
}

namespace {

// Thrown inside the loader only; the public functions turn it into a value.
struct Invalid {
  ConfigError error;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    const auto mark = at.Mark();
    throw Invalid{ConfigError{file_, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1, message}};
  }

  void only_keys(const YAML::Node& map, const std::string& what, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, what + " must be a mapping");
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      bool known = false;
      for (const char* a : allowed) known |= key == a;
      if (!known) fail(kv.first, "unknown key '" + key + "' in " + what);
    }
  }

  YAML::Node need(const YAML::Node& map, const char* key, const std::string& what) const {
    const YAML::Node n = map[key];
    if (!n) fail(map, what + " needs '" + key + "'");
    return n;
  }

  std::string text(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a scalar");
    return n.as<std::string>();
  }

  net::Ipv4Addr ip(const YAML::Node& n, const std::string& what) const {
    auto v = net::Ipv4Addr::parse(text(n, what));
    if (!v) fail(n, what + ": '" + n.as<std::string>() + "' is not an IPv4 address");
    return *v;
  }

  net::MacAddr mac(const YAML::Node& n, const std::string& what) const {
    auto v = net::MacAddr::parse(text(n, what));
    if (!v) fail(n, what + ": '" + n.as<std::string>() + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    return *v;
  }

  net::Ipv4Prefix prefix(const YAML::Node& n, const std::string& what) const {
    auto v = net::Ipv4Prefix::parse(text(n, what));
    if (!v) fail(n, what + ": '" + n.as<std::string>() + "' is not an IPv4 prefix (a.b.c.d/len, no host bits)");
    return *v;
  }

  std::uint64_t number(const YAML::Node& n, const std::string& what, std::uint64_t max) const {
    const std::string s = text(n, what);
    std::size_t used = 0;
    std::uint64_t v = 0;
    try {
      v = std::stoull(s, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size() || v > max) fail(n, what + ": '" + s + "' is not a number up to " + std::to_string(max));
    return v;
  }

  double real(const YAML::Node& n, const std::string& what) const {
    try {
      return n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, what + ": '" + n.as<std::string>() + "' is not a number");
    }
  }

  bool boolean(const YAML::Node& n, const std::string& what) const {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, what + ": expected true or false");
    }
  }

  YAML::Node sequence(const YAML::Node& root, const char* key, bool required) const {
    const YAML::Node n = root[key];
    if (!n) {
      if (required) fail(root, std::string("the network needs '") + key + "'");
      return YAML::Node(YAML::NodeType::Sequence);
    }
    if (!n.IsSequence()) fail(n, std::string("'") + key + "' must be a list");
    return n;
  }

  NetworkModel load(const YAML::Node& root) {
    only_keys(root, "the network", {"switches", "data_centers", "access_networks", "router", "vms", "clients", "wan_delays_ms", "dhcp"});
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
    cross_check(m);
    if (m.dhcp.mode == DhcpMode::kRelay)
      for (const auto& s : m.sites)
        if (s.kind == SiteKind::kAccessNetwork && !s.dhcp_relay_agent)
          fail(site_nodes_.at(s.name), s.name + ": DHCP relay mode needs 'dhcp_relay_agent' in every access network");
    return m;
  }

 private:
  SwitchSpec switch_spec(const YAML::Node& n) {
    only_keys(n, "a switch", {"name", "dpid", "ports"});
    SwitchSpec s;
    s.name = text(need(n, "name", "a switch"), "switch name");
    s.dpid = of::Dpid{number(need(n, "dpid", "switch " + s.name), "switch " + s.name + " dpid", ~0ull)};
    const YAML::Node ports = need(n, "ports", "switch " + s.name);
    if (!ports.IsMap()) fail(ports, "switch " + s.name + " ports must map names to numbers");
    for (const auto& kv : ports)
      s.ports[kv.first.as<std::string>()] = of::PortNo{static_cast<std::uint32_t>(number(kv.second, "switch " + s.name + " port", 0xffffff00))};
    if (!switch_names_.insert(s.name).second) fail(n, "switch '" + s.name + "' is defined twice");
    if (!dpids_.insert(s.dpid.value).second) fail(n, "switch '" + s.name + "' reuses a dpid");
    return s;
  }

  Site site(const YAML::Node& n, SiteKind kind) {
    const std::string what = kind == SiteKind::kDataCenter ? "a data center" : "an access network";
    only_keys(n, what, {"name", "switch", "uplink_port", "subnet", "gateway", "location", "dhcp_pool", "dhcp_reservations",
                  "dhcp_relay_agent", "keep_address_when_visiting"});
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
    if (!site_names_.insert(s.name).second) fail(n, "site '" + s.name + "' is defined twice");
    site_nodes_[s.name] = n;
    return s;
  }

  VmSpec vm(const YAML::Node& n) {
    only_keys(n, "a VM", {"name", "ip", "mac", "home", "hypervisor"});
    VmSpec v;
    v.name = text(need(n, "name", "a VM"), "VM name");
    v.ip = ip(need(n, "ip", v.name), v.name + ".ip");
    v.mac = mac(need(n, "mac", v.name), v.name + ".mac");
    v.home = text(need(n, "home", v.name), v.name + ".home");
    v.hypervisor = n["hypervisor"] ? text(n["hypervisor"], v.name + ".hypervisor") : "netns:" + v.home;
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
    }
    for (std::size_t i = 0; i < m.clients.size(); ++i) {
      const auto& c = m.clients[i];
      const YAML::Node& at = endpoint_nodes_[m.vms.size() + i];
      const Site* home = m.site_named(c.home);
      if (!home || home->kind != SiteKind::kAccessNetwork) fail(at, c.name + ": home '" + c.home + "' is not an access network");
      if (!macs.insert(c.mac.as_u64()).second) fail(at, c.name + ": MAC " + c.mac.to_string() + " is used twice");
    }
    for (std::size_t i = 0; i < m.wan.size(); ++i)
      for (const auto* name : {&m.wan[i].from, &m.wan[i].to})
        if (!m.site_named(*name)) fail(delay_nodes_[i], "WAN delay names unknown site '" + *name + "'");
  }

  std::string file_;
  std::set<std::string> switch_names_, site_names_;
  std::set<std::uint64_t> dpids_;
  std::map<std::string, YAML::Node> site_nodes_;
  std::vector<YAML::Node> endpoint_nodes_, delay_nodes_;
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

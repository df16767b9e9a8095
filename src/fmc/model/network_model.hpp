#pragma once
// What the Follow-Me Cloud controller knows about the network before any
// packet arrives (paper §IV.B i–vi): switches and their ports, data centers
// and client access networks with their ranges and gateways, the router, the
// known VMs and clients, and WAN delays. Loaded from YAML (config_yaml.hpp).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fmc/model/site_name.hpp"
#include "net/address.hpp"
#include "net/ipv4.hpp"
#include "openflow/types.hpp"
#include "util/by_name.hpp"

namespace fmc::model {

struct SwitchSpec {
  std::string name;
  of::Dpid dpid;
  ByName<of::PortNo> ports;  // port role/name -> number (a DC switch has one per VM: hashed)
  std::string scope;  // the network scope whose master controls it (paper §V); empty: none
};

struct Gateway {
  net::Ipv4Addr ip;
  net::MacAddr mac;
};

struct AddressPool {
  net::Ipv4Addr first;
  net::Ipv4Addr last;
  bool contains(net::Ipv4Addr a) const { return a.value >= first.value && a.value <= last.value; }
};

// A fixed address for one client (by MAC), inside the network's subnet.
struct DhcpReservation {
  net::MacAddr mac;
  net::Ipv4Addr ip;
};

enum class SiteKind { kDataCenter, kAccessNetwork };

// A data center or a client access network (WLAN): one switch, one subnet.
// Aligned to a cache line, what a move reads of a site first coming first: at millions of
// endpoints a site's record is seldom in the cache when a move reaches it (one line, not two).
struct alignas(64) Site {
  SiteName name;  // interned: endpoints' locations name their site with the same SiteName
  SiteKind kind = SiteKind::kDataCenter;
  net::Ipv4Prefix subnet;
  Gateway gateway;
  std::string switch_name;
  std::string uplink_port;  // the switch port towards the router
  double latitude = 0, longitude = 0;
  std::optional<AddressPool> dhcp_pool;     // access networks
  std::vector<DhcpReservation> dhcp_reservations;
  // Relay mode: the relay agent's address (giaddr) in this network; the
  // controller answers ARP for it and receives the server's replies on it.
  std::optional<net::Ipv4Addr> dhcp_relay_agent;
  bool keep_address_when_visiting = true;   // per-network policy for roaming clients
  // Where the Path Monitor's probes start and end in this site (the
  // controller answers ARP for it); by default the last host address.
  net::Ipv4Addr probe_address;
  // Data centers, for placement (paper §III.B): QoS and business parameters.
  double utilisation = 0;  // 0..1, of the DC's servers
  double cost = 0;         // relative price of running a service there
  std::string provider;
  std::string libvirt_uri;  // the DC's hypervisor for the libvirt driver, e.g. qemu+ssh://host/system
};

enum class DhcpMode { kServe, kRelay };

// The controller's DHCP service (paper §IV.B.6): serve from the pools
// itself, or relay to an external server (ISC Kea) with option 82.
struct DhcpSettings {
  DhcpMode mode = DhcpMode::kServe;
  std::uint32_t lease_time_s = 3600;
  std::vector<net::Ipv4Addr> dns;
  std::string domain;
  std::optional<net::Ipv4Addr> relay_to;  // relay mode: the server's address
  // Abuse limits per switch port: distinct clients, and messages per second.
  std::uint32_t max_clients_per_port = 32;
  std::uint32_t max_rate_per_port = 50;
};

// The Path Monitor (paper §III.B: measured delays feed the Location Mapper).
struct PathMonitorSettings {
  std::uint32_t interval_ms = 1000;  // probes and port statistics, per path
  std::uint16_t udp_port = 7359;     // probes' UDP port
  double smoothing = 0.25;           // weight of a new sample (EWMA)
};

struct RouterSpec {
  std::string name;
};

struct VmSpec {
  std::string name;
  net::Ipv4Addr ip;
  net::MacAddr mac;
  std::string home;        // data center
  std::string hypervisor;  // driver handle, e.g. "qemu:dc1"
  double memory_mib = 128;  // what a live migration has to copy
};

struct ClientSpec {
  std::string name;
  net::MacAddr mac;
  std::string home;  // access network
};

struct WanDelay {
  std::string from, to;  // site names
  double delay_ms = 0;
};

// A part of a service besides its running VM: a disk image, the users' data
// (paper §III.B: services are composed of such parts). Placed on its own: a
// small one may follow the users at once, a big one only when the gain pays
// for its copy, a pinned one never.
struct ServicePart {
  std::string name;        // unique within its service; moves as "service/part"
  double size_mib = 0;     // what moving it copies
  std::string initial_dc;  // where it is before any move ("at")
  bool follows = true;     // false: pinned to initial_dc
};

// A cloud service some clients use, running in one VM (paper §III.B: the
// Location Mapper places it near its users), with its other parts.
struct ServiceSpec {
  std::string name;
  std::string vm;
  std::vector<std::string> users;  // client names
  std::vector<ServicePart> parts;
  // "service/part": how a part's moves are named (migration records, decisions).
  static std::string part_id(const std::string& service, const std::string& part) { return service + "/" + part; }
  static bool is_part_id(const std::string& name) { return name.find('/') != std::string::npos; }
};

enum class PlacementPolicyKind { kOff, kNearest, kThreshold, kMdp };
const char* to_string(PlacementPolicyKind k);
std::optional<PlacementPolicyKind> placement_policy_from_string(std::string_view s);

// How the Location Mapper scores data centers and decides to migrate.
// Scores are in "milliseconds of delay" after weighting; lower is better.
struct PlacementSettings {
  PlacementPolicyKind policy = PlacementPolicyKind::kOff;
  double weight_delay = 1;         // per ms of measured delay to the users
  double weight_utilisation = 0;   // per 1% of server utilisation
  double weight_cost = 0;          // per unit of a DC's cost
  double weight_preferred = 0;     // subtracted for a preferred provider
  std::vector<std::string> preferred_providers;
  double hysteresis = 5;           // a new DC must beat the current one by this much
  double dwell_s = 2;              // ... for this long (threshold policy)
  double horizon_s = 60;           // how long a gain is expected to last (threshold)
  double discount = 0.95;          // per second (mdp)
  double link_mbps = 1000;         // between data centers, for the copy time
  double expected_downtime_ms = 50;
  double migration_weight = 30;    // score-seconds per second of copying or downtime
  double retry_after_s = 30;       // after a failed or refused migration
};

struct NetworkModel {
  NetworkModel();
  NetworkModel(const NetworkModel&);
  NetworkModel(NetworkModel&&) noexcept;
  NetworkModel& operator=(const NetworkModel&);
  NetworkModel& operator=(NetworkModel&&) noexcept;
  ~NetworkModel();

  std::vector<SwitchSpec> switches;
  std::vector<Site> sites;
  RouterSpec router;
  std::vector<VmSpec> vms;
  std::vector<ClientSpec> clients;
  std::vector<WanDelay> wan;
  DhcpSettings dhcp;
  std::vector<ServiceSpec> services;
  PlacementSettings placement;
  PathMonitorSettings path_monitor;

  const VmSpec* vm_named(std::string_view name) const;
  // The configured WAN round trip between two sites (either direction).
  std::optional<double> wan_delay(std::string_view a, std::string_view b) const;
  const SwitchSpec* switch_named(std::string_view name) const;
  const SwitchSpec* switch_with(of::Dpid dpid) const;
  const Site* site_named(std::string_view name) const;
  // The same for an interned name (an endpoint's home or location): by the name's number, no hashing.
  const Site* site(SiteName name) const { return site_numbered(name.number()); }
  const Site* site_numbered(std::uint32_t name_number) const;  // the site named by SiteName::number()
  // The site whose switch has this DPID (each site has its own switch).
  const Site* site_at(of::Dpid dpid) const;
  const Site* gateway_site(net::Ipv4Addr ip) const;
  std::vector<const Site*> sites_of(SiteKind kind) const;
  // Whether any switch names a port after this endpoint (else it is known only from DHCP).
  bool has_configured_port(std::string_view endpoint) const;
  // The port number of the site's switch that leads to the router.
  std::optional<of::PortNo> uplink_port(const Site& site) const;
  const SwitchSpec* switch_of(const Site& site) const;  // the switch named by site.switch_name
  std::optional<of::Dpid> switch_dpid(const Site& site) const;  // its DPID (indexed: its record unread)

  // Lookups by name and DPID scan the lists until index() is called, and are
  // hashed after it. The model is frozen from then on (entries keep their
  // names, DPIDs and ports); a list that grows or shrinks falls back to scanning.
  void index();

 private:
  struct Index;
  std::unique_ptr<Index> index_;
  const Index* fresh_index() const;  // nullptr unless index() saw the lists as they are
  const Index* index_of(const Site& site, std::size_t& position) const;  // and `site` is one of sites
};

}  // namespace fmc::model

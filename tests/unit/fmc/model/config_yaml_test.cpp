#include "fmc/model/config_yaml.hpp"

#include <gtest/gtest.h>

using namespace fmc;
using namespace fmc::model;

namespace {

const char* kMinimal = R"(switches:
  - {name: s1, dpid: 0x1, ports: {uplink: 1}}
  - {name: s2, dpid: 2, ports: {uplink: 1}}
data_centers:
  - name: dc1
    switch: s1
    uplink_port: uplink
    subnet: 10.1.0.0/24
    gateway: {ip: 10.1.0.1, mac: "02:fe:00:00:01:01"}
access_networks:
  - name: wlan1
    switch: s2
    uplink_port: uplink
    subnet: 10.10.1.0/24
    gateway: {ip: 10.10.1.1, mac: "02:fe:00:00:0a:01"}
router: {name: r1}
vms:
  - {name: vm1, ip: 10.1.0.10, mac: "02:00:00:01:00:10", home: dc1}
)";

ConfigError error_for(const std::string& text) {
  auto r = parse_network_yaml(text, "net.yaml");
  EXPECT_FALSE(r);
  return r ? ConfigError{} : r.error();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST(ConfigYaml, LoadsThePapersTestbed) {
  auto m = load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->switches.size(), 4u);
  EXPECT_EQ(m->sites_of(SiteKind::kDataCenter).size(), 2u);
  EXPECT_EQ(m->sites_of(SiteKind::kAccessNetwork).size(), 2u);
  const Site* dc2 = m->site_at(of::Dpid{0xd2});
  ASSERT_TRUE(dc2);
  EXPECT_EQ(dc2->name, "dc2");
  EXPECT_EQ(dc2->gateway.ip.to_string(), "10.2.0.1");
  EXPECT_EQ(m->gateway_site(*net::Ipv4Addr::parse("10.10.2.1"))->name, "wlan2");
  ASSERT_EQ(m->vms.size(), 1u);
  EXPECT_EQ(m->vms[0].hypervisor, "qemu:dc1");
  EXPECT_EQ(m->site_named("wlan1")->dhcp_pool->first.to_string(), "10.10.1.100");
  EXPECT_EQ(m->wan.size(), 4u);
}

TEST(ConfigYaml, OverlappingDataCenterRangesAreAllowed) {
  std::string text = replace(kMinimal, "subnet: 10.10.1.0/24", "subnet: 10.1.0.0/24");
  text = replace(text, "gateway: {ip: 10.10.1.1,", "gateway: {ip: 10.1.0.1,");
  EXPECT_TRUE(parse_network_yaml(text, "net.yaml"));
}

TEST(ConfigYaml, ErrorsNameFileLineAndProblem) {
  auto e = error_for(replace(kMinimal, "subnet: 10.1.0.0/24", "subnet: 10.1.0.0/33"));
  EXPECT_EQ(e.file, "net.yaml");
  EXPECT_EQ(e.line, 8);
  EXPECT_NE(e.message.find("not an IPv4 prefix"), std::string::npos) << e.message;
  EXPECT_EQ(e.to_string().rfind("net.yaml:8:", 0), 0u) << e.to_string();

  e = error_for(replace(kMinimal, "mac: \"02:00:00:01:00:10\"", "mac: \"02:00:00:01:00\""));
  EXPECT_EQ(e.line, 18);
  EXPECT_NE(e.message.find("not a MAC address"), std::string::npos);
}

TEST(ConfigYaml, RejectsInconsistentNetworks) {
  struct Case {
    std::string from, to, expect;
  };
  const Case cases[] = {
      {"dpid: 2", "dpid: 1", "reuses a dpid"},
      {"gateway: {ip: 10.1.0.1,", "gateway: {ip: 10.9.0.1,", "outside"},
      {"switch: s2", "switch: s9", "no switch named 's9'"},
      {"switch: s2", "switch: s1", "share switch"},
      {"uplink_port: uplink\n    subnet: 10.10", "uplink_port: north\n    subnet: 10.10", "no port 'north'"},
      {"ip: 10.1.0.10", "ip: 10.2.0.10", "outside its home"},
      {"home: dc1", "home: wlan1", "is not a data center"},
      {"router: {name: r1}", "router: {name: r1, color: blue}", "unknown key 'color'"},
      {"router: {name: r1}", "", "needs 'router'"},
      {"- {name: s1, dpid: 0x1,", "- {name: s1, dpid: banana,", "is not a number"},
      {"vms:\n", "vms:\n  - [1, 2\n", ""},  // YAML syntax error
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.to);
    const auto e = error_for(replace(kMinimal, c.from, c.to));
    EXPECT_NE(e.message.find(c.expect), std::string::npos) << e.to_string();
    EXPECT_GT(e.line, 0) << e.to_string();
  }
}

TEST(ConfigYaml, MissingFileIsAClearError) {
  auto r = load_network_yaml("/nonexistent/fmc.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "/nonexistent/fmc.yaml: cannot read the file");
}

TEST(ConfigYaml, DhcpSettingsAndTheirMistakes) {
  const std::string gw = "gateway: {ip: 10.10.1.1, mac: \"02:fe:00:00:0a:01\"}";
  auto ok = parse_network_yaml(
      replace(kMinimal, gw,
              gw + "\n    dhcp_pool: {first: 10.10.1.100, last: 10.10.1.199}\n"
                   "    dhcp_reservations: [{mac: \"02:00:00:00:00:01\", ip: 10.10.1.5}]\n"
                   "    dhcp_relay_agent: 10.10.1.2") +
          "dhcp: {mode: relay, relay_to: 10.1.0.67, lease_time: 600, dns: [10.1.0.53], domain: fmc.test,"
          " max_clients_per_port: 8, max_rate_per_port: 5}\n",
      "net.yaml");
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->dhcp.mode, DhcpMode::kRelay);
  EXPECT_EQ(ok->dhcp.relay_to, net::Ipv4Addr::parse("10.1.0.67"));
  EXPECT_EQ(ok->dhcp.lease_time_s, 600u);
  EXPECT_EQ(ok->dhcp.max_clients_per_port, 8u);
  const Site* wlan1 = ok->site_named("wlan1");
  ASSERT_EQ(wlan1->dhcp_reservations.size(), 1u);
  EXPECT_EQ(wlan1->dhcp_relay_agent, net::Ipv4Addr::parse("10.10.1.2"));

  struct Case {
    std::string append, in_site, expect;
  };
  const Case cases[] = {
      {"dhcp: {mode: proxy}\n", "", "neither 'serve' nor 'relay'"},
      {"dhcp: {mode: relay}\n", "", "needs 'relay_to'"},
      {"dhcp: {mode: relay, relay_to: 10.1.0.67}\n", "", "needs 'dhcp_relay_agent'"},
      {"dhcp: {lease_time: 5}\n", "", "at least 60 seconds"},
      {"dhcp: {max_rate_per_port: 0}\n", "", "at least 1"},
      {"dhcp: {dns: [banana]}\n", "", "not an IPv4 address"},
      {"dhcp: {colour: red}\n", "", "unknown key 'colour'"},
      {"", "\n    dhcp_pool: {first: 10.10.1.200, last: 10.10.1.100}", "ascending range"},
      {"", "\n    dhcp_reservations: [{mac: \"02:00:00:00:00:01\", ip: 10.10.2.5}]", "must be a host address inside"},
      {"", "\n    dhcp_reservations: [{mac: \"02:00:00:00:00:01\", ip: 10.10.1.5}, {mac: \"02:00:00:00:00:01\", ip: 10.10.1.6}]",
       "repeats a MAC"},
      {"", "\n    dhcp_relay_agent: 10.10.1.1", "other than the gateway"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.append + c.in_site);
    const auto e = error_for(replace(kMinimal, gw, gw + c.in_site) + c.append);
    EXPECT_NE(e.message.find(c.expect), std::string::npos) << e.to_string();
    EXPECT_GT(e.line, 0) << e.to_string();
  }
}

namespace {

const std::string kWithClient = std::string(kMinimal) + "clients:\n  - {name: c1, mac: \"02:00:00:0a:00:01\", home: wlan1}\n";

TEST(ConfigYaml, ServicesPlacementAndPathMonitor) {
  auto m = parse_network_yaml(kWithClient + R"(services:
  - {name: video, vm: vm1, users: [c1]}
placement:
  policy: mdp
  weights: {delay: 2, utilisation: 0.5, cost: 1, preferred: 3}
  preferred_providers: [acme]
  dwell_s: 4
  discount: 0.9
path_monitor: {interval_ms: 250, udp_port: 9000}
)",
                              "net.yaml");
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m->services.size(), 1u);
  EXPECT_EQ(m->services[0].users, std::vector<std::string>{"c1"});
  EXPECT_EQ(m->placement.policy, PlacementPolicyKind::kMdp);
  EXPECT_EQ(m->placement.weight_delay, 2);
  EXPECT_EQ(m->placement.preferred_providers, std::vector<std::string>{"acme"});
  EXPECT_EQ(m->placement.dwell_s, 4);
  EXPECT_EQ(m->path_monitor.interval_ms, 250u);
  EXPECT_EQ(m->path_monitor.udp_port, 9000);
  EXPECT_EQ(m->site_named("wlan1")->probe_address.to_string(), "10.10.1.254");
  // Without the sections: placement off, probes every second.
  auto plain = parse_network_yaml(kMinimal, "net.yaml");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->placement.policy, PlacementPolicyKind::kOff);
  EXPECT_EQ(plain->path_monitor.interval_ms, 1000u);
}

TEST(ConfigYaml, PlacementMistakesAreNamed) {
  const auto services = kWithClient + "services:\n  - {name: video, vm: vm1, users: [c1]}\n";
  EXPECT_NE(error_for(kWithClient + "services:\n  - {name: video, vm: vm9}\n").message.find("no VM named 'vm9'"), std::string::npos);
  EXPECT_NE(error_for(kWithClient + "services:\n  - {name: video, vm: vm1, users: [c9]}\n").message.find("no client named 'c9'"),
            std::string::npos);
  EXPECT_NE(error_for(services + "placement: {policy: greedy}\n").message.find("none of off, nearest, threshold, mdp"),
            std::string::npos);
  EXPECT_NE(error_for(services + "placement: {discount: 1}\n").message.find("below 1"), std::string::npos);
  EXPECT_NE(error_for(services + "placement: {dwell_s: -1}\n").message.find("from 0 up"), std::string::npos);
  EXPECT_NE(error_for(services + "placement: {weights: {speed: 1}}\n").message.find("unknown key 'speed'"), std::string::npos);
  EXPECT_NE(error_for(services + "path_monitor: {udp_port: 67}\n").message.find("free UDP port"), std::string::npos);
  EXPECT_NE(error_for(replace(kMinimal, "    subnet: 10.1.0.0/24\n", "    subnet: 10.1.0.0/24\n    utilisation: 1.5\n"))
                .message.find("between 0 and 1"),
            std::string::npos);
  EXPECT_NE(error_for(replace(kMinimal, "    subnet: 10.10.1.0/24\n", "    subnet: 10.10.1.0/24\n    cost: 1\n"))
                .message.find("only data centers"),
            std::string::npos);
  EXPECT_NE(error_for(replace(kMinimal, "    subnet: 10.1.0.0/24\n", "    subnet: 10.1.0.0/24\n    probe_address: 10.1.0.1\n"))
                .message.find("free host address"),
            std::string::npos);
}

TEST(ConfigYaml, ServicePartsAndTheirMistakes) {
  auto m = parse_network_yaml(kWithClient + R"(services:
  - name: video
    vm: vm1
    users: [c1]
    parts:
      - {name: profile, size_mib: 16, at: dc1}
      - {name: library, size_mib: 4096, at: dc1, follows: false}
)",
                              "net.yaml");
  ASSERT_TRUE(m) << m.error().to_string();
  const auto& parts = m->services.at(0).parts;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "profile");
  EXPECT_EQ(parts[0].size_mib, 16);
  EXPECT_EQ(parts[0].initial_dc, "dc1");
  EXPECT_TRUE(parts[0].follows);
  EXPECT_FALSE(parts[1].follows);
  const auto with_parts = [](const std::string& list) {
    return kWithClient + "services:\n  - {name: video, vm: vm1, users: [c1], parts: [" + list + "]}\n";
  };
  EXPECT_NE(error_for(with_parts("{name: p, size_mib: 1, at: wlan1}")).message.find("video/p: 'wlan1' is not a data center"),
            std::string::npos);
  EXPECT_NE(error_for(with_parts("{name: p, size_mib: 1, at: dc1}, {name: p, size_mib: 2, at: dc1}")).message.find("named twice"),
            std::string::npos);
  EXPECT_NE(error_for(with_parts("{name: a/b, size_mib: 1, at: dc1}")).message.find("cannot hold '/'"), std::string::npos);
  EXPECT_NE(error_for(with_parts("{name: p, size_mib: -1, at: dc1}")).message.find("size_mib"), std::string::npos);
  EXPECT_NE(error_for(with_parts("{name: p, at: dc1}")).message.find("needs 'size_mib'"), std::string::npos);
  EXPECT_NE(error_for(with_parts("{name: p, size_mib: 1, at: dc1, speed: 3}")).message.find("unknown key 'speed'"),
            std::string::npos);
}

TEST(ConfigYaml, TheDefaultProbeAddressAvoidsVmsAndPools) {
  auto m = parse_network_yaml(replace(kMinimal, "ip: 10.1.0.10,", "ip: 10.1.0.254,"), "net.yaml");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->site_named("dc1")->probe_address.to_string(), "10.1.0.253");
  EXPECT_NE(error_for(replace(kMinimal, "    subnet: 10.1.0.0/24\n", "    subnet: 10.1.0.0/24\n    probe_address: 10.1.0.10\n"))
                .message.find("path probe address"),
            std::string::npos);
}

}  // namespace

TEST(ConfigYaml, SwitchesMayNameTheirScope) {
  auto m = parse_network_yaml(replace(kMinimal, "ports: {uplink: 1}}", "ports: {uplink: 1}, scope: east-1}"), "net.yaml");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->switches[0].scope, "east-1");
  EXPECT_EQ(m->switches[1].scope, "") << "no scope: controlled by any controller";
  const auto e = error_for(replace(kMinimal, "ports: {uplink: 1}}", "ports: {uplink: 1}, scope: \"east/1\"}"));
  EXPECT_NE(e.message.find("letters, digits"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 2);
}

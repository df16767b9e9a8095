#pragma once
// fmc-controller's command line: what it may say, and what it means once
// checked. Parsing touches nothing but the API token file.
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "controller/config.hpp"
#include "controller/tls.hpp"
#include "util/result.hpp"

namespace fmc::cli {

extern const char* const kUsage;

struct Options {
  bool help = false;
  ctl::ControllerConfig controller;
  std::string port_file;
  std::string network_file;  // empty: a plain learning switch
  std::string db_path = "/var/lib/fmc/fmc.db";  // SQLite, unless etcd is given
  std::string etcd_members;                     // "host:port,...": the store is etcd
  std::string controller_id;                    // this controller's name in scope elections
  std::set<std::string> scopes;                 // campaigned for; empty = every scope in the YAML
  std::chrono::seconds mastership_ttl{3};       // how long a dead master holds its scopes
  std::string migrate_command, transfer_command;  // empty: none
  std::chrono::seconds migration_timeout{600};    // a longer migration is cancelled; 0: no limit
  std::string utilisation_command;                // empty: the YAML's utilisation figures
  std::chrono::seconds utilisation_interval{5};
  bool migrate_libvirt = false;
  bool allow_plaintext = false;
  bool switch_meters = false;  // each port's PACKET_INs also capped in the switch (OpenFlow 1.3 meters)  // OpenFlow in plain TCP on an address other than loopback
  struct Api {
    std::string address;  // empty: no API
    std::uint16_t port = 0;
    std::string token;
    bool open_reads = false;
    std::string port_file;
    ctl::TlsFiles tls;  // no CA: API clients authenticate with the token
  } api;
};

// The options in `args` (without the program name), or what is wrong with them.
Result<Options, std::string> parse_options(const std::vector<std::string>& args);

}  // namespace fmc::cli

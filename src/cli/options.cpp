#include "cli/options.hpp"

#include <algorithm>
#include <fstream>
#include <string_view>

#include <asio/ip/address.hpp>

#include "controller/log.hpp"

namespace fmc::cli {

const char* const kUsage = R"(usage: fmc-controller [options]
  --listen ADDR            address to listen on for OpenFlow (default 127.0.0.1); an address other
                           than loopback needs --of-tls-* or, for a lab, --of-allow-plaintext
  --of-tls-cert PATH       speak OpenFlow over TLS (1.2+) with this PEM certificate chain, ...
  --of-tls-key PATH        ... this PEM private key, ...
  --of-tls-ca PATH         ... and accept only switches whose certificate this CA signed (all three or none)
  --of-allow-plaintext     let --listen serve OpenFlow in plain TCP on an address other than loopback
  --port N                 OpenFlow TCP port (default 6653; 0 = any free port)
  --threads N              worker threads switch sessions are sharded over (default 1)
  --echo-interval MS       idle time before an echo request is sent (default 5000)
  --dead-after MS          silence after which a switch is declared dead (default 15000)
  --handshake-timeout MS   a connection that has not finished the OpenFlow handshake by then is closed (default 10000)
  --max-connections N      control connections held at once (default 4096)
  --max-connections-per-address N
                           of them from one source address (default 1024)
  --packet-in-rate N       PACKET_INs per second one switch may make the apps handle (default 50000; 0: no cap)
  --packet-in-port-rate N  ... and one ingress port (default 2000; 0: no cap); what is over is dropped and counted
  --switch-meters          with --network: enforce each port's cap in its switch first (OpenFlow 1.3 meters)
  --max-output-mib N       what may wait for one switch to read before it is disconnected (default 16)
  --duplicate-dpid POLICY  replace-old (default) | reject-new
  --versions LIST          OpenFlow versions to offer: 1.0,1.3 (default both)
  --log-level LEVEL        debug | info | warn | error (default info)
  --port-file PATH         write the bound port to PATH once ready (OpenFlow and API listening)
  --network FILE           run the Follow-Me Cloud apps for the network in FILE (YAML);
                           without it the controller is a plain learning switch
  --db PATH                Follow-Me Cloud database, SQLite (default /var/lib/fmc/fmc.db)
  --store URL              where the database is: sqlite:PATH (as --db) or etcd://HOST:PORT,...
                           (an etcd cluster's members; the store several controllers share)
  --migrate-command CMD    how to migrate a VM: a command run per migration with {vm}, {from},
                           {to}, {hypervisor} substituted (split on spaces; no shell), e.g.
                           "python3 testbed/fmc_testbed.py migrate net.yaml {vm} {to}"
  --transfer-command CMD   how to copy a service's part (disk image, user data) to another data
                           center: a command per move, {vm} being "service/part", e.g.
                           "python3 testbed/fmc_testbed.py transfer net.yaml {vm} {to}"
  --migrate-libvirt        migrate VMs through libvirt (peer to peer, live), from and to each
                           data center's libvirt_uri in the YAML; the VM is the domain of its name
  --migration-timeout S    cancel a migration still running after S seconds (default 600; 0 = no
                           limit); a command that does not end 10 s later is killed and the VM
                           is looked for at both ends
  --utilisation-command CMD
                           how busy each data center's servers are, measured: a command run every
                           --utilisation-interval (split on spaces; no shell) that prints a JSON
                           object of fractions, {"dc1": 0.12, "dc2": 0.8}, e.g.
                           "python3 testbed/fmc_testbed.py utilisation net.yaml"; without it the
                           YAML's 'utilisation' of each data center is used
  --utilisation-interval S seconds between two readings (default 5; 1 to 3600)
  --controller-id NAME     this controller's name in the scope elections (default: the host name);
                           with --store etcd:// and switches with a 'scope' in the YAML, controllers
                           campaign per scope and only the master of a scope controls its switches
  --scopes A,B             campaign only for these scopes (default: every scope in the YAML); the
                           switches of the others reach this controller's apps never
  --mastership-ttl S       how long a dead master keeps its scopes (default 3; 2 to 60)
  --api ADDR:PORT          serve the northbound REST API there (needs --network; port 0 = any)
  --api-token-file PATH    the API's bearer token: the file's first line (required with --api)
  --api-open-reads         let GET requests in without the token (writes always need it)
  --api-port-file PATH     write the API's bound port to PATH once listening
  --api-tls-cert PATH      serve the API over TLS (1.2+) with this PEM certificate chain ...
  --api-tls-key PATH       ... and this PEM private key (both or neither)
)";

namespace {

// Thrown inside the parser only; parse_options turns it into a value.
struct Refused {
  std::string why;
};

unsigned long number(std::string_view flag, const std::string& text, unsigned long max) {
  std::size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v > max)
    throw Refused{std::string(flag) + " expects a number up to " + std::to_string(max) + ", got '" + text + "'"};
  return v;
}

void check(bool ok, const std::string& why) {
  if (!ok) throw Refused{why};
}

constexpr std::string_view kValued[] = {"--listen", "--port", "--threads", "--echo-interval", "--dead-after", "--port-file",
                                        "--handshake-timeout", "--max-connections", "--max-connections-per-address", "--max-output-mib", "--packet-in-rate", "--packet-in-port-rate",
                                        "--network", "--db", "--store", "--controller-id", "--scopes", "--mastership-ttl", "--api", "--migrate-command", "--migration-timeout", "--transfer-command", "--utilisation-command", "--utilisation-interval",
                                        "--api-token-file", "--api-port-file", "--api-tls-cert", "--api-tls-key", "--of-tls-cert", "--of-tls-key", "--of-tls-ca",
                                        "--duplicate-dpid", "--versions", "--log-level"};

// The value of one flag that takes a value (one of kValued).
void take(Options& o, std::string_view flag, const std::string& value, std::string& api_listen, std::string& token_file,
          int& stores_given) {
  auto& c = o.controller;
  if (flag == "--listen") c.listen_address = value;
  else if (flag == "--port") c.port = static_cast<std::uint16_t>(number(flag, value, 65535));
  else if (flag == "--threads") c.threads = static_cast<unsigned>(number(flag, value, 256));
  else if (flag == "--echo-interval") c.echo_interval = std::chrono::milliseconds(number(flag, value, 3600000));
  else if (flag == "--dead-after") c.dead_after = std::chrono::milliseconds(number(flag, value, 3600000));
  else if (flag == "--handshake-timeout") c.handshake_timeout = std::chrono::milliseconds(number(flag, value, 3600000));
  else if (flag == "--max-connections") c.max_connections = number(flag, value, 1000000);
  else if (flag == "--max-connections-per-address") c.max_connections_per_address = number(flag, value, 1000000);
  else if (flag == "--max-output-mib") c.max_output_bytes = number(flag, value, 4096) << 20;
  else if (flag == "--packet-in-rate") c.packet_in_rate = static_cast<std::uint32_t>(number(flag, value, 10'000'000));
  else if (flag == "--packet-in-port-rate") c.packet_in_port_rate = static_cast<std::uint32_t>(number(flag, value, 10'000'000));
  else if (flag == "--port-file") o.port_file = value;
  else if (flag == "--network") o.network_file = value;
  else if (flag == "--db") {
    o.db_path = value;
    ++stores_given;
  } else if (flag == "--store") {
    ++stores_given;
    if (value.rfind("sqlite:", 0) == 0 && value.size() > 7) o.db_path = value.substr(7);
    else if (value.rfind("etcd://", 0) == 0 && value.size() > 7) o.etcd_members = value.substr(7);
    else throw Refused{"--store expects sqlite:PATH or etcd://HOST:PORT,..., got '" + value + "'"};
  } else if (flag == "--controller-id") {
    check(!value.empty() && value.size() <= 64 && value.find_first_of("/ \t") == std::string::npos,
          "--controller-id expects a name of up to 64 characters without '/' or spaces");
    o.controller_id = value;
  } else if (flag == "--scopes") {
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string scope(rest.substr(0, comma));
      check(!scope.empty() && scope.size() <= 64 && scope.find_first_of("/ \t") == std::string::npos,
            "--scopes expects scope names separated by commas, got '" + value + "'");
      o.scopes.insert(scope);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    check(!o.scopes.empty(), "--scopes expects at least one scope name");
  } else if (flag == "--mastership-ttl") {
    o.mastership_ttl = std::chrono::seconds(number(flag, value, 60));
    check(o.mastership_ttl >= std::chrono::seconds(2), "--mastership-ttl must be at least 2 seconds");
  } else if (flag == "--api") api_listen = value;
  else if (flag == "--migrate-command") o.migrate_command = value;
  else if (flag == "--migration-timeout") o.migration_timeout = std::chrono::seconds(number(flag, value, 86400));
  else if (flag == "--transfer-command") o.transfer_command = value;
  else if (flag == "--utilisation-command") o.utilisation_command = value;
  else if (flag == "--utilisation-interval") {
    o.utilisation_interval = std::chrono::seconds(number(flag, value, 3600));
    check(o.utilisation_interval >= std::chrono::seconds(1), "--utilisation-interval must be at least 1 second");
  }
  else if (flag == "--api-token-file") token_file = value;
  else if (flag == "--api-port-file") o.api.port_file = value;
  else if (flag == "--api-tls-cert") o.api.tls.cert = value;
  else if (flag == "--api-tls-key") o.api.tls.key = value;
  else if (flag == "--of-tls-cert") c.tls.cert = value;
  else if (flag == "--of-tls-key") c.tls.key = value;
  else if (flag == "--of-tls-ca") c.tls.ca = value;
  else if (flag == "--duplicate-dpid") {
    if (value == "replace-old") c.duplicate_dpid = ctl::DuplicateDpidPolicy::kReplaceOld;
    else if (value == "reject-new") c.duplicate_dpid = ctl::DuplicateDpidPolicy::kRejectNew;
    else throw Refused{"--duplicate-dpid expects replace-old or reject-new, got '" + value + "'"};
  } else if (flag == "--versions") {
    c.version_bitmap = 0;
    if (value.find("1.0") != std::string::npos) c.version_bitmap |= 1u << 0x01;
    if (value.find("1.3") != std::string::npos) c.version_bitmap |= 1u << 0x04;
    check(c.version_bitmap != 0, "--versions expects 1.0, 1.3 or 1.0,1.3, got '" + value + "'");
  } else if (flag == "--log-level") {
    using log::Level;
    if (value == "debug") log::threshold() = Level::kDebug;
    else if (value == "info") log::threshold() = Level::kInfo;
    else if (value == "warn") log::threshold() = Level::kWarn;
    else if (value == "error") log::threshold() = Level::kError;
    else throw Refused{"--log-level expects debug, info, warn or error, got '" + value + "'"};
  }
}

void api_options(Options& o, const std::string& listen, const std::string& token_file) {
  auto& api = o.api;
  if (listen.empty()) {
    check(token_file.empty() && !api.open_reads && api.port_file.empty() && api.tls.cert.empty() && api.tls.key.empty(),
          "--api-token-file, --api-open-reads, --api-port-file and --api-tls-* go with --api");
    return;
  }
  check(!o.network_file.empty(), "--api serves the Follow-Me Cloud state: it needs --network");
  const auto colon = listen.rfind(':');
  check(colon != std::string::npos && colon != 0, "--api expects ADDR:PORT, got '" + listen + "'");
  api.address = listen.substr(0, colon);
  api.port = static_cast<std::uint16_t>(number("--api", listen.substr(colon + 1), 65535));
  check(!token_file.empty(), "--api needs --api-token-file (there are no default credentials)");
  std::ifstream in(token_file);
  check(in && std::getline(in, api.token), "cannot read the API token from " + token_file);
  while (!api.token.empty() && (api.token.back() == '\r' || api.token.back() == ' ')) api.token.pop_back();
  check(api.token.size() >= 16, "the API token in " + token_file + " is shorter than 16 characters");
  check(api.tls.cert.empty() == api.tls.key.empty(), "--api-tls-cert and --api-tls-key go together");
}

// OpenFlow gives whoever connects the network: outside loopback it is TLS with
// switch certificates, or plain text only when asked for by name.
void openflow_security(const Options& o) {
  const auto& tls = o.controller.tls;
  check((tls.cert.empty() == tls.key.empty()) && (tls.cert.empty() == tls.ca.empty()),
        "--of-tls-cert, --of-tls-key and --of-tls-ca go together (switches are authenticated by their certificate)");
  std::error_code ec;
  const auto address = asio::ip::make_address(o.controller.listen_address, ec);
  check(!ec, "--listen expects an IPv4 or IPv6 address, got '" + o.controller.listen_address + "'");
  check(address.is_loopback() || tls.enabled() || o.allow_plaintext,
        "--listen " + o.controller.listen_address +
            " would serve OpenFlow in plain text beyond this host: give --of-tls-cert, --of-tls-key and --of-tls-ca, "
            "or --of-allow-plaintext for a lab network");
  check(!o.allow_plaintext || !tls.enabled(), "--of-allow-plaintext and --of-tls-* contradict each other: give one");
}

}  // namespace

Result<Options, std::string> parse_options(const std::vector<std::string>& args) {
  Options o;
  std::string api_listen, token_file;
  int stores_given = 0;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string_view flag = args[i];
      if (flag == "--help" || flag == "-h") {
        o.help = true;
        return o;
      }
      if (flag == "--api-open-reads") o.api.open_reads = true;
      else if (flag == "--of-allow-plaintext") o.allow_plaintext = true;
      else if (flag == "--switch-meters") o.switch_meters = true;
      else if (flag == "--migrate-libvirt") o.migrate_libvirt = true;
      else if (std::find(std::begin(kValued), std::end(kValued), flag) == std::end(kValued))
        throw Refused{"unknown option " + std::string(flag)};
      else if (i + 1 >= args.size()) throw Refused{"missing value for " + std::string(flag)};
      else take(o, flag, args[++i], api_listen, token_file, stores_given);
    }
    check(o.controller.echo_interval < o.controller.dead_after, "--echo-interval must be shorter than --dead-after");
    check(o.controller.handshake_timeout.count() > 0 && o.controller.max_connections > 0 &&
              o.controller.max_connections_per_address > 0 && o.controller.max_output_bytes > 0,
          "--handshake-timeout, --max-connections, --max-connections-per-address and --max-output-mib must be above 0");
    api_options(o, api_listen, token_file);
    openflow_security(o);
    const bool fmc = !o.network_file.empty();
    check(!fmc || o.controller.threads == 1, "--network runs the Follow-Me Cloud apps on one worker: use --threads 1");
    check(fmc || !o.migrate_libvirt, "--migrate-libvirt needs --network");
    check(stores_given <= 1, "--db and --store name the database twice: give one");
    check(o.scopes.empty() || !o.etcd_members.empty(), "--scopes needs --store etcd://... (scopes are elected on etcd)");
    check(fmc || stores_given == 0, "--db and --store hold the Follow-Me Cloud state: they need --network");
    check(fmc || o.migrate_command.empty(), "--migrate-command needs --network");
    check(fmc || o.utilisation_command.empty(), "--utilisation-command needs --network");
    check(!o.migrate_libvirt || o.migrate_command.empty(), "--migrate-libvirt and --migrate-command exclude each other");
    check(o.transfer_command.empty() || !o.migrate_command.empty() || o.migrate_libvirt,
          "--transfer-command needs --migrate-command or --migrate-libvirt");
  } catch (const Refused& r) {
    return Unexpected{r.why};
  }
  return o;
}

}  // namespace fmc::cli

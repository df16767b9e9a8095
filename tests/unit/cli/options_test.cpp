// fmc-controller's command line: what it accepts and how it says no.
#include "cli/options.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using fmc::cli::parse_options;

namespace {

std::string refusal(std::vector<std::string> args) {
  auto o = parse_options(args);
  return o ? "" : o.error();
}

std::string token_file(const std::string& token) {
  static int n = 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("fmc-options-test-token-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::ofstream(path) << token << "\r\n";
  return path.string();
}

}  // namespace

TEST(Options, DefaultsAreAPlainLearningSwitchOn6653) {
  auto o = parse_options({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->controller.port, 6653);
  EXPECT_TRUE(o->network_file.empty());
  EXPECT_TRUE(o->api.address.empty());
  EXPECT_FALSE(o->help);
  EXPECT_TRUE(parse_options({"--port", "1", "-h"})->help);
}

TEST(Options, OpenFlowListensOnLoopbackUnlessTlsOrPlainTextIsAskedFor) {
  EXPECT_EQ(parse_options({})->controller.listen_address, "127.0.0.1");
  EXPECT_FALSE(parse_options({})->controller.tls.enabled());
  EXPECT_TRUE(parse_options({"--listen", "::1"}));
  EXPECT_NE(refusal({"--listen", "0.0.0.0"}).find("--listen 0.0.0.0 would serve OpenFlow in plain text beyond this host"),
            std::string::npos);
  EXPECT_NE(refusal({"--listen", "192.0.2.1"}).find("--of-allow-plaintext"), std::string::npos);
  EXPECT_EQ(parse_options({"--listen", "0.0.0.0", "--of-allow-plaintext"})->controller.listen_address, "0.0.0.0");
  EXPECT_NE(refusal({"--listen", "ten.0.0.1"}).find("--listen expects an IPv4 or IPv6 address, got 'ten.0.0.1'"),
            std::string::npos);

  const std::vector<std::string> tls = {"--listen", "0.0.0.0", "--of-tls-cert", "c.pem", "--of-tls-key", "k.pem",
                                        "--of-tls-ca", "ca.pem"};
  auto o = parse_options(tls);
  ASSERT_TRUE(o) << o.error();
  EXPECT_TRUE(o->controller.tls.enabled());
  EXPECT_EQ(o->controller.tls.ca, "ca.pem");
  EXPECT_NE(refusal({"--of-tls-cert", "c.pem", "--of-tls-key", "k.pem"}).find("go together"), std::string::npos);
  auto contradiction = tls;
  contradiction.push_back("--of-allow-plaintext");
  EXPECT_NE(refusal(contradiction).find("contradict"), std::string::npos);
}

TEST(Options, NumbersAndChoicesAreChecked) {
  EXPECT_EQ(parse_options({"--port", "0", "--threads", "2"})->controller.threads, 2u);
  EXPECT_NE(refusal({"--port", "65536"}).find("--port expects a number up to 65535, got '65536'"), std::string::npos);
  EXPECT_NE(refusal({"--port", "6653x"}).find("--port expects a number"), std::string::npos);
  EXPECT_NE(refusal({"--port"}).find("missing value for --port"), std::string::npos);
  EXPECT_NE(refusal({"--duplicate-dpid", "keep"}).find("replace-old or reject-new"), std::string::npos);
  EXPECT_NE(refusal({"--versions", "2.0"}).find("--versions expects"), std::string::npos);
  EXPECT_EQ(parse_options({"--versions", "1.0"})->controller.version_bitmap, 1u << 1);
  EXPECT_NE(refusal({"--colour", "red"}).find("unknown option --colour"), std::string::npos);
  EXPECT_NE(refusal({"--colour"}).find("unknown option --colour"), std::string::npos);
  EXPECT_NE(refusal({"--echo-interval", "20000", "--dead-after", "10000"}).find("shorter than --dead-after"), std::string::npos);
  const auto limits = parse_options({"--handshake-timeout", "2000", "--max-connections", "64", "--max-connections-per-address",
                                     "8", "--max-output-mib", "4"});
  ASSERT_TRUE(limits) << limits.error();
  EXPECT_EQ(limits->controller.handshake_timeout.count(), 2000);
  EXPECT_EQ(limits->controller.max_connections, 64u);
  EXPECT_EQ(limits->controller.max_connections_per_address, 8u);
  EXPECT_EQ(limits->controller.max_output_bytes, 4u << 20);
  EXPECT_NE(refusal({"--max-connections", "0"}).find("must be above 0"), std::string::npos);
  EXPECT_NE(refusal({"--max-output-mib", "5000"}).find("up to 4096"), std::string::npos);
}

TEST(Options, FollowMeOptionsNeedTheNetwork) {
  EXPECT_NE(refusal({"--migrate-command", "x"}).find("needs --network"), std::string::npos);
  EXPECT_NE(refusal({"--migrate-libvirt"}).find("needs --network"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--threads", "2"}).find("one worker"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--migrate-libvirt", "--migrate-command", "x"}).find("exclude each other"),
            std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--transfer-command", "x"}).find("needs --migrate-command"), std::string::npos);
  EXPECT_TRUE(parse_options({"--network", "n.yaml", "--migrate-command", "m {vm}", "--transfer-command", "t {vm}"}));
}

TEST(Options, TheStoreIsSqliteOrEtcdAndNamedOnce) {
  auto o = parse_options({"--network", "n.yaml", "--store", "etcd://10.0.0.1:2379,10.0.0.2:2379"});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->etcd_members, "10.0.0.1:2379,10.0.0.2:2379");
  EXPECT_EQ(parse_options({"--network", "n.yaml", "--store", "sqlite:/tmp/x.db"})->db_path, "/tmp/x.db");
  EXPECT_EQ(parse_options({"--network", "n.yaml"})->db_path, "/var/lib/fmc/fmc.db");
  EXPECT_NE(refusal({"--network", "n.yaml", "--store", "redis://x"}).find("sqlite:PATH or etcd://"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--store", "etcd://"}).find("sqlite:PATH or etcd://"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--db", "a.db", "--store", "etcd://h:1"}).find("twice"), std::string::npos);
  EXPECT_NE(refusal({"--store", "etcd://h:1"}).find("need --network"), std::string::npos);
}

TEST(Options, ScopesAreNamedListsAndNeedEtcd) {
  auto o = parse_options({"--network", "n.yaml", "--store", "etcd://h:1", "--scopes", "east,west"});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->scopes, (std::set<std::string>{"east", "west"}));
  EXPECT_NE(refusal({"--network", "n.yaml", "--scopes", "east"}).find("needs --store etcd"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--store", "etcd://h:1", "--scopes", "east,,west"}).find("separated by commas"),
            std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--store", "etcd://h:1", "--scopes", "a/b"}).find("separated by commas"),
            std::string::npos);
}

TEST(Options, TheApiNeedsATokenOfSixteenCharactersAndTheNetwork) {
  const std::string good = token_file("0123456789abcdef"), short_one = token_file("short");
  auto o = parse_options({"--network", "n.yaml", "--api", "127.0.0.1:0", "--api-token-file", good});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->api.address, "127.0.0.1");
  EXPECT_EQ(o->api.token, "0123456789abcdef") << "the line ending is not part of the token";
  EXPECT_NE(refusal({"--api", "127.0.0.1:0", "--api-token-file", good}).find("needs --network"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--api", "127.0.0.1:0"}).find("no default credentials"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--api", "8080", "--api-token-file", good}).find("ADDR:PORT"), std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--api", "127.0.0.1:0", "--api-token-file", "/nonexistent/token"})
                .find("cannot read the API token"),
            std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--api", "127.0.0.1:0", "--api-token-file", short_one})
                .find("shorter than 16"),
            std::string::npos);
  EXPECT_NE(refusal({"--network", "n.yaml", "--api", "127.0.0.1:0", "--api-token-file", good, "--api-tls-cert", "c.pem"})
                .find("go together"),
            std::string::npos);
  EXPECT_NE(refusal({"--api-open-reads"}).find("go with --api"), std::string::npos);
  std::filesystem::remove(good);
  std::filesystem::remove(short_one);
}

// The README's option table is the manual: every option --help lists has a row there,
// and every row is an option --help lists. (No std::regex: GCC 12 under ASan warns in it.)
namespace {
// The option named at `at` ("--name..."): "--name".
std::string option_at(const std::string& text, std::size_t at) {
  std::size_t end = at + 2;
  while (end < text.size() && (std::islower(static_cast<unsigned char>(text[end])) ||
                               std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '-'))
    ++end;
  return text.substr(at, end - at);
}
}  // namespace

TEST(Options, TheReadmesOptionTableAndTheHelpListTheSameOptions) {
  std::set<std::string> help, readme;
  std::istringstream usage(fmc::cli::kUsage);
  for (std::string line; std::getline(usage, line);) {
    if (line.rfind("  -", 0) != 0) continue;  // continuation lines are indented further
    const auto at = line.rfind("  --", 0) == 0 ? std::size_t{2} : line.find(", --");
    if (at != std::string::npos) help.insert(option_at(line, line[at] == ',' ? at + 2 : at));
  }
  std::ifstream file(FMC_SOURCE_DIR "/README.md");
  ASSERT_TRUE(file) << "README.md not found";
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("| `--", 0) != 0) continue;
    const std::string first_cell = line.substr(1, line.find('|', 1) - 1);
    for (auto at = first_cell.find("`--"); at != std::string::npos; at = first_cell.find("`--", at + 1))
      readme.insert(option_at(first_cell, at + 1));
  }
  EXPECT_GT(help.size(), 30u);
  for (const auto& o : help) EXPECT_TRUE(readme.count(o)) << o << " is in --help but not in the README's option table";
  for (const auto& o : readme) EXPECT_TRUE(help.count(o)) << o << " is in the README's option table but not in --help";
}

// The placement settings have one set of rules: the YAML configuration and
// the API's PUT /api/v1/policy accept the same values and refuse the same
// values for the same reason.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "api/placement_api.hpp"
#include "fmc/model/config_yaml.hpp"
#include "fmc/model/placement_settings.hpp"

using namespace fmc;
using nlohmann::json;

namespace {

// config/fig1.yaml with its placement section replaced by `placement`.
std::string fig1_with(const std::string& placement) {
  std::ifstream in(std::string(FMC_SOURCE_DIR) + "/config/fig1.yaml");
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  const auto start = text.find("\nplacement:\n");
  const auto end = text.find("\npath_monitor:", start);
  EXPECT_NE(start, std::string::npos);
  return text.substr(0, start + 1) + "placement: " + placement + text.substr(end);
}

struct Outcome {
  bool accepted;
  std::string message;  // the reason, without the YAML's position and key prefix
};

std::string reason(const std::string& message) {
  const auto at = message.find("must be");
  return at == std::string::npos ? message : message.substr(at);
}

Outcome through_yaml(const std::string& key, double v, bool weight) {
  std::ostringstream doc;
  doc << "{" << (weight ? "weights: {" + key + ": " : key + ": ") << v << (weight ? "}" : "") << "}";
  auto m = model::parse_network_yaml(fig1_with(doc.str()), "fig1.yaml");
  return m ? Outcome{true, ""} : Outcome{false, reason(m.error().message)};
}

Outcome through_api(const std::string& key, double v, bool weight) {
  const json body = weight ? json{{"weights", {{key, v}}}} : json{{key, v}};
  model::PlacementSettings s;
  auto why = api::apply_policy_json(body, s);
  return why ? Outcome{false, reason(*why)} : Outcome{true, ""};
}

}  // namespace

TEST(PlacementRules, YamlAndTheApiAgreeOnEveryNumber) {
  int refused = 0;
  for (const bool weight : {false, true})
    for (const auto& n : weight ? model::placement_weights() : model::placement_numbers())
      for (const double v : {-1.0, 0.0, 0.5, 1.0, 30.0, 1e13}) {
        const Outcome yaml = through_yaml(n.key, v, weight);
        const Outcome api = through_api(n.key, v, weight);
        EXPECT_EQ(yaml.accepted, api.accepted) << n.key << " = " << v;
        EXPECT_EQ(yaml.message, api.message) << n.key << " = " << v;
        refused += !yaml.accepted;
      }
  // Each number refuses -1 and 1e13; discount also 1 and 30; link_mbps also 0.
  EXPECT_EQ(refused, 2 * 12 + 2 + 1);
}

TEST(PlacementRules, YamlAndTheApiAgreeOnPolicyNamesAndKeys) {
  for (const std::string policy : {"off", "nearest", "threshold", "mdp", "greedy"}) {
    const bool yaml = model::parse_network_yaml(fig1_with("{policy: " + policy + "}"), "fig1.yaml").ok();
    model::PlacementSettings s;
    const bool api = !api::apply_policy_json(json{{"policy", policy}}, s);
    EXPECT_EQ(yaml, api) << policy;
    EXPECT_EQ(yaml, policy != "greedy");
  }
  model::PlacementSettings s;
  EXPECT_FALSE(model::parse_network_yaml(fig1_with("{colour: red}"), "fig1.yaml"));
  EXPECT_TRUE(api::apply_policy_json(json{{"colour", "red"}}, s));
  EXPECT_FALSE(model::parse_network_yaml(fig1_with("{weights: {speed: 1}}"), "fig1.yaml"));
  EXPECT_TRUE(api::apply_policy_json(json{{"weights", {{"speed", 1}}}}, s));
}

#pragma once
// The placement settings' rules, written once: which keys a settings
// document may hold and what each number may be. The YAML configuration
// (config_yaml.cpp) and the API's PUT /api/v1/policy (api/placement_api.cpp)
// both read through these tables, so the two cannot disagree.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fmc/model/network_model.hpp"

namespace fmc::model {

// One number of the settings and the values it may take.
struct PlacementNumber {
  const char* key;  // as YAML and JSON name it
  double PlacementSettings::*field;
  enum class Range { kFromZero, kAboveZero, kFraction } range;  // [0, 1e12], (0, 1e12], [0, 1)
};

// Every top-level key a settings document may hold.
std::span<const char* const> placement_keys();
// The top-level numbers, and the weights (under "weights").
std::span<const PlacementNumber> placement_numbers();
std::span<const PlacementNumber> placement_weights();
std::span<const char* const> placement_weight_keys();
// Why `v` may not be `n`'s value ("<what> must be ..."), if it may not.
std::optional<std::string> out_of_range(const PlacementNumber& n, double v, std::string_view what);
// Why `name` is not a policy, if it is not.
std::optional<std::string> unknown_policy(std::string_view name, std::string_view what);

}  // namespace fmc::model

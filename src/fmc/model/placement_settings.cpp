#include "fmc/model/placement_settings.hpp"

namespace fmc::model {

namespace {
using R = PlacementNumber::Range;
constexpr double kLargest = 1e12;

constexpr PlacementNumber kNumbers[] = {
    {"hysteresis", &PlacementSettings::hysteresis, R::kFromZero},
    {"dwell_s", &PlacementSettings::dwell_s, R::kFromZero},
    {"horizon_s", &PlacementSettings::horizon_s, R::kFromZero},
    {"discount", &PlacementSettings::discount, R::kFraction},
    {"link_mbps", &PlacementSettings::link_mbps, R::kAboveZero},
    {"expected_downtime_ms", &PlacementSettings::expected_downtime_ms, R::kFromZero},
    {"migration_weight", &PlacementSettings::migration_weight, R::kFromZero},
    {"retry_after_s", &PlacementSettings::retry_after_s, R::kFromZero},
};
constexpr PlacementNumber kWeights[] = {
    {"delay", &PlacementSettings::weight_delay, R::kFromZero},
    {"utilisation", &PlacementSettings::weight_utilisation, R::kFromZero},
    {"cost", &PlacementSettings::weight_cost, R::kFromZero},
    {"preferred", &PlacementSettings::weight_preferred, R::kFromZero},
};
constexpr const char* kKeys[] = {"policy",    "weights",   "preferred_providers", "hysteresis",           "dwell_s",
                                 "horizon_s", "discount",  "link_mbps",           "expected_downtime_ms", "migration_weight",
                                 "retry_after_s"};
constexpr const char* kWeightKeys[] = {"delay", "utilisation", "cost", "preferred"};
}  // namespace

std::span<const char* const> placement_keys() { return kKeys; }
std::span<const PlacementNumber> placement_numbers() { return kNumbers; }
std::span<const PlacementNumber> placement_weights() { return kWeights; }
std::span<const char* const> placement_weight_keys() { return kWeightKeys; }

std::optional<std::string> out_of_range(const PlacementNumber& n, double v, std::string_view what) {
  const std::string name(what);
  switch (n.range) {
    case R::kFromZero:
      if (v >= 0 && v <= kLargest) return std::nullopt;
      return name + " must be a number from 0 up";
    case R::kAboveZero:
      if (v > 0 && v <= kLargest) return std::nullopt;
      return name + " must be above 0";
    case R::kFraction:
      if (v >= 0 && v < 1) return std::nullopt;
      return name + " must be from 0 and below 1";
  }
  return name + " is out of range";
}

std::optional<std::string> unknown_policy(std::string_view name, std::string_view what) {
  if (placement_policy_from_string(name)) return std::nullopt;
  return std::string(what) + ": '" + std::string(name) + "' is none of off, nearest, threshold, mdp";
}

}  // namespace fmc::model

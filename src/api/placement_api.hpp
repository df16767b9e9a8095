#pragma once
// The REST resources of placement (paper §III.B): measured paths
// (/api/v1/paths), services and where they run (/api/v1/services), and the
// Location Mapper's policy, read and changed at run time (/api/v1/policy).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api_context.hpp"
#include "api/http.hpp"

namespace fmc::api {

// `resource` is the part after /api/v1/ (paths, services or policy).
HttpResponse placement_resource(const ApiContext& ctx, const HttpRequest& r, const std::string& resource);

// Settings as JSON, and a JSON object's keys applied over `s` (all or
// nothing: the error says what is wrong and `s` is untouched).
nlohmann::json policy_json(const model::PlacementSettings& s);
std::optional<std::string> apply_policy_json(const nlohmann::json& j, model::PlacementSettings& s);

}  // namespace fmc::api

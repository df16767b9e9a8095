#pragma once
// JSON bodies for the API: answers, RFC 7807 problem details (as ETSI MEC
// APIs answer errors), and request bodies checked before anyone reads them.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/http.hpp"

namespace fmc::api {

std::string dump(const nlohmann::json& j);
HttpResponse json_response(const nlohmann::json& j, int status = 200);
HttpResponse problem(int status, const std::string& detail);
// The request's body as a JSON object, or `error` set to the 400/415 answer.
std::optional<nlohmann::json> json_body(const HttpRequest& r, HttpResponse& error);
// A MEC TimeStamp.
nlohmann::json mec_timestamp(std::int64_t ms);

}  // namespace fmc::api

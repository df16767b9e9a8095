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
// What a request body may hold, checked on its text before it is parsed: how
// deep it nests and how many values it has. The API's documents are small
// and flat; these limits keep any handler's recursion (copies, dumps) and
// memory bounded whatever the body.
struct JsonLimits {
  std::size_t max_depth = 32;
  std::size_t max_elements = 10000;
};
// Why `text` goes past `limits`, or nullopt. A linear scan that skips strings
// (escapes included): brackets inside them are text.
std::optional<std::string> exceeds(std::string_view text, const JsonLimits& limits = {});
// The request's body as a JSON object, or `error` set to the 400/415 answer.
std::optional<nlohmann::json> json_body(const HttpRequest& r, HttpResponse& error);
// A MEC TimeStamp.
nlohmann::json mec_timestamp(std::int64_t ms);

}  // namespace fmc::api

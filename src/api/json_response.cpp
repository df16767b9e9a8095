#include "api/json_response.hpp"

namespace fmc::api {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

HttpResponse json_response(const json& j, int status) { return HttpResponse{status, "application/json", dump(j), {}}; }

HttpResponse problem(int status, const std::string& detail) {
  return HttpResponse{status, "application/problem+json", dump({{"status", status}, {"title", reason_phrase(status)}, {"detail", detail}}), {}};
}

std::optional<json> json_body(const HttpRequest& r, HttpResponse& error) {
  if (auto ct = r.header("content-type"); ct && ct->find("application/json") == std::string_view::npos) {
    error = problem(415, "the body must be application/json");
    return std::nullopt;
  }
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = problem(400, "the body is not a JSON object");
    return std::nullopt;
  }
  return j;
}

json mec_timestamp(std::int64_t ms) { return {{"seconds", ms / 1000}, {"nanoSeconds", (ms % 1000) * 1000000}}; }

}  // namespace fmc::api

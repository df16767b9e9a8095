#include "api/json_response.hpp"

namespace fmc::api {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

HttpResponse json_response(const json& j, int status) { return HttpResponse{status, "application/json", dump(j), {}}; }

HttpResponse problem(int status, const std::string& detail) {
  return HttpResponse{status, "application/problem+json", dump({{"status", status}, {"title", reason_phrase(status)}, {"detail", detail}}), {}};
}

std::optional<std::string> exceeds(std::string_view text, const JsonLimits& limits) {
  std::size_t depth = 0, elements = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > limits.max_depth) return "the body is nested deeper than " + std::to_string(limits.max_depth) + " levels";
        [[fallthrough]];
      case ',':
        if (++elements > limits.max_elements)
          return "the body has more than " + std::to_string(limits.max_elements) + " elements";
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return std::nullopt;
}

std::optional<json> json_body(const HttpRequest& r, HttpResponse& error) {
  if (auto ct = r.header("content-type"); ct && ct->find("application/json") == std::string_view::npos) {
    error = problem(415, "the body must be application/json");
    return std::nullopt;
  }
  if (auto why = exceeds(r.body)) {
    error = problem(400, *why);
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

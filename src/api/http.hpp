#pragma once
// HTTP/1.1 messages for the northbound API (RFC 9112), pure: bytes in,
// a request or an error with its status out; a response to bytes. Limits
// are part of parsing: an oversized head is 431, an oversized body 413,
// anything malformed 400, a method or encoding we do not implement 501.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fmc::api {

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded; a repeated key keeps the last
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  bool keep_alive = true;

  std::optional<std::string_view> header(std::string_view lower_name) const;
};

struct HttpError {
  int status = 400;
  std::string message;
};

class RequestParser {
 public:
  struct Limits {
    std::size_t max_head = 16 * 1024;
    std::size_t max_body = 1024 * 1024;
  };
  enum class State { kNeedMore, kComplete, kError };

  RequestParser() : RequestParser(Limits{}) {}
  explicit RequestParser(Limits limits) : limits_(limits) {}

  // Appends bytes and parses as far as they go.
  State feed(std::string_view data);
  // After kComplete: the request; parsing continues with any bytes left over
  // (pipelined requests) on the next feed("").
  HttpRequest take();
  const HttpError& error() const { return error_; }

 private:
  State fail(int status, std::string message);
  State parse_head(std::string_view head);

  Limits limits_;
  std::string buffer_;
  std::optional<HttpRequest> head_;  // parsed head awaiting its body
  std::size_t body_length_ = 0;
  State state_ = State::kNeedMore;
  HttpError error_;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

std::string serialize(const HttpResponse& r, bool keep_alive);
const char* reason_phrase(int status);
// %XX and (in queries) '+' decoding; nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

}  // namespace fmc::api

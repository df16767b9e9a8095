#include "api/http.hpp"

#include <algorithm>
#include <charconv>

namespace fmc::api {

namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      const char c = static_cast<char>(hi << 4 | lo);
      if (c == '\0') return std::nullopt;
      out += c;
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

RequestParser::State RequestParser::fail(int status, std::string message) {
  error_ = HttpError{status, std::move(message)};
  return state_ = State::kError;
}

RequestParser::State RequestParser::feed(std::string_view data) {
  if (state_ == State::kError) return state_;
  buffer_.append(data);
  if (state_ == State::kComplete) return state_;
  if (!head_) {
    const auto end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buffer_.size() > limits_.max_head) return fail(431, "request head larger than " + std::to_string(limits_.max_head) + " bytes");
      return state_ = State::kNeedMore;
    }
    if (end + 4 > limits_.max_head) return fail(431, "request head larger than " + std::to_string(limits_.max_head) + " bytes");
    if (parse_head(std::string_view(buffer_).substr(0, end + 2)) == State::kError) return state_;
    buffer_.erase(0, end + 4);
  }
  if (buffer_.size() < body_length_) return state_ = State::kNeedMore;
  head_->body = buffer_.substr(0, body_length_);
  buffer_.erase(0, body_length_);
  return state_ = State::kComplete;
}

RequestParser::State RequestParser::parse_head(std::string_view head) {
  HttpRequest r;
  const auto line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "malformed request line");
  r.method = std::string(line.substr(0, sp1));
  r.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  const std::string_view version = line.substr(sp2 + 1);
  if (r.method.empty() || !std::all_of(r.method.begin(), r.method.end(), is_token_char)) return fail(400, "malformed method");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return fail(505, "only HTTP/1.0 and HTTP/1.1 are served");
  constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (std::find(std::begin(kMethods), std::end(kMethods), r.method) == std::end(kMethods))
    return fail(501, "method " + r.method + " is not implemented");
  if (r.target.empty() || r.target[0] != '/') return fail(400, "the target must be an absolute path");
  for (unsigned char c : r.target)
    if (c <= 0x20 || c >= 0x7f) return fail(400, "control or non-ASCII characters in the target");
  const auto q = r.target.find('?');
  auto path = percent_decode(std::string_view(r.target).substr(0, q), false);
  if (!path) return fail(400, "malformed percent-encoding in the path");
  r.path = *path;
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(r.target).substr(q + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq), true);
      auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!key || !value) return fail(400, "malformed percent-encoding in the query");
      r.query[*key] = *value;
    }
  }
  r.keep_alive = version == "HTTP/1.1";

  std::optional<std::size_t> length;
  std::string_view rest = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto e = rest.find("\r\n");
    const std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    if (h.empty()) break;
    if (h.front() == ' ' || h.front() == '\t') return fail(400, "obsolete header line folding");
    const auto colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header line");
    const std::string_view name = h.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) return fail(400, "malformed header name");
    const std::string_view value = trim(h.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(400, "control characters in a header value");
    std::string key = lower(name);
    if (key == "content-length") {
      std::size_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty()) return fail(400, "malformed Content-Length");
      if (length && *length != n) return fail(400, "conflicting Content-Length headers");
      length = n;
    } else if (key == "transfer-encoding") {
      return fail(501, "Transfer-Encoding is not supported; send Content-Length");
    } else if (key == "connection") {
      const std::string v = lower(value);
      if (v == "close") r.keep_alive = false;
      else if (v == "keep-alive") r.keep_alive = true;
    }
    r.headers.emplace_back(std::move(key), std::string(value));
  }
  if (length && *length > limits_.max_body) return fail(413, "body larger than " + std::to_string(limits_.max_body) + " bytes");
  body_length_ = length.value_or(0);
  head_ = std::move(r);
  return state_;
}

HttpRequest RequestParser::take() {
  HttpRequest r = std::move(*head_);
  head_.reset();
  body_length_ = 0;
  state_ = State::kNeedMore;
  return r;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string serialize(const HttpResponse& r, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  if (!r.content_type.empty()) out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  out += r.body;
  return out;
}

}  // namespace fmc::api

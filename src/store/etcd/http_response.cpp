#include "store/etcd/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace fmc::store::etcd {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

ResponseParser::State ResponseParser::fail(std::string why) {
  error_ = std::move(why);
  return state_ = State::kError;
}

ResponseParser::State ResponseParser::feed(std::string_view data) {
  if (state_ == State::kError) return state_;
  buffer_.append(data);
  while (state_ == State::kNeedMore) {
    const std::size_t before = buffer_.size();
    const Phase phase = phase_;
    step();
    if (state_ != State::kNeedMore || (buffer_.size() == before && phase_ == phase)) break;
  }
  return state_;
}

void ResponseParser::next() {
  phase_ = Phase::kHead;
  state_ = State::kNeedMore;
  status_ = 0;
  keep_alive_ = true;
  body_.clear();
  held_ = 0;
  feed("");
}

ResponseParser::State ResponseParser::parse_head(std::string_view head) {
  const auto line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ')
    return fail("malformed status line");
  auto [end, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status_);
  if (ec != std::errc() || end != status_line.data() + 12 || status_ < 100 || status_ > 599)
    return fail("malformed status code");
  keep_alive_ = status_line[7] == '1';
  bool chunked = false, has_length = false;
  std::size_t length = 0;
  std::string_view rest = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto e = rest.find("\r\n");
    const std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("malformed header line");
    const std::string name = lower(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      auto [p, err] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (err != std::errc() || p != value.data() + value.size() || has_length) return fail("malformed Content-Length");
      has_length = true;
    } else if (name == "transfer-encoding") {
      if (lower(value) != "chunked") return fail("unsupported Transfer-Encoding");
      chunked = true;
    } else if (name == "connection") {
      const std::string v = lower(value);
      if (v == "close") keep_alive_ = false;
      else if (v == "keep-alive") keep_alive_ = true;
    }
  }
  if (chunked && has_length) return fail("both Content-Length and chunked");
  if (chunked) {
    phase_ = Phase::kChunkSize;
  } else {
    // No length and not chunked: etcd always sends one; refuse rather than read to close.
    if (!has_length) return fail("response without Content-Length");
    if (length > limits_.max_body) return fail("body over the limit");
    remaining_ = length;
    phase_ = Phase::kLength;
  }
  return state_;
}

ResponseParser::State ResponseParser::step() {
  switch (phase_) {
    case Phase::kHead: {
      const auto end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (buffer_.size() > limits_.max_head) return fail("response head over the limit");
        return state_;
      }
      if (end > limits_.max_head) return fail("response head over the limit");
      const std::string head = buffer_.substr(0, end);
      buffer_.erase(0, end + 4);
      return parse_head(head);
    }
    case Phase::kLength: {
      const std::size_t n = std::min(remaining_, buffer_.size());
      body_.append(buffer_, 0, n);
      buffer_.erase(0, n);
      remaining_ -= n;
      if (remaining_ == 0) {
        phase_ = Phase::kDone;
        state_ = State::kComplete;
      }
      return state_;
    }
    case Phase::kChunkSize: {
      const auto e = buffer_.find("\r\n");
      if (e == std::string::npos) {
        if (buffer_.size() > 1024) return fail("chunk size line too long");
        return state_;
      }
      std::string_view line(buffer_.data(), e);
      if (const auto semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
      line = trim(line);
      std::size_t size = 0;
      auto [p, err] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
      if (line.empty() || err != std::errc() || p != line.data() + line.size()) return fail("malformed chunk size");
      buffer_.erase(0, e + 2);
      if (size > limits_.max_body || held_ + size > limits_.max_body) return fail("body over the limit");
      remaining_ = size;
      phase_ = size == 0 ? Phase::kTrailers : Phase::kChunkData;
      return state_;
    }
    case Phase::kChunkData: {
      const std::size_t n = std::min(remaining_, buffer_.size());
      body_.append(buffer_, 0, n);
      held_ += n;
      buffer_.erase(0, n);
      remaining_ -= n;
      if (remaining_ == 0) phase_ = Phase::kChunkEnd;
      return state_;
    }
    case Phase::kChunkEnd: {
      if (buffer_.size() < 2) return state_;
      if (buffer_.compare(0, 2, "\r\n") != 0) return fail("chunk not followed by CRLF");
      buffer_.erase(0, 2);
      phase_ = Phase::kChunkSize;
      return state_;
    }
    case Phase::kTrailers: {
      const auto e = buffer_.find("\r\n");
      if (e == std::string::npos) {
        if (buffer_.size() > limits_.max_head) return fail("trailers over the limit");
        return state_;
      }
      buffer_.erase(0, e + 2);
      if (e == 0) {
        phase_ = Phase::kDone;
        state_ = State::kComplete;
      }
      return state_;
    }
    case Phase::kDone: return state_;
  }
  return state_;
}

}  // namespace fmc::store::etcd

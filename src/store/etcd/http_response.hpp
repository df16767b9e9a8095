#pragma once
// HTTP/1.1 responses as etcd's JSON gateway sends them (RFC 9112), parsed
// incrementally and purely: bytes in, a status and a body out. A body comes
// with Content-Length or chunked; a streamed (watch) response is read as far
// as it has arrived (take_body). Limits are part of parsing: a head, or body
// held and not yet taken, over its limit is an error, as is anything
// malformed (a stream that is read as it comes may run on for ever).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace fmc::store::etcd {

class ResponseParser {
 public:
  struct Limits {
    std::size_t max_head = 16 * 1024;
    std::size_t max_body = 64 * 1024 * 1024;
  };
  enum class State { kNeedMore, kComplete, kError };

  ResponseParser() : ResponseParser(Limits{}) {}
  explicit ResponseParser(Limits limits) : limits_(limits) {}

  // Appends bytes and parses as far as they go.
  State feed(std::string_view data);
  int status() const { return status_; }
  bool head_done() const { return phase_ != Phase::kHead; }
  bool keep_alive() const { return keep_alive_; }
  // The body received so far, handed over (a streamed response is read in pieces).
  std::string take_body() {
    held_ = 0;
    return std::exchange(body_, {});
  }
  const std::string& error() const { return error_; }
  // After kComplete: ready for the next response on the connection, keeping bytes already read.
  void next();

 private:
  enum class Phase { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailers, kDone };
  State fail(std::string why);
  State parse_head(std::string_view head);
  State step();

  Limits limits_;
  std::string buffer_;  // received and not yet parsed
  Phase phase_ = Phase::kHead;
  State state_ = State::kNeedMore;
  int status_ = 0;
  bool keep_alive_ = true;
  std::size_t remaining_ = 0;  // of the body (Content-Length) or of the current chunk
  std::size_t held_ = 0;  // chunked body bytes received and not yet taken
  std::string body_;
  std::string error_;
};

}  // namespace fmc::store::etcd

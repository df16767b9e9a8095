#pragma once
// One HTTP/1.1 connection to an etcd member's JSON gateway, blocking, every
// step bounded by a deadline. Owned by one thread at a time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/etcd/http_response.hpp"
#include "util/result.hpp"

namespace fmc::store::etcd {

struct Endpoint {
  std::string host;  // an address or a name
  std::uint16_t port = 2379;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  bool operator==(const Endpoint&) const = default;
};

using Deadline = std::chrono::steady_clock::time_point;

struct HttpReply {
  int status = 0;
  std::string body;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>, std::string> open(const Endpoint& to, Deadline deadline);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // POSTs `body` (JSON) to `path` and reads the whole answer.
  Result<HttpReply, std::string> post(std::string_view path, std::string_view body, Deadline deadline);
  // For a streamed answer: sends the request, then read_some() returns the
  // body as it arrives (empty if nothing came before the deadline).
  Result<Ok, std::string> send_request(std::string_view path, std::string_view body, Deadline deadline);
  Result<std::string, std::string> read_some(Deadline deadline);
  int status() const { return parser_.status(); }
  bool usable() const { return fd_ >= 0; }
  const Endpoint& endpoint() const { return to_; }
  // Wakes a thread blocked in read_some (from another thread): it returns an error.
  void shutdown();

 private:
  Connection(int fd, Endpoint to) : fd_(fd), to_(std::move(to)) {}
  Result<Ok, std::string> write_all(std::string_view data, Deadline deadline);
  // Reads once (waiting up to the deadline) into the parser; false: nothing arrived in time.
  Result<bool, std::string> read_into_parser(Deadline deadline);
  void close();

  int fd_ = -1;
  Endpoint to_;
  ResponseParser parser_;
};

}  // namespace fmc::store::etcd

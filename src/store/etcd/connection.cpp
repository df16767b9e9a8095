#include "store/etcd/connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fmc::store::etcd {

namespace {

// A whole (not streamed) answer, taken piece by piece from the parser, is bounded here.
constexpr std::size_t kMaxReply = 64 * 1024 * 1024;

int millis_until(Deadline d) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - std::chrono::steady_clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

// Waits until fd is ready for `events` or the deadline passes; false on timeout.
Result<bool, std::string> wait_for(int fd, short events, Deadline deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, millis_until(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return Unexpected{std::string("poll: ") + std::strerror(errno)};
  }
}

std::string request(std::string_view path, std::string_view body, const Endpoint& to) {
  std::string r;
  r.reserve(body.size() + 160);
  r.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(to.to_string());
  r.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
  r.append("\r\n\r\n").append(body);
  return r;
}

}  // namespace

Result<std::unique_ptr<Connection>, std::string> Connection::open(const Endpoint& to, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(to.host.c_str(), std::to_string(to.port).c_str(), &hints, &found); rc != 0)
    return Unexpected{"cannot resolve " + to.host + ": " + ::gai_strerror(rc)};
  std::string last = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    auto ready = wait_for(fd, POLLOUT, deadline);
    int err = 0;
    socklen_t len = sizeof err;
    if (!ready || !*ready || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      last = ready && !*ready ? "timed out" : std::strerror(err ? err : errno);
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(found);
    return std::unique_ptr<Connection>(new Connection(fd, to));
  }
  ::freeaddrinfo(found);
  return Unexpected{"cannot connect to " + to.to_string() + ": " + last};
}

Connection::~Connection() { close(); }

void Connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Connection::shutdown() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

Result<Ok, std::string> Connection::write_all(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto ready = wait_for(fd_, POLLOUT, deadline);
      if (!ready) return Unexpected{ready.error()};
      if (!*ready) return Unexpected{std::string("timed out sending")};
      continue;
    }
    const std::string why = std::strerror(errno);
    close();
    return Unexpected{"cannot send: " + why};
  }
  return Ok{};
}

Result<bool, std::string> Connection::read_into_parser(Deadline deadline) {
  auto ready = wait_for(fd_, POLLIN, deadline);
  if (!ready) return Unexpected{ready.error()};
  if (!*ready) return false;
  char buf[16 * 1024];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  if (n <= 0) {
    close();
    return Unexpected{std::string(n == 0 ? "connection closed by " : "cannot read from ") + to_.to_string()};
  }
  if (parser_.feed(std::string_view(buf, static_cast<std::size_t>(n))) == ResponseParser::State::kError) {
    close();
    return Unexpected{"malformed response from " + to_.to_string() + ": " + parser_.error()};
  }
  return true;
}

Result<Ok, std::string> Connection::send_request(std::string_view path, std::string_view body, Deadline deadline) {
  if (fd_ < 0) return Unexpected{std::string("connection closed")};
  return write_all(request(path, body, to_), deadline);
}

Result<HttpReply, std::string> Connection::post(std::string_view path, std::string_view body, Deadline deadline) {
  if (auto sent = send_request(path, body, deadline); !sent) return Unexpected{sent.error()};
  HttpReply reply;
  while (true) {
    reply.body += parser_.take_body();
    if (reply.body.size() > kMaxReply) {
      close();
      return Unexpected{"an answer from " + to_.to_string() + " over " + std::to_string(kMaxReply) + " bytes"};
    }
    if (parser_.feed("") == ResponseParser::State::kComplete) break;
    auto got = read_into_parser(deadline);
    if (!got) return Unexpected{got.error()};
    if (!*got && std::chrono::steady_clock::now() >= deadline) {
      close();  // a late answer would be taken for the next request's
      return Unexpected{"no answer from " + to_.to_string() + " in time"};
    }
  }
  reply.body += parser_.take_body();
  reply.status = parser_.status();
  const bool keep = parser_.keep_alive();
  parser_.next();
  if (!keep) close();
  return reply;
}

Result<std::string, std::string> Connection::read_some(Deadline deadline) {
  std::string out = parser_.take_body();
  if (!out.empty()) return out;
  if (fd_ < 0) return Unexpected{std::string("connection closed")};
  if (parser_.feed("") == ResponseParser::State::kComplete) return Unexpected{std::string("stream ended")};
  auto got = read_into_parser(deadline);
  if (!got) return Unexpected{got.error()};
  out = parser_.take_body();
  if (out.empty() && parser_.feed("") == ResponseParser::State::kComplete) return Unexpected{std::string("stream ended")};
  return out;
}

}  // namespace fmc::store::etcd

#pragma once
// The northbound HTTP server, on an io_context of the controller (the API
// is served from the controller's own event loop, so handlers read the
// apps' state without locks). Routing, authentication and JSON are the
// router's business; this class owns connections, limits and event streams.
// With a TLS context every connection is TLS (1.2 or later) from its first byte.
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "api/http.hpp"

namespace fmc::api {

class HttpServer {
 public:
  struct Reply {
    HttpResponse response;
    bool stream = false;  // keep the connection as a server-sent event stream
  };
  using Router = std::function<Reply(const HttpRequest&)>;
  struct Limits {
    RequestParser::Limits request;
    std::size_t max_connections = 256;
    std::size_t max_stream_backlog = 1 << 20;  // bytes queued to a slow event-stream reader before it is dropped
    // A connection that brings no complete request for this long is closed
    // (event streams excepted): an idle or trickling client does not keep a slot.
    std::chrono::milliseconds idle_timeout{30000};
  };

  // Binds (throws std::system_error with a clear message if it cannot).
  // `tls` (see ctl::make_tls_server_context) makes it an HTTPS server.
  HttpServer(asio::io_context& io, const std::string& address, std::uint16_t port, Router router, Limits limits,
             std::shared_ptr<asio::ssl::context> tls = nullptr);
  HttpServer(asio::io_context& io, const std::string& address, std::uint16_t port, Router router)
      : HttpServer(io, address, port, std::move(router), Limits{}) {}
  ~HttpServer();

  std::uint16_t port() const { return port_; }
  // Queues `chunk` (already in text/event-stream form) to every open stream.
  void publish(const std::string& chunk);
  std::size_t open_streams() const { return streams_.size(); }
  std::size_t open_connections() const { return connections_; }
  std::uint64_t idle_closed() const { return idle_closed_; }  // connections ended by the idle timeout

  class Connection;  // one client, plain or TLS (http_server.cpp)

 private:
  template <class Stream>
  friend class StreamConnection;
  void accept_next();

  asio::ip::tcp::acceptor acceptor_;
  Router router_;
  Limits limits_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::size_t connections_ = 0;
  std::uint64_t idle_closed_ = 0;
  std::set<std::shared_ptr<Connection>> streams_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fmc::api

#include "api/http_server.hpp"

#include <deque>

#include "controller/log.hpp"

namespace fmc::api {

class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, HttpServer& server)
      : socket_(std::move(socket)), server_(server), alive_(server.alive_), parser_(server.limits_.request) {}

  void start() { read(); }

  void send(std::string bytes) {
    if (closing_) return;
    queued_ += bytes.size();
    if (streaming_ && queued_ > server_.limits_.max_stream_backlog) {
      log::warn("api", "event stream reader too slow; closing it");
      return finished();
    }
    out_.push_back(std::move(bytes));
    if (out_.size() == 1) write();
  }

  void close() {
    if (closing_) return;
    closing_ = true;
    asio::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [this, self](asio::error_code ec, std::size_t n) {
      if (!*alive_) return;
      if (ec) return finished();
      if (streaming_) return read();  // a stream's client has nothing more to say; keep draining
      handle(parser_.feed(std::string_view(buf_.data(), n)));
    });
  }

  void handle(RequestParser::State state) {
    while (state == RequestParser::State::kComplete && !closing_) {
      const HttpRequest request = parser_.take();
      Reply reply = server_.router_(request);
      if (reply.stream) {
        std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                           "Connection: keep-alive\r\n\r\n";
        streaming_ = true;
        server_.streams_.insert(shared_from_this());
        send(std::move(head) + reply.response.body);
        return read();
      }
      keep_alive_ = request.keep_alive;
      send(serialize(reply.response, keep_alive_));
      if (!keep_alive_) return;  // closed once written
      state = parser_.feed("");
    }
    if (state == RequestParser::State::kError) {
      const auto& e = parser_.error();
      HttpResponse r{e.status, "application/json", "{\"error\":\"" + e.message + "\"}\n", {}};
      keep_alive_ = false;
      send(serialize(r, false));
      return;
    }
    if (!closing_) read();
  }

  void write() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(out_.front()), [this, self](asio::error_code ec, std::size_t n) {
      if (!*alive_) return;
      if (ec) return finished();
      queued_ -= n;
      out_.pop_front();
      if (!out_.empty()) return write();
      if (!keep_alive_ && !streaming_) finished();
    });
  }

  // Closes and gives the connection's slot back (once, whoever ends it).
  void finished() {
    if (done_) return;
    done_ = true;
    close();
    --server_.connections_;
    if (streaming_) server_.streams_.erase(shared_from_this());
  }

  asio::ip::tcp::socket socket_;
  HttpServer& server_;
  std::shared_ptr<bool> alive_;
  RequestParser parser_;
  std::array<char, 8192> buf_{};
  std::deque<std::string> out_;
  std::size_t queued_ = 0;
  bool keep_alive_ = true;
  bool streaming_ = false;
  bool closing_ = false;
  bool done_ = false;
};

HttpServer::HttpServer(asio::io_context& io, const std::string& address, std::uint16_t port, Router router, Limits limits)
    : acceptor_(io), router_(std::move(router)), limits_(limits) {
  asio::error_code ec;
  const auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::system_error(ec, "API address '" + address + "'");
  const asio::ip::tcp::endpoint ep(addr, port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep, ec);
  if (ec) throw std::system_error(ec, "cannot bind the API to " + address + ":" + std::to_string(port));
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept_next();
}

HttpServer::~HttpServer() {
  *alive_ = false;
  asio::error_code ec;
  acceptor_.close(ec);
  for (const auto& s : streams_) s->close();
}

void HttpServer::accept_next() {
  acceptor_.async_accept([this, alive = alive_](asio::error_code ec, asio::ip::tcp::socket socket) {
    if (!*alive || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (connections_ >= limits_.max_connections) {
        HttpResponse busy{503, "application/json", "{\"error\":\"too many connections\"}\n", {}};
        const std::string bytes = serialize(busy, false);
        asio::error_code ignored;
        asio::write(socket, asio::buffer(bytes), ignored);
        socket.close(ignored);
      } else {
        ++connections_;
        std::make_shared<Connection>(std::move(socket), *this)->start();
      }
    }
    accept_next();
  });
}

void HttpServer::publish(const std::string& chunk) {
  // Copy: a send may close (and unregister) a slow stream.
  const auto streams = streams_;
  for (const auto& s : streams) s->send(chunk);
}

}  // namespace fmc::api

#include "api/http_server.hpp"

#include <deque>

#include "controller/log.hpp"

namespace fmc::api {

class HttpServer::Connection {
 public:
  virtual ~Connection() = default;
  virtual void send(std::string bytes) = 0;
  virtual void close() = 0;
};

// Stream is a TCP socket or a TLS stream over one.
template <class Stream>
class StreamConnection final : public HttpServer::Connection,
                               public std::enable_shared_from_this<StreamConnection<Stream>> {
  using Reply = HttpServer::Reply;
  using std::enable_shared_from_this<StreamConnection<Stream>>::shared_from_this;

 public:
  StreamConnection(Stream stream, HttpServer& server)
      : socket_(std::move(stream)),
        server_(server),
        alive_(server.alive_),
        parser_(server.limits_.request),
        idle_(socket_.lowest_layer().get_executor()) {}

  void start() {
    arm_idle();
    if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>) {
      read();
    } else {
      auto self = shared_from_this();
      socket_.async_handshake(asio::ssl::stream_base::server, [this, self](asio::error_code ec) {
        if (!*alive_) return;
        if (ec) {
          log::warn("api", "TLS handshake failed: " + ec.message());
          return finished();
        }
        read();
      });
    }
  }

  void send(std::string bytes) override {
    if (closing_) return;
    queued_ += bytes.size();
    if (streaming_ && queued_ > server_.limits_.max_stream_backlog) {
      log::warn("api", "event stream reader too slow; closing it");
      return finished();
    }
    out_.push_back(std::move(bytes));
    if (out_.size() == 1) write();
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    asio::error_code ec;
    socket_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.lowest_layer().close(ec);
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
        idle_.cancel();
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
      lingering_ = true;  // the client may still be sending the body we refused
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
      if (!keep_alive_ && !streaming_) return lingering_ ? linger() : finished();
      arm_idle();  // answered: the next request has its own time
    });
  }

  // Ends the connection if no complete request arrives in time (a refused
  // one's lingering drain included).
  void arm_idle() {
    if (streaming_ || done_) return;
    idle_.expires_after(server_.limits_.idle_timeout);
    auto self = shared_from_this();
    idle_.async_wait([this, self](asio::error_code ec) {
      if (ec || !*alive_ || streaming_ || done_) return;
      ++server_.idle_closed_;
      finished();
    });
  }

  // After refusing a request whose body is still arriving: closing at once
  // would reset the connection under the client before it reads the answer.
  // Stop sending, then read and discard until the client closes (bounded).
  void linger() {
    asio::error_code ec;
    socket_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    drain();
  }

  void drain() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [this, self](asio::error_code ec, std::size_t n) {
      if (!*alive_) return;
      drained_ += n;
      if (ec || drained_ > kMaxDrain) return finished();
      drain();
    });
  }

  // Closes and gives the connection's slot back (once, whoever ends it).
  void finished() {
    if (done_) return;
    done_ = true;
    idle_.cancel();
    close();
    --server_.connections_;
    if (streaming_) server_.streams_.erase(shared_from_this());
  }

  Stream socket_;
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
  bool lingering_ = false;
  std::size_t drained_ = 0;
  static constexpr std::size_t kMaxDrain = 16 << 20;
  asio::steady_timer idle_;
};

HttpServer::HttpServer(asio::io_context& io, const std::string& address, std::uint16_t port, Router router, Limits limits,
                       std::shared_ptr<asio::ssl::context> tls)
    : acceptor_(io), router_(std::move(router)), limits_(limits), tls_(std::move(tls)) {
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
        if (tls_)
          std::make_shared<StreamConnection<asio::ssl::stream<asio::ip::tcp::socket>>>(
              asio::ssl::stream<asio::ip::tcp::socket>(std::move(socket), *tls_), *this)
              ->start();
        else
          std::make_shared<StreamConnection<asio::ip::tcp::socket>>(std::move(socket), *this)->start();
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

#include "api/notifier.hpp"

#include <charconv>
#include <memory>

#include "controller/log.hpp"

namespace fmc::api {

std::optional<CallbackUrl> parse_callback_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  CallbackUrl u;
  u.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), u.port);
    if (ec != std::errc() || end != port.data() + port.size() || u.port == 0) return std::nullopt;
    authority = authority.substr(0, colon);
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  for (unsigned char c : authority)
    if (!(std::isalnum(c) || c == '.' || c == '-')) return std::nullopt;
  for (unsigned char c : u.path)
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  u.host = std::string(authority);
  return u;
}

namespace {

struct Delivery : std::enable_shared_from_this<Delivery> {
  Delivery(asio::io_context& io, CallbackUrl url, std::string body, std::function<void(bool, const std::string&)> done)
      : resolver(io), socket(io), timer(io), url(std::move(url)), done(std::move(done)) {
    request = "POST " + this->url.path + " HTTP/1.1\r\nHost: " + this->url.host + ":" + std::to_string(this->url.port) +
              "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\nConnection: close\r\nUser-Agent: fmc-controller\r\n\r\n" + body;
  }

  void start(std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    timer.expires_after(timeout);
    timer.async_wait([self](asio::error_code ec) {
      if (!ec) self->finish(false, "timed out");
    });
    resolver.async_resolve(url.host, std::to_string(url.port), [self](asio::error_code ec, asio::ip::tcp::resolver::results_type r) {
      if (ec) return self->finish(false, "cannot resolve: " + ec.message());
      asio::async_connect(self->socket, r, [self](asio::error_code ec, const asio::ip::tcp::endpoint&) {
        if (ec) return self->finish(false, "cannot connect: " + ec.message());
        asio::async_write(self->socket, asio::buffer(self->request), [self](asio::error_code ec, std::size_t) {
          if (ec) return self->finish(false, "cannot send: " + ec.message());
          asio::async_read_until(self->socket, asio::dynamic_buffer(self->response), "\r\n",
                                 [self](asio::error_code ec, std::size_t) {
                                   if (ec) return self->finish(false, "no response: " + ec.message());
                                   // "HTTP/1.1 204 No Content"
                                   const bool ok = self->response.size() > 12 && self->response[9] == '2';
                                   self->finish(ok, ok ? "" : "answered " + self->response.substr(0, self->response.find('\r')));
                                 });
        });
      });
    });
  }

  void finish(bool ok, const std::string& why) {
    if (finished) return;
    finished = true;
    asio::error_code ignored;
    timer.cancel();
    socket.close(ignored);
    resolver.cancel();
    done(ok, why);
  }

  asio::ip::tcp::resolver resolver;
  asio::ip::tcp::socket socket;
  asio::steady_timer timer;
  CallbackUrl url;
  std::string request, response;
  std::function<void(bool, const std::string&)> done;
  bool finished = false;
};

}  // namespace

void HttpNotifier::notify(const CallbackUrl& to, std::string json) {
  const std::string where = "http://" + to.host + ":" + std::to_string(to.port) + to.path;
  auto d = std::make_shared<Delivery>(io_, to, std::move(json), [this, where](bool ok, const std::string& why) {
    if (ok) {
      ++delivered_;
    } else {
      ++failed_;
      log::warn("api", "notification to " + where + " failed: " + why);
    }
  });
  d->start(timeout_);
}

}  // namespace fmc::api

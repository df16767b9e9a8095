// The HTTP server on a real loopback socket: connections the server closes
// (Connection: close) give their slot back, so the cap is about concurrent
// connections, not requests served.
#include "api/http_server.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace fmc::api;

namespace {

std::string get(std::uint16_t port, const std::string& extra_headers) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  const std::string req = "GET /x HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n";
  asio::write(s, asio::buffer(req));
  std::string reply;
  asio::error_code ec;
  std::array<char, 4096> buf;
  while (!ec) {
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    reply.append(buf.data(), n);
  }
  return reply;
}

TEST(HttpServer, ClosedConnectionsGiveTheirSlotBack) {
  asio::io_context io;
  HttpServer::Limits limits;
  limits.max_connections = 4;
  HttpServer server(io, "127.0.0.1", 0, [](const HttpRequest&) {
    return HttpServer::Reply{HttpResponse{200, "application/json", "{}", {}}, false};
  }, limits);
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  for (int i = 0; i < 50; ++i) {
    const std::string reply = get(server.port(), "Connection: close\r\n");
    ASSERT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << "request " << i << ": " << reply;
  }
  guard.reset();
  io.stop();
  loop.join();
}

}  // namespace

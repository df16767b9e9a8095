// The HTTP server on a real loopback socket: connections the server closes
// (Connection: close, or idle too long) give their slot back, so the cap is
// about concurrent connections, not requests served.
#include "api/http_server.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "controller/tls.hpp"
#include "support/test_pki.hpp"

using namespace fmc::api;

namespace {

// Everything the peer sends until it closes.
template <class Stream>
std::string read_all(Stream& s) {
  std::string reply;
  asio::error_code ec;
  std::array<char, 4096> buf;
  while (!ec) {
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    reply.append(buf.data(), n);
  }
  return reply;
}

std::string get(std::uint16_t port, const std::string& extra_headers) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  const std::string req = "GET /x HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n";
  asio::write(s, asio::buffer(req));
  return read_all(s);
}

TEST(HttpServer, ATooLargeBodyIsRefusedWithoutResettingTheClient) {
  asio::io_context io;
  HttpServer server(io, "127.0.0.1", 0, [](const HttpRequest&) {
    return HttpServer::Reply{HttpResponse{200, "application/json", "{}", {}}, false};
  });
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  asio::io_context client_io;
  asio::ip::tcp::socket s(client_io);
  s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  const std::string body(2 << 20, 'x');  // over the 1 MiB limit
  const std::string head = "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  asio::error_code ec;
  asio::write(s, asio::buffer(head + body), ec);  // the server refuses after the head but lets the body arrive
  EXPECT_FALSE(ec) << ec.message();
  s.shutdown(asio::ip::tcp::socket::shutdown_send);
  EXPECT_EQ(read_all(s).rfind("HTTP/1.1 413", 0), 0u);
  guard.reset();
  io.stop();
  loop.join();
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

TEST(HttpServer, AnIdleOrTricklingClientLosesItsSlot) {
  asio::io_context io;
  HttpServer::Limits limits;
  limits.max_connections = 2;
  limits.idle_timeout = std::chrono::milliseconds(400);
  HttpServer server(io, "127.0.0.1", 0, [](const HttpRequest&) {
    return HttpServer::Reply{HttpResponse{200, "application/json", "{}", {}}, false};
  }, limits);
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  asio::io_context client_io;
  asio::ip::tcp::socket silent(client_io), trickling(client_io);
  silent.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  trickling.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  asio::write(trickling, asio::buffer(std::string("GET /x HTTP/1.1\r\n")));  // and never the end of it
  const auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(read_all(silent), "");  // closed by the server, not by us
  EXPECT_EQ(read_all(trickling), "");
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
  // Both slots are free again; a client that keeps asking in time keeps its connection.
  asio::ip::tcp::socket kept(client_io);
  kept.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  for (int i = 0; i < 5; ++i) {  // 500 ms in all: longer than the timeout, never idle that long
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    asio::write(kept, asio::buffer(std::string("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")));
    std::array<char, 512> buf;
    const std::size_t n = kept.read_some(asio::buffer(buf));
    EXPECT_EQ(std::string(buf.data(), n).rfind("HTTP/1.1 200", 0), 0u) << "request " << i;
  }
  EXPECT_EQ(server.idle_closed(), 2u);
  guard.reset();
  io.stop();
  loop.join();
}

}  // namespace

namespace {

TEST(HttpServer, ServesHttpsAndRefusesPlainHttpOnTheTlsPort) {
  const fmc::test_support::TestPki pki;
  const auto certificate = pki.issue("127.0.0.1");
  asio::io_context io;
  HttpServer server(io, "127.0.0.1", 0, [](const HttpRequest& r) {
    return HttpServer::Reply{HttpResponse{200, "application/json", "{\"path\":\"" + r.path + "\"}", {}}, false};
  }, HttpServer::Limits{}, fmc::ctl::make_tls_server_context({certificate.cert, certificate.key, ""}));
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  asio::io_context client_io;
  asio::ssl::context client_ctx(asio::ssl::context::tls_client);
  client_ctx.load_verify_file(pki.ca_cert());
  client_ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> tls(client_io, client_ctx);
  tls.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), server.port()});
  tls.handshake(asio::ssl::stream_base::client);  // throws if the certificate does not verify
  const std::string req = "GET /secret HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  asio::write(tls, asio::buffer(req));
  const std::string reply = read_all(tls);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find("{\"path\":\"/secret\"}"), std::string::npos);

  // Plain HTTP to the TLS port: no answer in the clear, the connection is closed.
  EXPECT_EQ(get(server.port(), "").find("HTTP/1.1"), std::string::npos);
  EXPECT_THROW(fmc::ctl::make_tls_server_context({pki.dir() + "/missing.pem", certificate.key, ""}), std::system_error);

  guard.reset();
  io.stop();
  loop.join();
}

}  // namespace

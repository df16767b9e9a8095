#pragma once
// The byte stream to one switch: plain TCP, or TLS over it. With TLS the
// switch must present a certificate the configured CA signed before a single
// OpenFlow byte is read. The session reads and writes through it without
// knowing which.
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <string>
#include <variant>

namespace fmc::ctl {

class ControlChannel {
 public:
  using Tls = asio::ssl::stream<asio::ip::tcp::socket>;
  // `tls` null: plain TCP.
  ControlChannel(asio::ip::tcp::socket socket, asio::ssl::context* tls);

  bool secure() const { return std::holds_alternative<Tls>(stream_); }
  asio::ip::tcp::socket& socket();

  // The TLS server handshake (certificate checks included); only when secure().
  template <class Handler>
  void async_handshake(Handler&& done) {
    std::get<Tls>(stream_).async_handshake(asio::ssl::stream_base::server, std::forward<Handler>(done));
  }
  template <class Handler>
  void async_read_some(asio::mutable_buffer buffer, Handler&& done) {
    std::visit([&](auto& s) { s.async_read_some(buffer, std::forward<Handler>(done)); }, stream_);
  }
  template <class Handler>
  void async_write(asio::const_buffer buffer, Handler&& done) {
    std::visit([&](auto& s) { asio::async_write(s, buffer, std::forward<Handler>(done)); }, stream_);
  }
  // What can be written now without blocking (a last error message before closing).
  void try_write(asio::const_buffer buffer);
  void close();
  // The verified peer certificate's subject ("" when plain or not yet verified).
  std::string peer_subject();

 private:
  std::variant<asio::ip::tcp::socket, Tls> stream_;
};

}  // namespace fmc::ctl

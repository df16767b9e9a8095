#include "controller/control_channel.hpp"

#include <openssl/x509.h>

namespace fmc::ctl {

namespace {
std::variant<asio::ip::tcp::socket, ControlChannel::Tls> make_stream(asio::ip::tcp::socket socket,
                                                                    asio::ssl::context* tls) {
  if (!tls) return socket;
  return ControlChannel::Tls(std::move(socket), *tls);
}
}  // namespace

ControlChannel::ControlChannel(asio::ip::tcp::socket socket, asio::ssl::context* tls)
    : stream_(make_stream(std::move(socket), tls)) {}

asio::ip::tcp::socket& ControlChannel::socket() {
  if (auto* tls = std::get_if<Tls>(&stream_)) return tls->next_layer();
  return std::get<asio::ip::tcp::socket>(stream_);
}

void ControlChannel::try_write(asio::const_buffer buffer) {
  std::error_code ec;
  socket().non_blocking(true, ec);
  std::visit([&](auto& s) { s.write_some(buffer, ec); }, stream_);
}

void ControlChannel::close() {
  std::error_code ec;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket().close(ec);
}

std::string ControlChannel::peer_subject() {
  auto* tls = std::get_if<Tls>(&stream_);
  if (!tls) return "";
  X509* cert = SSL_get1_peer_certificate(tls->native_handle());
  if (!cert) return "";
  char line[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), line, sizeof line);
  X509_free(cert);
  return line;
}

}  // namespace fmc::ctl

#include "controller/tls.hpp"

#include <asio.hpp>
#include <asio/ssl.hpp>

namespace fmc::ctl {

std::shared_ptr<asio::ssl::context> make_tls_server_context(const TlsFiles& files) {
  using asio::ssl::context;
  auto ctx = std::make_shared<context>(context::tls_server);
  ctx->set_options(context::default_workarounds | context::no_sslv2 | context::no_sslv3 | context::no_tlsv1 |
                   context::no_tlsv1_1 | context::single_dh_use);
  asio::error_code ec;
  ctx->use_certificate_chain_file(files.cert, ec);
  if (ec) throw std::system_error(ec, "TLS certificate chain " + files.cert);
  ctx->use_private_key_file(files.key, context::pem, ec);
  if (ec) throw std::system_error(ec, "TLS private key " + files.key);
  if (!files.ca.empty()) {
    ctx->load_verify_file(files.ca, ec);
    if (ec) throw std::system_error(ec, "TLS CA certificate " + files.ca);
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

}  // namespace fmc::ctl

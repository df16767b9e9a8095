#pragma once
// TLS for the controller's listeners (OpenFlow and the API): TLS 1.2 or later
// with a PEM certificate chain and its key. With a CA file the peer must
// present a certificate that CA signed (mutual authentication, as OVS's
// `ssl:` controller targets do with `ovs-vsctl set-ssl`).
#include <memory>
#include <string>

namespace asio::ssl {
class context;
}

namespace fmc::ctl {

struct TlsFiles {
  std::string cert;  // PEM certificate chain
  std::string key;   // its PEM private key
  std::string ca;    // PEM CA certificate(s) the peer's certificate must chain to; empty: none asked
  bool enabled() const { return !cert.empty(); }
};

// A server context from `files`. Throws std::system_error naming the file that failed.
std::shared_ptr<asio::ssl::context> make_tls_server_context(const TlsFiles& files);

}  // namespace fmc::ctl

#pragma once
// Delivers notifications (JSON, HTTP POST) to subscribers' callback URLs:
// asynchronously on the controller's loop, one connection per
// notification, with a timeout. A subscriber that is down or slow costs a
// logged, counted failure, never a blocked loop.
#include <asio.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fmc::api {

struct CallbackUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string path;  // with query, "/" if empty
};
// http://HOST[:PORT][/PATH]; nullopt for anything else (https is not spoken yet).
std::optional<CallbackUrl> parse_callback_url(std::string_view url);

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  virtual void notify(const CallbackUrl& to, std::string json) = 0;
};

class HttpNotifier final : public NotificationSink {
 public:
  explicit HttpNotifier(asio::io_context& io, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : io_(io), timeout_(timeout) {}
  void notify(const CallbackUrl& to, std::string json) override;
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t failed() const { return failed_; }

 private:
  asio::io_context& io_;
  std::chrono::milliseconds timeout_;
  std::uint64_t delivered_ = 0, failed_ = 0;
};

}  // namespace fmc::api

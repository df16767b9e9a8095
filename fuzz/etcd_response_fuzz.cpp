// What an etcd member (or something posing as one) may send the store:
// HTTP/1.1 answers split anywhere, the watch stream's messages, base64.
// Nothing may crash, hang, or grow past its limits; a parsed body never
// exceeds what the limits allow.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/etcd/http_response.hpp"
#include "store/etcd/watcher.hpp"
#include "util/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using fmc::store::etcd::ResponseParser;
  ResponseParser p(ResponseParser::Limits{1024, 4096});
  // Fed in pieces whose sizes the first byte chooses, as a socket might deliver them.
  const std::size_t step = size ? 1 + data[0] % 17 : 1;
  std::size_t body = 0;
  for (std::size_t i = 0; i < size; i += step) {
    const auto state = p.feed(input.substr(i, step));
    body += p.take_body().size();
    if (body > 4096) __builtin_trap();
    if (state == ResponseParser::State::kError) break;
    if (state == ResponseParser::State::kComplete) p.next();
  }
  fmc::store::etcd::WatchStream w;
  for (std::size_t i = 0; i < size; i += step) {
    for (const auto& message : w.feed(input.substr(i, step)))
      if (message.empty() || message.front() != '{' || message.back() != '}') __builtin_trap();
  }
  if (auto decoded = fmc::base64_decode(input))
    if (fmc::base64_encode(*decoded) != input) __builtin_trap();  // only canonical text decodes
  return 0;
}

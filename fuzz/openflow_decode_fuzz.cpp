// libFuzzer target for the OpenFlow codec: frames input the way a switch
// session does, decodes, and checks that whatever decodes re-encodes into
// something that decodes again. Crashes and sanitizer reports are bugs.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "openflow/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fmc::Bytes input(data, size);
  while (input.size() >= fmc::of::kHeaderLen) {
    auto header = fmc::of::read_header(input);
    if (!header || header->length > input.size()) break;
    const fmc::Bytes frame = input.first(header->length);
    input = input.subspan(header->length);
    auto env = fmc::of::decode(frame);
    if (!env) continue;
    std::vector<std::uint8_t> out;
    if (!fmc::of::encode(env->message, env->version, env->xid, out)) continue;
    if (!fmc::of::decode(out)) std::abort();
  }
  return 0;
}

// libFuzzer target for the DHCP parser: whatever parses must rebuild into
// something that parses again.
#include <cstdint>
#include <cstdlib>

#include "net/dhcp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = fmc::net::parse_dhcp(fmc::Bytes(data, size));
  if (m && !fmc::net::parse_dhcp(fmc::net::build_dhcp(*m))) std::abort();
  return 0;
}

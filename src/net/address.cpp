#include "net/address.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace fmc::net {

std::optional<MacAddr> MacAddr::parse(std::string_view text) {
  MacAddr m;
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i) {
    const char* first = text.data() + i * 3;
    if (i < 5 && first[2] != ':') return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(first, first + 2, v, 16);
    if (ec != std::errc{} || end != first + 2) return std::nullopt;
    m.octets[i] = static_cast<std::uint8_t>(v);
  }
  return m;
}

std::string MacAddr::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(17, ':');
  for (std::size_t i = 0; i < 6; ++i) {
    out[3 * i] = kHex[octets[i] >> 4];
    out[3 * i + 1] = kHex[octets[i] & 0xf];
  }
  return out;
}

std::optional<Ipv4Addr> Ipv4Addr::parse(std::string_view text) {
  std::uint32_t value = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc{} || octet > 255 || next - p > 3) return std::nullopt;
    value = value << 8 | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return Ipv4Addr{value};
}

namespace {
// Each octet's decimal digits, found by value: "0" to "255".
struct OctetText {
  char digits[3];
  std::uint8_t length;
};
constexpr std::array<OctetText, 256> kOctets = [] {
  std::array<OctetText, 256> t{};
  for (unsigned v = 0; v < 256; ++v) {
    auto& o = t[v];
    if (v >= 100) o.digits[o.length++] = char('0' + v / 100);
    if (v >= 10) o.digits[o.length++] = char('0' + v / 10 % 10);
    o.digits[o.length++] = char('0' + v % 10);
  }
  return t;
}();
}  // namespace

std::string Ipv4Addr::to_string() const {
  char text[16];  // "255.255.255.255": within std::string's own buffer, no allocation
  char* p = text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const OctetText& o = kOctets[value >> shift & 0xff];
    std::memcpy(p, o.digits, 3);  // the unused digits are overwritten next, or left past the end
    p += o.length;
    *p++ = '.';
  }
  return std::string(text, p - 1);
}

}  // namespace fmc::net

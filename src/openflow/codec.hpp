#pragma once
// Public entry points of the OpenFlow wire codec: framing, decode, encode.
// Pure: no I/O, no logging, no global state.
#include <cstdint>
#include <vector>

#include "openflow/error.hpp"
#include "openflow/messages.hpp"

namespace fmc::of {

struct Header {
  std::uint8_t version = 0;
  std::uint8_t type = 0;
  std::uint16_t length = 0;
  Xid xid;
};

// Reads the 8-byte header at the start of `data` (which may hold more).
OfResult<Header> read_header(Bytes data);

struct Envelope {
  Version version;
  Xid xid;
  Message message;
};

// Decodes exactly one message; `frame` must be `header.length` bytes.
// HELLO is accepted in any wire version (it carries the negotiation); every
// other message must be OpenFlow 1.0 or 1.3.
OfResult<Envelope> decode(Bytes frame);

// Appends the encoding of `msg` to `out`. On error `out` is left unchanged.
OfResult<Ok> encode(const Message& msg, Version v, Xid xid, std::vector<std::uint8_t>& out);

// Convenience for tests and tools.
std::vector<std::uint8_t> encode_or_empty(const Message& msg, Version v, Xid xid = Xid{0});

// An OFPT_ERROR answering `offending` (its first 64 bytes are echoed back).
void encode_error_reply(const OfError& err, Version v, Xid xid, Bytes offending,
                        std::vector<std::uint8_t>& out);

// Version negotiation (OF1.3 §6.3.1). nullopt = no common version.
std::optional<Version> negotiate(std::uint8_t peer_header_version, const Hello& peer_hello,
                                 std::uint32_t our_bitmap);
inline constexpr std::uint32_t kBitmapBoth = (1u << 0x01) | (1u << 0x04);

const char* message_name(const Message& msg);

}  // namespace fmc::of

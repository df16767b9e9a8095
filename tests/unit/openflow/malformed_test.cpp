// Malformed, truncated and wrong-version input yields a typed error with the
// protocol's own (type, code), never a crash. Runs under ASan/UBSan in CI.
#include <gtest/gtest.h>

#include <random>

#include "openflow/codec.hpp"
#include "support/sample_messages.hpp"

using namespace fmc;
using namespace fmc::of;
using B = std::vector<std::uint8_t>;

namespace {

void set_length(B& frame) {
  frame[2] = static_cast<std::uint8_t>(frame.size() >> 8);
  frame[3] = static_cast<std::uint8_t>(frame.size());
}

OfError expect_error(const B& frame) {
  auto r = decode(frame);
  EXPECT_FALSE(r) << "decoded unexpectedly as " << (r ? message_name(r->message) : "");
  return r ? OfError{} : r.error();
}

}  // namespace

TEST(Malformed, EveryTruncationIsHandled) {
  for (Version v : {Version::V10, Version::V13}) {
    for (const auto& sample : test_support::sample_messages(v)) {
      SCOPED_TRACE(sample.name);
      const B full = encode_or_empty(sample.message, v, Xid{1});
      ASSERT_FALSE(full.empty());
      for (std::size_t n = 8; n < full.size(); ++n) {
        B cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        // The header still claims the full length: a framing mismatch.
        EXPECT_FALSE(decode(cut));
        set_length(cut);
        auto r = decode(cut);  // may be valid (e.g. shorter echo data), must not crash
        if (r) {
          std::vector<std::uint8_t> again;
          EXPECT_TRUE(encode(r->message, v, Xid{1}, again));
        }
      }
    }
  }
}

TEST(Malformed, HeaderErrors) {
  EXPECT_EQ(expect_error(B{0x04, 0x00, 0x00}).code, code::kBadLen);
  EXPECT_EQ(expect_error(B{0x04, 0x02, 0x00, 0x04, 0, 0, 0, 1}).code, code::kBadLen);
  const auto version = expect_error(B{0x02, 0x02, 0x00, 0x08, 0, 0, 0, 1});
  EXPECT_EQ(version.type(), ErrorType::kBadRequest);
  EXPECT_EQ(version.code, code::kBadVersion);
  const auto type = expect_error(B{0x04, 0x63, 0x00, 0x08, 0, 0, 0, 1});
  EXPECT_EQ(type.type(), ErrorType::kBadRequest);
  EXPECT_EQ(type.code, code::kBadType);
  // 1.0 vendor messages are not modelled; of 1.3's experimenter messages only ONF's role status is.
  EXPECT_EQ(expect_error(B{0x01, 0x04, 0x00, 0x0c, 0, 0, 0, 1, 0, 0, 0x23, 0x20}).code, code::kBadType);
  EXPECT_EQ(expect_error(B{0x04, 0x04, 0x00, 0x10, 0, 0, 0, 1, 0, 0, 0x23, 0x20, 0, 0, 0, 1}).code,
            code::kBadExperimenter);
  EXPECT_EQ(expect_error(B{0x04, 0x04, 0x00, 0x10, 0, 0, 0, 1, 0x4f, 0x4e, 0x46, 0x00, 0, 0, 0x07, 0x77}).code,
            code::kBadLen);  // role status without its body
}

TEST(Malformed, TrailingBytesAreRejected) {
  B frame = encode_or_empty(BarrierRequest{}, Version::V13, Xid{1});
  frame.push_back(0);
  set_length(frame);
  EXPECT_EQ(expect_error(frame).code, code::kBadLen);
}

TEST(Malformed, OxmOverrunAndDuplicates) {
  FlowMod fm;
  fm.match.eth_type = 0x0800;
  B frame = encode_or_empty(fm, Version::V13, Xid{1});
  // Match starts after the 48-byte fixed part; its OXM TLV length byte is at +7.
  B overrun = frame;
  overrun[48 + 7] = 0x40;
  const auto e = expect_error(overrun);
  EXPECT_EQ(e.type(), ErrorType::kBadMatch);

  // Two eth_type TLVs in one match.
  B dup = {0x04, 0x0e, 0x00, 0x00, 0, 0, 0, 1};
  dup.insert(dup.end(), frame.begin() + 8, frame.begin() + 48);
  const B match = {0x00, 0x01, 0x00, 0x10, 0x80, 0x00, 0x0a, 0x02, 0x08, 0x00,
                   0x80, 0x00, 0x0a, 0x02, 0x08, 0x00};
  dup.insert(dup.end(), match.begin(), match.end());
  set_length(dup);
  const auto d = expect_error(dup);
  EXPECT_EQ(d.type(), ErrorType::kBadMatch);
  EXPECT_EQ(d.code, code::kDupField);
}

TEST(Malformed, ActionErrors) {
  PacketOut po;
  po.actions = {Output{PortNo{1}, 0}};
  const B frame = encode_or_empty(po, Version::V13, Xid{1});
  B zero_len = frame;
  zero_len[24 + 2] = 0;  // action length field
  zero_len[24 + 3] = 0;
  EXPECT_EQ(expect_error(zero_len).type(), ErrorType::kBadAction);
  B unknown = frame;
  unknown[24 + 1] = 0x63;  // action type 99
  const auto e = expect_error(unknown);
  EXPECT_EQ(e.type(), ErrorType::kBadAction);
  EXPECT_EQ(e.code, code::kBadActionType);
  B overrun = frame;
  overrun[16 + 1] = 0x40;  // actions_len beyond the message
  EXPECT_EQ(expect_error(overrun).code, code::kBadLen);
}

TEST(Malformed, UnknownMultipartType) {
  B frame = {0x04, 0x12, 0x00, 0x10, 0, 0, 0, 1, 0x00, 0x63, 0x00, 0x00, 0, 0, 0, 0};
  const auto e = expect_error(frame);
  EXPECT_EQ(e.code, code::kBadMultipart);
}

TEST(Malformed, RandomGarbageNeverCrashes) {
  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> byte(0, 255);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    B frame(8 + static_cast<std::size_t>(rng() % 200));
    for (auto& b : frame) b = static_cast<std::uint8_t>(byte(rng));
    frame[0] = (i % 2) ? 0x04 : 0x01;
    frame[1] = static_cast<std::uint8_t>(rng() % 26);
    set_length(frame);
    if (decode(frame)) ++decoded;
  }
  // Some random bodies are valid (e.g. echo): the point is that none crash.
  EXPECT_GT(decoded, 0);
  EXPECT_LT(decoded, 20000);
}

// Byte vectors written out by hand from the OpenFlow 1.0.0 and 1.3.x specs.
#include <gtest/gtest.h>

#include "openflow/codec.hpp"

using namespace fmc;
using namespace fmc::of;
using B = std::vector<std::uint8_t>;

TEST(GoldenBytes, Hello13WithVersionBitmap) {
  const B expected = {0x04, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x07,
                      0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x12};
  EXPECT_EQ(encode_or_empty(Hello{kBitmapBoth}, Version::V13, Xid{7}), expected);
}

TEST(GoldenBytes, TableMissFlowMod13) {
  FlowMod fm;
  fm.priority = 0;
  fm.instructions = {ApplyActions{{Output{port::kController, kControllerMaxLenNoBuffer}}}};
  const B expected = {
      0x04, 0x0e, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01,              // header
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,              // cookie, cookie_mask
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // table, cmd, idle, hard, priority
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,              // buffer_id, out_port
      0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,              // out_group, flags, pad
      0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,              // empty OXM match + pad
      0x00, 0x04, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00,              // APPLY_ACTIONS
      0x00, 0x00, 0x00, 0x10, 0xff, 0xff, 0xff, 0xfd,              // OUTPUT CONTROLLER
      0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};             // max_len NO_BUFFER
  EXPECT_EQ(encode_or_empty(fm, Version::V13, Xid{1}), expected);
}

TEST(GoldenBytes, PacketOut10Flood) {
  const B data = {0xaa, 0xbb};
  PacketOut po;
  po.in_port = PortNo{2};
  po.actions = {Output{port::kFlood, 0}};
  po.data = data;
  const B expected = {0x01, 0x0d, 0x00, 0x1a, 0x00, 0x00, 0x00, 0x09, 0xff, 0xff, 0xff, 0xff, 0x00,
                      0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0xff, 0xfb, 0x00, 0x00, 0xaa, 0xbb};
  EXPECT_EQ(encode_or_empty(po, Version::V10, Xid{9}), expected);
}

namespace {
// in_port 3, IPv4 from 10.1.0.0/16.
Match port_and_prefix() {
  Match m;
  m.in_port = PortNo{3};
  m.eth_type = 0x0800;
  m.ipv4_src = Masked<net::Ipv4Addr>{net::Ipv4Addr{0x0a010000}, net::Ipv4Addr{0xffff0000}};
  return m;
}
}  // namespace

TEST(GoldenBytes, OxmMatchWithMaskedIpv4) {
  const Match m = port_and_prefix();
  B out;
  ByteWriter w(out);
  encode_match13(m, w);
  const B expected = {0x00, 0x01, 0x00, 0x1e, 0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03,
                      0x80, 0x00, 0x0a, 0x02, 0x08, 0x00, 0x80, 0x00, 0x17, 0x08, 0x0a, 0x01,
                      0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(out, expected);
}

TEST(GoldenBytes, Match10WildcardsAndPrefix) {
  const Match m = port_and_prefix();
  B out;
  ByteWriter w(out);
  ASSERT_TRUE(encode_match10(m, w));
  ASSERT_EQ(out.size(), kMatch10Len);
  const B wildcards = {0x00, 0x38, 0x10, 0xee};
  EXPECT_EQ(B(out.begin(), out.begin() + 4), wildcards);
  EXPECT_EQ(out[4], 0x00);
  EXPECT_EQ(out[5], 0x03);                             // in_port
  EXPECT_EQ(out[22], 0x08);                            // dl_type
  EXPECT_EQ(B(out.begin() + 28, out.begin() + 32), (B{0x0a, 0x01, 0x00, 0x00}));  // nw_src
}

TEST(GoldenBytes, ErrorReplyEchoesOffendingBytes) {
  const B offending = {0x04, 0x63, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05};
  B out;
  encode_error_reply(OfError{code::kBadType, "x"}, Version::V13, Xid{5}, offending, out);
  const B expected = {0x04, 0x01, 0x00, 0x14, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x01,
                      0x04, 0x63, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05};
  EXPECT_EQ(out, expected);
}

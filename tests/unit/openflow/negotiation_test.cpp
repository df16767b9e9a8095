#include <gtest/gtest.h>

#include "openflow/codec.hpp"

using namespace fmc::of;

TEST(Negotiation, BitmapPicksHighestCommon) {
  EXPECT_EQ(negotiate(6, Hello{(1u << 1) | (1u << 4) | (1u << 6)}, kBitmapBoth), Version::V13);
  EXPECT_EQ(negotiate(4, Hello{(1u << 1)}, kBitmapBoth), Version::V10);
  EXPECT_EQ(negotiate(4, Hello{(1u << 4)}, 1u << 1), std::nullopt);
}

TEST(Negotiation, WithoutBitmapUsesLowerOfTheTwo) {
  EXPECT_EQ(negotiate(1, Hello{}, kBitmapBoth), Version::V10);
  EXPECT_EQ(negotiate(4, Hello{}, kBitmapBoth), Version::V13);
  EXPECT_EQ(negotiate(6, Hello{}, kBitmapBoth), Version::V13);
  // A 1.2 peer: we would have to speak 1.2, which we do not.
  EXPECT_EQ(negotiate(3, Hello{}, kBitmapBoth), std::nullopt);
  // We only speak 1.0 and the peer offers up to 1.3: 1.0 is proposed; the peer
  // decides on its side whether it can speak it.
  EXPECT_EQ(negotiate(4, Hello{}, 1u << 1), Version::V10);
}

TEST(Negotiation, HelloOfAnyVersionDecodes) {
  const std::vector<std::uint8_t> hello15 = {0x06, 0x00, 0x00, 0x10, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x52};
  auto env = decode(hello15);
  ASSERT_TRUE(env);
  EXPECT_EQ(std::get<Hello>(env->message).version_bitmap, 0x52u);
}

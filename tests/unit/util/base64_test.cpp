#include "util/base64.hpp"

#include <gtest/gtest.h>

using fmc::base64_decode;
using fmc::base64_encode;

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},     {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain));
  }
}

TEST(Base64, EveryByteRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) EXPECT_EQ(base64_decode(base64_encode(all.substr(0, n))), all.substr(0, n));
}

TEST(Base64, MalformedTextIsRefused) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v!", "Zm=v", "Zh==", "Zm9=", "====", "Zg==Zg=="})
    EXPECT_FALSE(base64_decode(bad)) << bad;
}

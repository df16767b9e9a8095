#include "net/address.hpp"

#include <gtest/gtest.h>

using fmc::net::Ipv4Addr;
using fmc::net::MacAddr;

TEST(MacAddr, ParsesAndFormats) {
  auto m = MacAddr::parse("02:0a:FF:00:10:9c");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to_string(), "02:0a:ff:00:10:9c");
  EXPECT_EQ(MacAddr::from_u64(m->as_u64()), *m);
  EXPECT_FALSE(m->is_multicast());
  EXPECT_TRUE(MacAddr::broadcast().is_multicast());
}

TEST(MacAddr, IsOneNumberFirstOctetHighestAndComparesAsIt) {
  const MacAddr m{{0x02, 0x0a, 0xff, 0x00, 0x10, 0x9c}};
  EXPECT_EQ(m.as_u64(), 0x020aff00109cu);
  EXPECT_EQ(MacAddr::broadcast().as_u64(), 0xffffffffffffu);
  const MacAddr last_octet_differs{{0x02, 0x0a, 0xff, 0x00, 0x10, 0x9d}}, first_octet_differs{{0x03, 0x0a, 0xff, 0x00, 0x10, 0x9c}};
  EXPECT_EQ(m, MacAddr::from_u64(0x020aff00109c));
  EXPECT_NE(m, last_octet_differs);
  EXPECT_NE(m, first_octet_differs);
  EXPECT_LT(m, last_octet_differs);  // the order is the octets' order, as the number's
  EXPECT_LT(last_octet_differs, first_octet_differs);
  EXPECT_LT(last_octet_differs.as_u64(), first_octet_differs.as_u64());
}

TEST(MacAddr, RejectsMalformedText) {
  for (const char* bad : {"", "02:0a:ff:00:10", "02-0a-ff-00-10-9c", "02:0a:ff:00:10:9g", "02:0a:ff:00:10:9c:"})
    EXPECT_FALSE(MacAddr::parse(bad)) << bad;
}

TEST(Ipv4Addr, ParsesAndFormats) {
  auto a = Ipv4Addr::parse("10.1.255.7");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, 0x0a01ff07u);
  EXPECT_EQ(a->to_string(), "10.1.255.7");
}

TEST(Ipv4Addr, FormatsEveryOctetWidthAndParsesBack) {
  EXPECT_EQ(Ipv4Addr{0}.to_string(), "0.0.0.0");
  EXPECT_EQ(Ipv4Addr{0xffffffff}.to_string(), "255.255.255.255");
  for (const std::uint32_t octet : {0u, 9u, 10u, 99u, 100u, 109u, 110u, 200u, 255u})
    for (int shift = 0; shift < 32; shift += 8) {
      const Ipv4Addr a{(octet << shift) | 0x01010101u};
      const auto back = Ipv4Addr::parse(a.to_string());
      ASSERT_TRUE(back) << a.to_string();
      EXPECT_EQ(back->value, a.value) << a.to_string();
    }
}

TEST(Ipv4Addr, RejectsMalformedText) {
  for (const char* bad : {"", "10.1.2", "10.1.2.256", "10.1.2.3.4", "a.b.c.d", "10..2.3", "1.2.3.4 "})
    EXPECT_FALSE(Ipv4Addr::parse(bad)) << bad;
}

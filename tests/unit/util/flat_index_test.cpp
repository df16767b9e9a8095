// The flat index (the Location Manager's and the network model's): lookups confirmed by the caller, tags
// that collide, erased slots reused, growth past millions of entries.
#include "util/flat_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

using fmc::FlatIndex;

TEST(FlatIndex, FindsWhatWasSetAndNothingElse) {
  FlatIndex ix;
  EXPECT_EQ(ix.find(7, FlatIndex::any), FlatIndex::kNone);
  ix.set(7, 70, FlatIndex::any);
  ix.set(8, 80, FlatIndex::any);
  EXPECT_EQ(ix.find(7, FlatIndex::any), 70u);
  EXPECT_EQ(ix.find(8, FlatIndex::any), 80u);
  EXPECT_EQ(ix.find(9, FlatIndex::any), FlatIndex::kNone);
  ix.set(7, 71, FlatIndex::any);  // the same key again: now names another number
  EXPECT_EQ(ix.find(7, FlatIndex::any), 71u);
  EXPECT_EQ(ix.size(), 2u);
}

TEST(FlatIndex, KeysWhoseTagsCollideAreToldApartByTheCaller) {
  // Three names, one tag: the caller's check against the names decides.
  const std::vector<std::string> names = {"vm1", "vm2", "client1"};
  const auto is = [&](const std::string& name) { return [&, name](std::uint32_t n) { return names[n] == name; }; };
  FlatIndex ix;
  for (std::uint32_t n = 0; n < names.size(); ++n) ix.set(42, n, is(names[n]));
  EXPECT_EQ(ix.size(), 3u);
  EXPECT_EQ(ix.find(42, is("vm2")), 1u);
  EXPECT_EQ(ix.find(42, is("client1")), 2u);
  EXPECT_EQ(ix.find(42, is("vm9")), FlatIndex::kNone);
  EXPECT_TRUE(ix.erase(42, is("vm1")));
  EXPECT_FALSE(ix.erase(42, is("vm1")));
  EXPECT_EQ(ix.find(42, is("vm1")), FlatIndex::kNone);
  EXPECT_EQ(ix.find(42, is("client1")), 2u);  // found past the erased slot
  EXPECT_EQ(ix.size(), 2u);
}

TEST(FlatIndex, AgreesWithAMapThroughChurnAndGrowth) {
  // Addresses handed out and taken back over and over (visiting addresses do that):
  // erased slots are reused or dropped, and every lookup agrees with a reference map.
  FlatIndex ix;
  std::unordered_map<std::uint32_t, std::uint32_t> ref;
  std::uint64_t state = 12345;
  const auto next = [&] { return static_cast<std::uint32_t>((state = state * 6364136223846793005ull + 1) >> 40); };
  for (int step = 0; step < 400'000; ++step) {
    const std::uint32_t key = next() % 50'000, value = next() % 1'000'000;
    if (next() % 3 == 0) {
      EXPECT_EQ(ix.erase(key, FlatIndex::any), ref.erase(key) == 1);
    } else {
      ix.set(key, value, FlatIndex::any);
      ref[key] = value;
    }
  }
  EXPECT_EQ(ix.size(), ref.size());
  for (std::uint32_t key = 0; key < 50'000; ++key) {
    const auto it = ref.find(key);
    ASSERT_EQ(ix.find(key, FlatIndex::any), it == ref.end() ? FlatIndex::kNone : it->second) << key;
  }
  // And it grows: two million keys, all found.
  FlatIndex big;
  for (std::uint32_t k = 0; k < 2'000'000; ++k) big.set(k * 2654435761u, k, FlatIndex::any);
  EXPECT_EQ(big.size(), 2'000'000u);
  for (std::uint32_t k = 0; k < 2'000'000; k += 997) ASSERT_EQ(big.find(k * 2654435761u, FlatIndex::any), k);
}

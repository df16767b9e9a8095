#include "util/recycling_allocator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace fmc {
namespace {

struct Element {
  std::uint64_t a = 0, b = 0;
  bool operator==(const Element&) const = default;
};
using Shelved = RecyclingAllocator<Element, 2>;
using List = std::vector<Element, Shelved>;

TEST(RecyclingAllocator, AShortListsBlockIsTheNextOfItsSizeToBeHandedOut) {
  if (!recycling::kRecycles) GTEST_SKIP() << "blocks are not recycled under AddressSanitizer";
  Shelved alloc;
  Element* one = alloc.allocate(1);
  Element* two = alloc.allocate(2);
  alloc.deallocate(one, 1);
  alloc.deallocate(two, 2);
  EXPECT_EQ(alloc.allocate(2), two);  // each size has its own shelf
  EXPECT_EQ(alloc.allocate(1), one);
  alloc.deallocate(one, 1);
  alloc.deallocate(two, 2);
}

TEST(RecyclingAllocator, EachThreadHasItsOwnShelves) {
  if (!recycling::kRecycles) GTEST_SKIP() << "blocks are not recycled under AddressSanitizer";
  Shelved alloc;
  Element* here = alloc.allocate(1);
  alloc.deallocate(here, 1);
  Element* there = nullptr;
  std::thread([&] {
    there = alloc.allocate(1);  // not the block shelved on this thread
    alloc.deallocate(there, 1);
  }).join();
  EXPECT_NE(there, here);
  EXPECT_EQ(alloc.allocate(1), here);
  alloc.deallocate(here, 1);
}

TEST(RecyclingAllocator, AShelfHoldsABoundedNumberOfBlocksAndTheRestGoBackToTheHeap) {
  if (!recycling::kRecycles) GTEST_SKIP() << "blocks are not recycled under AddressSanitizer";
  Shelved alloc;
  std::vector<Element*> burst;
  for (std::size_t i = 0; i < recycling::kShelved + 10; ++i) burst.push_back(alloc.allocate(1));
  for (Element* p : burst) alloc.deallocate(p, 1);
  // Taken back in the order shelved (last first): the first kShelved freed are on the shelf, the last ten were not kept.
  std::vector<Element*> again;
  for (std::size_t i = 0; i < recycling::kShelved; ++i) again.push_back(alloc.allocate(1));
  for (std::size_t i = 0; i < recycling::kShelved; ++i) EXPECT_EQ(again[i], burst[recycling::kShelved - 1 - i]) << i;
  for (Element* p : again) alloc.deallocate(p, 1);
}

TEST(RecyclingAllocator, ABlockIsMadeForItsPowerOfTwoAndServesEveryLengthUpToIt) {
  if (!recycling::kRecycles) GTEST_SKIP() << "blocks are not recycled under AddressSanitizer";
  RecyclingAllocator<Element, 64> alloc;
  Element* three = alloc.allocate(3);  // a block of four
  for (int i = 0; i < 4; ++i) three[i] = {std::uint64_t(i), 0};  // all four are usable
  alloc.deallocate(three, 3);
  Element* four = alloc.allocate(4);
  EXPECT_EQ(four, three);
  Element* five = alloc.allocate(5);  // the next class (eight)
  EXPECT_NE(five, four);
  alloc.deallocate(four, 4);
  alloc.deallocate(five, 5);
  EXPECT_EQ(alloc.allocate(7), five);
  EXPECT_EQ(alloc.allocate(4), four);
  alloc.deallocate(five, 7);
  alloc.deallocate(four, 4);
}

TEST(RecyclingAllocator, AShelfOfLargeBlocksHoldsAtMostItsShareOfBytes) {
  if (!recycling::kRecycles) GTEST_SKIP() << "blocks are not recycled under AddressSanitizer";
  struct Kilobyte {
    std::byte bytes[1024];
  };
  RecyclingAllocator<Kilobyte, 64> alloc;
  constexpr std::size_t kKept = recycling::kShelvedBytes / (64 * sizeof(Kilobyte));  // 16 blocks of 64 KiB
  static_assert(kKept > 0 && kKept < recycling::kShelved);
  std::vector<Kilobyte*> burst;
  for (std::size_t i = 0; i < kKept + 4; ++i) burst.push_back(alloc.allocate(64));
  for (Kilobyte* p : burst) alloc.deallocate(p, 64);
  std::vector<Kilobyte*> again;
  for (std::size_t i = 0; i < kKept; ++i) again.push_back(alloc.allocate(64));
  for (std::size_t i = 0; i < kKept; ++i) EXPECT_EQ(again[i], burst[kKept - 1 - i]) << i;
  for (Kilobyte* p : again) alloc.deallocate(p, 64);
}

TEST(RecyclingAllocator, ListsOfAnyLengthWorkAsVectorsDo) {
  List list;
  for (std::uint64_t i = 0; i < 100; ++i) list.push_back({i, i * i});  // through sizes 1 and 2, then the heap
  ASSERT_EQ(list.size(), 100u);
  for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(list[i], (Element{i, i * i}));
  List copy = list;
  EXPECT_EQ(copy, list);
  copy.resize(1);
  copy.shrink_to_fit();
  EXPECT_EQ(copy, (List{{0, 0}}));
}

}  // namespace
}  // namespace fmc

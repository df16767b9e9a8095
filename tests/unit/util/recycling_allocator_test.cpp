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

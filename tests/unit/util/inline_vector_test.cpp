#include "util/inline_vector.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fmc {
namespace {

// An element that counts how many of it are alive (every construction is matched by one destruction).
struct Counted {
  static inline int alive = 0;
  std::string text;
  explicit Counted(std::string t) : text(std::move(t)) { ++alive; }
  Counted(const Counted& o) : text(o.text) { ++alive; }
  Counted(Counted&& o) noexcept : text(std::move(o.text)) { ++alive; }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) noexcept = default;
  ~Counted() { --alive; }
  bool operator==(const Counted& o) const { return text == o.text; }
};
using Three = InlineVector<Counted, 3>;

Three numbered(int n) {
  Three v;
  for (int i = 0; i < n; ++i) v.emplace_back("element number " + std::to_string(i));  // past the string's own SSO
  return v;
}

TEST(InlineVector, KeepsItsFirstElementsInsideThenSpillsToTheHeapInOrder) {
  {
    Three v = numbered(3);
    EXPECT_TRUE(v.is_inline());
    v.emplace_back("fourth");
    EXPECT_FALSE(v.is_inline());
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v.front().text, "element number 0");
    EXPECT_EQ(v[2].text, "element number 2");
    EXPECT_EQ(v.back().text, "fourth");
    EXPECT_THROW(v.at(4), std::out_of_range);
    EXPECT_EQ(Counted::alive, 4);
  }
  EXPECT_EQ(Counted::alive, 0);
}

TEST(InlineVector, MovesAndCopiesInlineAndHeapContentsAlike) {
  for (const int n : {2, 5}) {
    {
      Three original = numbered(n);
      const Three copy = original;
      EXPECT_EQ(copy, original);
      Three moved = std::move(original);
      EXPECT_TRUE(original.empty());  // NOLINT(bugprone-use-after-move): a moved-from list is empty
      EXPECT_EQ(moved, copy);
      Three assigned = numbered(1);
      assigned = std::move(moved);
      EXPECT_EQ(assigned, copy);
      assigned = copy;
      EXPECT_EQ(assigned, copy);
      EXPECT_EQ(Counted::alive, 2 * n);
    }
    EXPECT_EQ(Counted::alive, 0) << n << " elements";
  }
}

TEST(InlineVector, EraseMovesTheRestDown) {
  {
    Three v = numbered(5);
    const auto at = v.erase(v.begin() + 1, v.begin() + 3);
    EXPECT_EQ(at, v.begin() + 1);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].text, "element number 0");
    EXPECT_EQ(v[1].text, "element number 3");
    EXPECT_EQ(v[2].text, "element number 4");
    v.erase(v.begin(), v.end());
    EXPECT_TRUE(v.empty());
    EXPECT_EQ(Counted::alive, 0);
    v.emplace_back("again");  // the buffer it kept is used again
    EXPECT_EQ(v.size(), 1u);
  }
  EXPECT_EQ(Counted::alive, 0);
}

TEST(InlineVector, BuildsFromAListAndComparesByElements) {
  const InlineVector<int, 2> a = {1, 2, 3};
  InlineVector<int, 2> b;
  b.reserve(3);
  for (int x : {1, 2, 3}) b.push_back(x);
  EXPECT_EQ(a, b);
  b.pop_back();
  EXPECT_NE(a, b);
  EXPECT_EQ(b.size(), 2u);
}

// An allocator that records the blocks it hands out and takes back (stateless: the record is shared).
template <class T>
struct Recorded {
  using value_type = T;
  static inline std::vector<std::pair<void*, std::size_t>> given, taken;
  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);
    given.emplace_back(p, n);
    return p;
  }
  void deallocate(T* p, std::size_t n) {
    taken.emplace_back(p, n);
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const Recorded&, const Recorded&) { return true; }
};

TEST(InlineVector, ItsHeapBufferComesFromItsAllocatorAndGoesBackWithItsSize) {
  using Alloc = Recorded<Counted>;
  {
    InlineVector<Counted, 1, Alloc> v;
    v.emplace_back("first, inline");
    EXPECT_TRUE(Alloc::given.empty());
    v.reserve(5);
    v.emplace_back("second");
    InlineVector<Counted, 1, Alloc> moved = std::move(v);  // the buffer changes hands, not allocators
    ASSERT_EQ(Alloc::given.size(), 1u);
    EXPECT_EQ(Alloc::given[0].second, 5u);
    EXPECT_TRUE(Alloc::taken.empty());
    EXPECT_EQ(moved.size(), 2u);
    EXPECT_EQ(moved[1].text, "second");
  }
  EXPECT_EQ(Alloc::taken, Alloc::given);  // the block it was given, with the length it was asked for
  EXPECT_EQ(Counted::alive, 0);
}

}  // namespace
}  // namespace fmc

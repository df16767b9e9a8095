#include "util/huge_pages.hpp"

#include <gtest/gtest.h>

namespace fmc {
namespace {

using Step = HugePagePlan::Step;

TEST(HugePages, WhereTheKernelGivesThemOnRequestTheProgramStartsAgainAskingForThem) {
  const auto plan = plan_huge_pages("always [madvise] never\n", nullptr, nullptr);
  EXPECT_EQ(plan.step, Step::kRestart);
  EXPECT_EQ(plan.tunables, "glibc.malloc.hugetlb=1");
}

TEST(HugePages, TheOperatorsOtherTunablesAreKept) {
  const auto plan =
      plan_huge_pages("always [madvise] never\n", "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0", nullptr);
  EXPECT_EQ(plan.step, Step::kRestart);
  EXPECT_EQ(plan.tunables, "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0:glibc.malloc.hugetlb=1");
}

TEST(HugePages, OnceAskedTheProgramDoesNotStartAgain) {
  EXPECT_EQ(plan_huge_pages("always [madvise] never\n", "glibc.malloc.hugetlb=1", nullptr).step, Step::kAsked);
  EXPECT_EQ(
      plan_huge_pages("always [madvise] never\n", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", nullptr).step,
      Step::kAsked);
}

TEST(HugePages, AnOperatorsOtherValueIsAnOptOut) {
  EXPECT_EQ(plan_huge_pages("always [madvise] never\n", "glibc.malloc.hugetlb=0", nullptr).step, Step::kOptedOut);
  EXPECT_EQ(plan_huge_pages("[always] madvise never\n", "glibc.malloc.hugetlb=2", nullptr).step, Step::kOptedOut);
  // A tunable whose name only contains it is another tunable.
  EXPECT_EQ(plan_huge_pages("always [madvise] never\n", "x.glibc.malloc.hugetlb=0", nullptr).step, Step::kRestart);
}

TEST(HugePages, NothingToAskForWhereTheKernelGivesThemAlwaysOrNever) {
  EXPECT_EQ(plan_huge_pages("[always] madvise never\n", nullptr, nullptr).step, Step::kAlways);
  EXPECT_EQ(plan_huge_pages("always madvise [never]\n", nullptr, nullptr).step, Step::kUnavailable);
  EXPECT_EQ(plan_huge_pages("", nullptr, nullptr).step, Step::kUnavailable);  // no transparent huge pages at all
}

TEST(HugePages, UnderValgrindTheProgramDoesNotStartAgain) {
  // Its allocator replaces malloc, and the restarted program would run outside it.
  const char* valgrind =
      "/usr/libexec/valgrind/vgpreload_core-amd64-linux.so:/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";
  EXPECT_EQ(plan_huge_pages("always [madvise] never\n", nullptr, valgrind).step, Step::kNotGlibc);
  EXPECT_EQ(plan_huge_pages("always [madvise] never\n", nullptr, "/usr/lib/libfoo.so").step, Step::kRestart);
}

}  // namespace
}  // namespace fmc

#include "util/huge_pages.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace fmc {

namespace {
constexpr std::string_view kTunable = "glibc.malloc.hugetlb";

// The value of `name` in a GLIBC_TUNABLES list ("a.b.c=1:d.e.f=2"), if it is there.
std::optional<std::string_view> tunable(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    const auto end = list.find(':');
    const auto item = list.substr(0, end);
    if (const auto eq = item.find('='); eq != std::string_view::npos && item.substr(0, eq) == name)
      return item.substr(eq + 1);
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return std::nullopt;
}
}  // namespace

HugePagePlan plan_huge_pages(std::string_view thp_enabled, const char* glibc_tunables, const char* ld_preload) {
  using Step = HugePagePlan::Step;
  if (ld_preload && std::string_view(ld_preload).find("vgpreload") != std::string_view::npos)
    return {Step::kNotGlibc, {}};
  const std::string_view tunables = glibc_tunables ? glibc_tunables : "";
  if (const auto value = tunable(tunables, kTunable)) return {*value == "1" ? Step::kAsked : Step::kOptedOut, {}};
  if (thp_enabled.find("[always]") != std::string_view::npos) return {Step::kAlways, {}};
  if (thp_enabled.find("[madvise]") == std::string_view::npos) return {Step::kUnavailable, {}};
  std::string with(tunables);
  if (!with.empty()) with += ':';
  with.append(kTunable).append("=1");
  return {Step::kRestart, std::move(with)};
}

std::string heap_on_huge_pages(char** argv) {
  using Step = HugePagePlan::Step;
#if defined(__SANITIZE_ADDRESS__)
  return "heap from the address sanitizer's allocator";  // it replaces malloc: the tunable would change nothing
#endif
  std::ostringstream mode;
  mode << std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").rdbuf();
  const auto plan = plan_huge_pages(mode.str(), std::getenv("GLIBC_TUNABLES"), std::getenv("LD_PRELOAD"));
  switch (plan.step) {
    case Step::kAsked: return "heap on transparent huge pages (glibc.malloc.hugetlb=1)";
    case Step::kAlways: return "heap on transparent huge pages (the kernel's mode is \"always\")";
    case Step::kUnavailable: return "heap on small pages (the kernel gives no transparent huge pages)";
    case Step::kOptedOut: return "heap pages as GLIBC_TUNABLES sets glibc.malloc.hugetlb (not 1)";
    case Step::kNotGlibc: return "heap from valgrind's allocator";
    case Step::kRestart: break;
  }
  if (setenv("GLIBC_TUNABLES", plan.tunables.c_str(), 1) == 0) execv("/proc/self/exe", argv);
  return std::string("heap on small pages (starting again with glibc.malloc.hugetlb=1 failed: ") +
         std::strerror(errno) + ")";
}

}  // namespace fmc

#pragma once
// Transparent huge pages for the heap. At millions of endpoints a move reads a
// few lines scattered over hundreds of MiB of tables (its endpoint, the indexes
// by MAC, address and name, its sites' and switches' records): far more 4 KiB
// pages than a TLB covers, far fewer 2 MiB ones. Where the kernel gives huge
// pages only to memory that asks for them (transparent_hugepage "madvise",
// Debian's default), glibc's malloc asks for them when its tunable
// glibc.malloc.hugetlb=1 is set, and it reads its tunables only when the program
// starts: so the program starts itself again, once, with the tunable added (same
// PID, arguments and environment otherwise; the programs it starts inherit the
// tunable). GLIBC_TUNABLES=glibc.malloc.hugetlb=0 opts out; under valgrind or
// the address sanitizer, whose allocators replace malloc, nothing changes.
#include <string>
#include <string_view>

namespace fmc {

struct HugePagePlan {
  enum class Step {
    kAsked,        // the tunable is set to ask for them: the heap asks
    kAlways,       // the kernel backs every large enough mapping with huge pages anyway
    kUnavailable,  // the kernel's mode is "never", or it has no transparent huge pages
    kOptedOut,     // glibc.malloc.hugetlb is set to something else (0: small pages, 2: hugetlbfs pages)
    kNotGlibc,     // the heap is valgrind's (it replaces malloc; a restart would run outside it)
    kRestart,      // start again with `tunables` as GLIBC_TUNABLES
  };
  Step step;
  std::string tunables;  // kRestart only
};

// Pure: the step for the kernel's mode (the text of
// /sys/kernel/mm/transparent_hugepage/enabled, e.g. "always [madvise] never";
// empty if unreadable) and this process's GLIBC_TUNABLES and LD_PRELOAD
// (nullptr if unset).
HugePagePlan plan_huge_pages(std::string_view thp_enabled, const char* glibc_tunables, const char* ld_preload);

// Call first thing in main, before any thread or file is opened: restarts the
// program (execv of /proc/self/exe with `argv`) when the plan says so, except in
// a build with the address sanitizer. Returns
// what the heap uses, for the log; if the restart fails it says why and the
// program goes on with small pages.
std::string heap_on_huge_pages(char** argv);

}  // namespace fmc

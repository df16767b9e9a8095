#include "heap_meter.hpp"

#include <malloc.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {
using fmc::scale::Account;

// Each block starts with a header naming its account (16 bytes keep the alignment);
// the header is the meter's, not counted.
constexpr std::size_t kHeader = 16;
std::atomic<std::size_t> in_use[3];
thread_local Account charged = Account::kController;

void* take(std::size_t n) {
  auto* base = static_cast<std::uint8_t*>(std::malloc(n + kHeader));
  if (!base) throw std::bad_alloc();
  *reinterpret_cast<Account*>(base) = charged;
  if (charged == Account::kUnmetered) return base + kHeader;
  in_use[static_cast<int>(charged)].fetch_add(malloc_usable_size(base) - kHeader, std::memory_order_relaxed);
  return base + kHeader;
}
void give(void* p) noexcept {
  if (!p) return;
  auto* base = static_cast<std::uint8_t*>(p) - kHeader;
  const Account account = *reinterpret_cast<Account*>(base);
  if (account != Account::kUnmetered)
    in_use[static_cast<int>(account)].fetch_sub(malloc_usable_size(base) - kHeader, std::memory_order_relaxed);
  std::free(base);
}
}  // namespace

void* operator new(std::size_t n) { return take(n); }
void* operator new[](std::size_t n) { return take(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try { return take(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try { return take(n); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { give(p); }
void operator delete[](void* p) noexcept { give(p); }
void operator delete(void* p, std::size_t) noexcept { give(p); }
void operator delete[](void* p, std::size_t) noexcept { give(p); }

namespace fmc::scale {
std::size_t heap_in_use(Account a) { return in_use[static_cast<int>(a)].load(std::memory_order_relaxed); }
Charge::Charge(Account a) : previous_(charged) { charged = a; }
Charge::~Charge() { charged = previous_; }
}  // namespace fmc::scale

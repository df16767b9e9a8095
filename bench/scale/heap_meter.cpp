#include "heap_meter.hpp"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {
using fmc::scale::Account;

// Each block starts with a header naming its account (16 bytes keep the alignment, or the
// alignment asked for if it is larger); the header is the meter's, not counted.
constexpr std::size_t kHeader = 16;
std::atomic<std::size_t> in_use[3];
thread_local Account charged = Account::kController;

std::size_t header(std::align_val_t a) { return std::max(kHeader, static_cast<std::size_t>(a)); }

void* take(std::size_t n, std::align_val_t align = std::align_val_t{kHeader}) {
  const std::size_t a = static_cast<std::size_t>(align), h = header(align);
  auto* base = static_cast<std::uint8_t*>(a <= kHeader ? std::malloc(n + h) : std::aligned_alloc(a, (n + h + a - 1) / a * a));
  if (!base) throw std::bad_alloc();
  *reinterpret_cast<Account*>(base) = charged;
  if (charged != Account::kUnmetered)
    in_use[static_cast<int>(charged)].fetch_add(malloc_usable_size(base) - h, std::memory_order_relaxed);
  return base + h;
}
void give(void* p, std::align_val_t align = std::align_val_t{kHeader}) noexcept {
  if (!p) return;
  const std::size_t h = header(align);
  auto* base = static_cast<std::uint8_t*>(p) - h;
  const Account account = *reinterpret_cast<Account*>(base);
  if (account != Account::kUnmetered)
    in_use[static_cast<int>(account)].fetch_sub(malloc_usable_size(base) - h, std::memory_order_relaxed);
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
// Over-aligned types (a site's record, an endpoint's) are metered too.
void* operator new(std::size_t n, std::align_val_t a) { return take(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return take(n, a); }
void operator delete(void* p, std::align_val_t a) noexcept { give(p, a); }
void operator delete[](void* p, std::align_val_t a) noexcept { give(p, a); }
void operator delete(void* p, std::size_t, std::align_val_t a) noexcept { give(p, a); }
void operator delete[](void* p, std::size_t, std::align_val_t a) noexcept { give(p, a); }

namespace fmc::scale {
std::size_t heap_in_use(Account a) { return in_use[static_cast<int>(a)].load(std::memory_order_relaxed); }
Charge::Charge(Account a) : previous_(charged) { charged = a; }
Charge::~Charge() { charged = previous_; }
}  // namespace fmc::scale

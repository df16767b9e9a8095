#pragma once
// An allocator for short lists that are made and dropped by the dozen per
// event: a flow-mod's instruction list (one or two instructions), of which a
// move builds about eight and frees them all once its effects are carried out.
// Blocks of up to `Most` elements go back to a per-thread shelf, one per size,
// instead of to malloc (whose per-size cache holds seven); the next list of that
// size takes one from the shelf. Each shelf holds at most kShelved blocks, so a
// burst returns its excess to the heap. Longer lists use the heap directly.
// Stateless: any two allocators are equal, and a block may be freed on any thread.
// Under AddressSanitizer every block goes to the heap, so misuse stays visible.
#include <array>
#include <cstddef>
#include <new>
#include <utility>

namespace fmc {

namespace recycling {
inline constexpr std::size_t kShelved = 256;  // blocks kept per size and thread
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRecycles = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kRecycles = false;
#else
inline constexpr bool kRecycles = true;
#endif
#else
inline constexpr bool kRecycles = true;
#endif

// The free blocks of one size, linked through their first bytes.
struct Shelf {
  struct Free {
    Free* next;
  };
  Free* top = nullptr;
  std::size_t count = 0;

  Shelf() = default;
  Shelf(const Shelf&) = delete;
  Shelf& operator=(const Shelf&) = delete;
  // Empties the shelf and keeps it full: a block freed later in the thread's exit (by another
  // thread-local or static object) goes straight back to the heap.
  ~Shelf() {
    while (top) ::operator delete(std::exchange(top, top->next));
    count = kShelved;
  }
  void* take(std::size_t bytes) {
    if (!top) return ::operator new(bytes);
    --count;
    return std::exchange(top, top->next);
  }
  void give(void* p) noexcept {
    if (count == kShelved) return ::operator delete(p);
    top = ::new (p) Free{top};
    ++count;
  }
};
}  // namespace recycling

template <class T, std::size_t Most = 2>
struct RecyclingAllocator {
  static_assert(sizeof(T) >= sizeof(void*) && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  using value_type = T;

  RecyclingAllocator() noexcept = default;
  template <class U>
  RecyclingAllocator(const RecyclingAllocator<U, Most>&) noexcept {}  // NOLINT: rebinding
  template <class U>
  struct rebind {
    using other = RecyclingAllocator<U, Most>;
  };

  T* allocate(std::size_t n) {
    if (!recycling::kRecycles || n == 0 || n > Most) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(shelves()[n - 1].take(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (!recycling::kRecycles || n == 0 || n > Most) return ::operator delete(p);
    shelves()[n - 1].give(p);
  }
  friend bool operator==(const RecyclingAllocator&, const RecyclingAllocator&) { return true; }

 private:
  static std::array<recycling::Shelf, Most>& shelves() {
    thread_local std::array<recycling::Shelf, Most> s;
    return s;
  }
};

}  // namespace fmc

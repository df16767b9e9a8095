#pragma once
// An allocator for lists that are made and dropped per event: a flow-mod's
// instruction list (one or two instructions), of which a move builds about
// eight, and the list of a move's forty-odd messages, all freed once the
// move's effects are carried out. Blocks of up to `Most` elements (a power of
// two) are made in power-of-two size classes and go back to a per-thread shelf,
// one per class, instead of to malloc (whose per-size cache holds seven and
// stops at 1 KiB); the next list of that class takes one from the shelf. Each
// shelf holds at most kShelved blocks and kShelvedBytes, so a burst returns its
// excess to the heap. Longer lists use the heap directly.
// Stateless: any two allocators are equal, and a block may be freed on any thread.
// Under AddressSanitizer every block goes to the heap, so misuse stays visible.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <new>
#include <utility>

namespace fmc {

namespace recycling {
inline constexpr std::size_t kShelved = 256;            // blocks kept per class and thread
inline constexpr std::size_t kShelvedBytes = 1u << 20;  // ... and at most this many bytes of them
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

// The free blocks of one size class, linked through their first bytes.
struct Shelf {
  struct Free {
    Free* next;
  };
  Free* top = nullptr;
  std::size_t count = 0;
  const std::size_t most;  // blocks it keeps: kShelved, fewer if they would pass kShelvedBytes

  explicit Shelf(std::size_t block_bytes) : most(std::clamp<std::size_t>(kShelvedBytes / block_bytes, 1, kShelved)) {}
  Shelf(const Shelf&) = delete;
  Shelf& operator=(const Shelf&) = delete;
  // Empties the shelf and keeps it full: a block freed later in the thread's exit (by another
  // thread-local or static object) goes straight back to the heap.
  ~Shelf() {
    while (top) ::operator delete(std::exchange(top, top->next));
    count = most;
  }
  void* take(std::size_t bytes) {
    if (!top) return ::operator new(bytes);
    --count;
    return std::exchange(top, top->next);
  }
  void give(void* p) noexcept {
    if (count == most) return ::operator delete(p);
    top = ::new (p) Free{top};
    ++count;
  }
};
}  // namespace recycling

template <class T, std::size_t Most = 2>
struct RecyclingAllocator {
  static_assert(sizeof(T) >= sizeof(void*) && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  static_assert(std::has_single_bit(Most));
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
    return static_cast<T*>(shelves()[size_class(n)].take(std::bit_ceil(n) * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (!recycling::kRecycles || n == 0 || n > Most) return ::operator delete(p);
    shelves()[size_class(n)].give(p);
  }
  friend bool operator==(const RecyclingAllocator&, const RecyclingAllocator&) { return true; }

 private:
  static constexpr std::size_t kClasses = std::bit_width(Most);  // 1, 2, 4, ..., Most elements
  // The class of a block of n elements: that of the least power of two >= n.
  static std::size_t size_class(std::size_t n) noexcept { return std::bit_width(n - 1); }
  static std::array<recycling::Shelf, kClasses>& shelves() {
    thread_local std::array<recycling::Shelf, kClasses> s = []<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<recycling::Shelf, kClasses>{recycling::Shelf((std::size_t{1} << I) * sizeof(T))...};
    }(std::make_index_sequence<kClasses>{});
    return s;
  }
};

}  // namespace fmc

#pragma once
// A vector whose first N elements live inside it: the short lists a flow is
// made of (one to four actions, one or two instructions) need no allocation,
// and a move builds dozens of flows. Longer lists (decoded from a peer) go to
// the heap as in std::vector. Iterators are pointers; they are invalidated by
// growth as std::vector's are, and by moving the vector while it is inline.
// `Alloc` gives the heap buffer (a recycling one for lists made and dropped per
// event); it must be stateless.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace fmc {

template <class T, std::size_t N, class Alloc = std::allocator<T>>
class InlineVector {
  static_assert(N > 0);
  static_assert(std::is_empty_v<Alloc> && std::allocator_traits<Alloc>::is_always_equal::value);

 public:
  using value_type = T;
  using size_type = std::size_t;
  using reference = T&;
  using const_reference = const T&;
  using iterator = T*;
  using const_iterator = const T*;

  InlineVector() noexcept {}  // the inline buffer stays raw until used
  InlineVector(std::initializer_list<T> items) { assign(items.begin(), items.end()); }
  InlineVector(const InlineVector& other) { assign(other.begin(), other.end()); }
  InlineVector(InlineVector&& other) noexcept { take(other); }
  InlineVector& operator=(const InlineVector& other) {
    if (this != &other) {
      clear();
      assign(other.begin(), other.end());
    }
    return *this;
  }
  InlineVector& operator=(InlineVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~InlineVector() { release(); }

  iterator begin() noexcept { return data_; }
  iterator end() noexcept { return data_ + size_; }
  const_iterator begin() const noexcept { return data_; }
  const_iterator end() const noexcept { return data_ + size_; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  // True while the elements are inside the vector (no heap buffer).
  bool is_inline() const noexcept { return capacity_ == N; }  // a heap buffer is always larger

  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T& at(std::size_t i) { return i < size_ ? data_[i] : out_of_range(); }
  const T& at(std::size_t i) const { return i < size_ ? data_[i] : out_of_range(); }
  T& front() noexcept { return data_[0]; }
  const T& front() const noexcept { return data_[0]; }
  T& back() noexcept { return data_[size_ - 1]; }
  const T& back() const noexcept { return data_[size_ - 1]; }

  void reserve(std::size_t n) {
    if (n > capacity_) grow_to(n);
  }
  template <class... A>
  T& emplace_back(A&&... args) {
    if (size_ == capacity_) grow_to(std::size_t{capacity_} * 2);
    T* at = ::new (static_cast<void*>(data_ + size_)) T(std::forward<A>(args)...);
    ++size_;
    return *at;
  }
  void push_back(const T& x) { emplace_back(x); }
  void push_back(T&& x) { emplace_back(std::move(x)); }
  void pop_back() noexcept { std::destroy_at(data_ + --size_); }
  // Removes [first, last), the elements after it moved down; returns where they now start.
  iterator erase(const_iterator first, const_iterator last) {
    T* to = data_ + (first - data_);
    T* const new_end = std::move(data_ + (last - data_), end(), to);
    std::destroy(new_end, end());
    size_ = static_cast<std::uint32_t>(new_end - data_);
    return to;
  }
  void clear() noexcept {
    std::destroy(begin(), end());
    size_ = 0;
  }

  friend bool operator==(const InlineVector& a, const InlineVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  T* local() noexcept { return std::launder(reinterpret_cast<T*>(storage_)); }
  const T* local() const noexcept { return std::launder(reinterpret_cast<const T*>(storage_)); }
  [[noreturn]] static T& out_of_range() { throw std::out_of_range("InlineVector::at"); }

  template <class It>
  void assign(It first, It last) {
    reserve(static_cast<std::size_t>(last - first));
    std::uninitialized_copy(first, last, data_);
    size_ = static_cast<std::uint32_t>(last - first);
  }
  void grow_to(std::size_t n) {
    static_assert(std::is_nothrow_move_constructible_v<T> && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    if (n > UINT32_MAX) throw std::length_error("InlineVector too long");
    T* bigger = Alloc().allocate(n);
    std::uninitialized_move(begin(), end(), bigger);
    std::destroy(begin(), end());
    free_heap();
    data_ = bigger;
    capacity_ = static_cast<std::uint32_t>(n);
  }
  void free_heap() noexcept {
    if (!is_inline()) Alloc().deallocate(data_, capacity_);
  }
  // Destroys everything and goes back to the inline buffer.
  void release() noexcept {
    clear();
    free_heap();
    data_ = local();
    capacity_ = N;
  }
  // `other`'s elements, leaving it empty: its heap buffer taken whole, inline ones moved one by one.
  void take(InlineVector& other) noexcept {
    if (!other.is_inline()) {
      data_ = std::exchange(other.data_, other.local());
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, N);
      return;
    }
    std::uninitialized_move(other.begin(), other.end(), data_);
    size_ = other.size_;
    other.clear();
  }

  alignas(T) std::byte storage_[N * sizeof(T)];
  T* data_ = reinterpret_cast<T*>(storage_);
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = N;
};

}  // namespace fmc

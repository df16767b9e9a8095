#pragma once
// A growable array whose elements never move: they live in chunks of
// `kChunk`, so pointers to them stay valid as it grows, with no allocation
// per element (a std::deque of large elements allocates a block every few).
#include <cstddef>
#include <memory>
#include <vector>

namespace fmc {

template <class T, std::size_t kChunk = 1024>
class StableVector {
 public:
  T& emplace_back() {
    if (size_ % kChunk == 0) chunks_.push_back(std::make_unique<T[]>(kChunk));
    return chunks_.back()[size_++ % kChunk];
  }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  std::size_t size() const { return size_; }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace fmc

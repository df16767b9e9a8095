#pragma once
// Bytes in use on the heap, as measured by the process's own operator new and
// delete (heap_meter.cpp replaces them), in separate accounts: the harness
// reads the controller's account before and after building its state to get
// what that state really allocates, while its own bookkeeping (the rule
// censuses, the model's growth) is charged elsewhere. Each block counts its
// usable size, so allocator rounding is included. Blocks charged to
// kUnmetered are not counted at all: the timed move path runs without the
// meter's own cost (an atomic add and a size lookup per allocation).
#include <cstddef>

namespace fmc::scale {

enum class Account { kController = 0, kCensus = 1, kModel = 2, kUnmetered = 3 };
std::size_t heap_in_use(Account a);

// Charges what this thread allocates to `a` while it lives.
class Charge {
 public:
  explicit Charge(Account a);
  ~Charge();
  Charge(const Charge&) = delete;
  Charge& operator=(const Charge&) = delete;

 private:
  Account previous_;
};

}  // namespace fmc::scale

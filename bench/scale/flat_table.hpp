#pragma once
// Open addressing for the rule censuses' tables (tens of millions of rules at
// 10M users): slots in one array, no node per entry. A slot type has an `id`
// (0: empty, 1: erased, else live) and the table is told each entry's hash;
// several entries may share a hash (a multimap). Linear probing over any
// number of slots (a hash maps to a slot by multiplication, not a mask), kept
// 70-85% full: memory per entry is what a census of 10M users can afford.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace fmc::scale {

inline std::uint64_t mix(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  return k;
}

template <class Slot, class HashOf>
class FlatTable {
 public:
  static constexpr std::uint64_t kEmpty = 0, kGone = 1;

  // Calls `visit(slot)` for each live slot from `hash`'s home until an empty
  // one; `visit` returns true to stop.
  template <class Visit>
  void probe(std::uint64_t hash, Visit&& visit) {
    if (slots_.empty()) return;
    for (std::size_t i = home(hash);; i = next(i)) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) return;
      if (s.id != kGone && visit(s)) return;
    }
  }
  // A new entry at `hash` (filled in by the caller, who must set a live id).
  Slot& insert(std::uint64_t hash) {
    if ((used_ + 1) * 20 > slots_.size() * 17) rebuild();
    std::size_t i = home(hash);
    while (slots_[i].id != kEmpty && slots_[i].id != kGone) i = next(i);
    used_ += slots_[i].id == kEmpty;
    ++live_;
    return slots_[i];
  }
  void erase(Slot& s) {
    s.id = kGone;
    --live_;
  }
  std::size_t size() const { return live_; }

 private:
  std::size_t home(std::uint64_t hash) const {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::size_t>((static_cast<Wide>(hash) * slots_.size()) >> 64);
  }
  std::size_t next(std::size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  void rebuild() {  // erased slots dropped; 70% full after
    const std::size_t capacity = std::max<std::size_t>(16, (live_ + 1) * 10 / 7 + 1);
    std::vector<Slot> old(capacity, Slot{});
    old.swap(slots_);
    used_ = live_;
    for (const Slot& s : old) {
      if (s.id == kEmpty || s.id == kGone) continue;
      std::size_t i = home(HashOf{}(s));
      while (slots_[i].id != kEmpty) i = next(i);
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t live_ = 0, used_ = 0;
};

}  // namespace fmc::scale

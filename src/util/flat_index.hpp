#pragma once
// An open-addressing hash index from a key to a number (an entry's position
// in the caller's own list): the Location Manager's lookups by name, MAC and
// address at millions of endpoints, the network model's by DPID. One 8-byte
// slot per entry at a load of 3/8 to 3/4 (a node-based map costs ~40-50
// bytes per entry), no allocation per insert, one cache line per lookup. The
// index does not keep keys: a slot holds a 32-bit tag (the key's hash, or the
// key itself when it is 32 bits) and the number; the caller confirms a
// candidate (`is`), or passes `any` when the tag is the key.
#include <cstdint>
#include <vector>

namespace fmc {

class FlatIndex {
 public:
  static constexpr std::uint32_t kNone = ~0u;
  static constexpr auto any = [](std::uint32_t) { return true; };

  // The number of the entry with this tag that `is` confirms, or kNone.
  template <class Is>
  std::uint32_t find(std::uint32_t tag, Is&& is) const {
    const std::size_t i = locate(tag, is);
    return i == kNowhere ? kNone : slots_[i].number;
  }
  // The entry with this tag that `is` confirms now names `number`; added if there is none.
  template <class Is>
  void set(std::uint32_t tag, std::uint32_t number, Is&& is) {
    if (const std::size_t at = locate(tag, is); at != kNowhere) {
      slots_[at].number = number;
      return;
    }
    if ((used_ + 1) * 4 > slots_.size() * 3) rebuild();
    std::size_t i = home(tag);
    while (slots_[i].number != kEmpty && slots_[i].number != kGone) i = (i + 1) & mask();
    used_ += slots_[i].number == kEmpty;
    slots_[i] = {tag, number};
    ++size_;
  }
  template <class Is>
  bool erase(std::uint32_t tag, Is&& is) {
    const std::size_t at = locate(tag, is);
    if (at == kNowhere) return false;
    slots_[at].number = kGone;
    --size_;
    return true;
  }
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint32_t tag, number;
  };
  static constexpr std::uint32_t kEmpty = ~0u, kGone = ~0u - 1;  // no entry has these numbers

  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(std::uint32_t tag) const {
    return static_cast<std::size_t>((std::uint64_t{tag} * 0x9E3779B97F4A7C15ull) >> 32) & mask();
  }
  static constexpr std::size_t kNowhere = ~std::size_t{0};
  template <class Is>
  std::size_t locate(std::uint32_t tag, Is&& is) const {
    if (slots_.empty()) return kNowhere;
    for (std::size_t i = home(tag);; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.number == kEmpty) return kNowhere;
      if (s.number != kGone && s.tag == tag && is(s.number)) return i;
    }
  }
  // Drops the erased slots and doubles the table if it is over half full.
  void rebuild() {
    std::size_t capacity = 16;
    while ((size_ + 1) * 2 > capacity) capacity *= 2;
    std::vector<Slot> old(capacity, Slot{0, kEmpty});
    old.swap(slots_);
    used_ = size_;
    for (const Slot& s : old) {
      if (s.number == kEmpty || s.number == kGone) continue;
      std::size_t i = home(s.tag);
      while (slots_[i].number != kEmpty) i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0, used_ = 0;  // live entries; live and erased slots
};

}  // namespace fmc

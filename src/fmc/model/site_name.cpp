#include "fmc/model/site_name.hpp"

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

namespace fmc {

std::atomic<const std::string*> SiteName::blocks[SiteName::kMaxNames / SiteName::kBlock];

// The table of names: by text, for interning; the texts themselves in SiteName::blocks.
struct SiteNames {
  std::shared_mutex mu;
  std::unordered_map<std::string_view, std::uint32_t> by_text;  // views of the blocks' texts

  SiteNames() { add(""); }

  std::uint32_t add(std::string_view text) {
    const auto number = static_cast<std::uint32_t>(by_text.size());
    auto& block = SiteName::blocks[number >> SiteName::kBlockBits];
    std::string* texts = const_cast<std::string*>(block.load(std::memory_order_relaxed));
    if (!texts) {
      texts = std::make_unique<std::string[]>(SiteName::kBlock).release();  // never freed, as names outlive all
      block.store(texts, std::memory_order_release);
    }
    std::string& slot = texts[number & (SiteName::kBlock - 1)];
    slot = text;
    by_text.emplace(slot, number);
    return number;
  }
};

namespace {

SiteNames& names() {
  static SiteNames* n = new SiteNames();  // never destroyed: names outlive every static that holds one
  return *n;
}

}  // namespace

SiteName::SiteName() { names(); }

SiteName::SiteName(std::string_view text) {
  SiteNames& n = names();
  {
    std::shared_lock lock(n.mu);
    if (auto it = n.by_text.find(text); it != n.by_text.end()) {
      number_ = it->second;
      return;
    }
  }
  std::unique_lock lock(n.mu);
  if (auto it = n.by_text.find(text); it != n.by_text.end()) {
    number_ = it->second;
    return;
  }
  if (n.by_text.size() >= kMaxNames) throw std::length_error("more than " + std::to_string(kMaxNames) + " distinct site names");
  number_ = n.add(text);
}

}  // namespace fmc

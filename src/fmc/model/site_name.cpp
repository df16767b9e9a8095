#include "fmc/model/site_name.hpp"

#include <deque>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

namespace fmc {

namespace {

struct Names {
  std::shared_mutex mu;
  std::deque<SiteName::Interned> entries;  // an entry's address never changes
  std::unordered_map<std::string_view, const SiteName::Interned*> by_text;  // views of the entries' texts
  const SiteName::Interned* empty = add("");

  const SiteName::Interned* add(std::string_view text) {
    const auto& e = entries.emplace_back(SiteName::Interned{std::string(text), std::uint32_t(entries.size())});
    by_text.emplace(e.text, &e);
    return &e;
  }
};

Names& names() {
  static Names* n = new Names();  // never destroyed: names outlive every static that holds one
  return *n;
}

}  // namespace

SiteName::SiteName() : text_(names().empty) {}

SiteName::SiteName(std::string_view text) {
  Names& n = names();
  {
    std::shared_lock lock(n.mu);
    if (auto it = n.by_text.find(text); it != n.by_text.end()) {
      text_ = it->second;
      return;
    }
  }
  std::unique_lock lock(n.mu);
  if (auto it = n.by_text.find(text); it != n.by_text.end()) {
    text_ = it->second;
    return;
  }
  if (n.entries.size() >= kMaxNames)
    throw std::length_error("more than " + std::to_string(kMaxNames) + " distinct site names");
  text_ = n.add(text);
}

}  // namespace fmc

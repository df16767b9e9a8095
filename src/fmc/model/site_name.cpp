#include "fmc/model/site_name.hpp"

#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_set>

namespace fmc {

namespace {

// Found by the text as it comes (no copy made to look it up).
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Names {
  std::shared_mutex mu;
  std::unordered_set<std::string, TextHash, std::equal_to<>> texts;  // nodes: a text's address never changes
  const std::string* empty = &*texts.insert("").first;
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
    if (auto it = n.texts.find(text); it != n.texts.end()) {
      text_ = &*it;
      return;
    }
  }
  std::unique_lock lock(n.mu);
  if (n.texts.size() >= kMaxNames && !n.texts.contains(text))
    throw std::length_error("more than " + std::to_string(kMaxNames) + " distinct site names");
  text_ = &*n.texts.emplace(text).first;
}

}  // namespace fmc

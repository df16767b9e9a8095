#include "fmc/model/site_name.hpp"

#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_set>

namespace fmc {

namespace {

struct Names {
  std::shared_mutex mu;
  std::unordered_set<std::string> texts;  // nodes: a text's address never changes
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
  const std::string key(text);
  {
    std::shared_lock lock(n.mu);
    if (auto it = n.texts.find(key); it != n.texts.end()) {
      text_ = &*it;
      return;
    }
  }
  std::unique_lock lock(n.mu);
  if (n.texts.size() >= kMaxNames && !n.texts.count(key))
    throw std::length_error("more than " + std::to_string(kMaxNames) + " distinct site names");
  text_ = &*n.texts.insert(key).first;
}

}  // namespace fmc

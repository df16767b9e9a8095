#pragma once
// A hash map keyed by name that is searched with any string_view (no
// std::string made to look a name up).
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fmc {

struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class V>
using ByName = std::unordered_map<std::string, V, NameHash, std::equal_to<>>;

}  // namespace fmc

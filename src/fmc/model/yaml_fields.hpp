#pragma once
// Reading one YAML field at a time for the configuration loader: each reader
// checks the node's shape and value and, if it is wrong, throws Invalid with
// the file, line and column and what was expected. The section parsers
// (config_yaml.cpp) are built from these; the public functions turn Invalid
// into a value.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

#include "fmc/model/config_yaml.hpp"
#include "net/address.hpp"

namespace fmc::model {

// Thrown by the readers only; never leaves the loader.
struct Invalid {
  ConfigError error;
};

class YamlFields {
 public:
  explicit YamlFields(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    const auto mark = at.Mark();
    throw Invalid{ConfigError{file_, mark.is_null() ? 0 : mark.line + 1, mark.is_null() ? 0 : mark.column + 1, message}};
  }

  void only_keys(const YAML::Node& map, const std::string& what, std::initializer_list<const char*> allowed) const {
    only_keys(map, what, std::span<const char* const>(allowed.begin(), allowed.size()));
  }

  void only_keys(const YAML::Node& map, const std::string& what, std::span<const char* const> allowed) const {
    if (!map.IsMap()) fail(map, what + " must be a mapping");
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      bool known = false;
      for (const char* a : allowed) known |= key == a;
      if (!known) fail(kv.first, "unknown key '" + key + "' in " + what);
    }
  }

  YAML::Node need(const YAML::Node& map, const char* key, const std::string& what) const {
    const YAML::Node n = map[key];
    if (!n) fail(map, what + " needs '" + key + "'");
    return n;
  }

  std::string text(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a scalar");
    return n.as<std::string>();
  }

  net::Ipv4Addr ip(const YAML::Node& n, const std::string& what) const {
    auto v = net::Ipv4Addr::parse(text(n, what));
    if (!v) fail(n, what + ": '" + n.as<std::string>() + "' is not an IPv4 address");
    return *v;
  }

  net::MacAddr mac(const YAML::Node& n, const std::string& what) const {
    auto v = net::MacAddr::parse(text(n, what));
    if (!v) fail(n, what + ": '" + n.as<std::string>() + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    return *v;
  }

  net::Ipv4Prefix prefix(const YAML::Node& n, const std::string& what) const {
    auto v = net::Ipv4Prefix::parse(text(n, what));
    if (!v) fail(n, what + ": '" + n.as<std::string>() + "' is not an IPv4 prefix (a.b.c.d/len, no host bits)");
    return *v;
  }

  std::uint64_t number(const YAML::Node& n, const std::string& what, std::uint64_t max) const {
    const std::string s = text(n, what);
    std::size_t used = 0;
    std::uint64_t v = 0;
    try {
      v = std::stoull(s, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size() || v > max) fail(n, what + ": '" + s + "' is not a number up to " + std::to_string(max));
    return v;
  }

  double real(const YAML::Node& n, const std::string& what) const {
    try {
      return n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, what + ": '" + n.as<std::string>() + "' is not a number");
    }
  }

  bool boolean(const YAML::Node& n, const std::string& what) const {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, what + ": expected true or false");
    }
  }

  YAML::Node sequence(const YAML::Node& root, const char* key, bool required) const {
    const YAML::Node n = root[key];
    if (!n) {
      if (required) fail(root, std::string("the network needs '") + key + "'");
      return YAML::Node(YAML::NodeType::Sequence);
    }
    if (!n.IsSequence()) fail(n, std::string("'") + key + "' must be a list");
    return n;
  }

  double non_negative(const YAML::Node& n, const std::string& what) const {
    const double v = real(n, what);
    if (!(v >= 0) || v > 1e12) fail(n, what + " must be a number from 0 up");
    return v;
  }

  double fraction(const YAML::Node& n, const std::string& what) const {
    const double v = real(n, what);
    if (!(v >= 0 && v <= 1)) fail(n, what + " must be between 0 and 1");
    return v;
  }

 protected:
  std::string file_;
};

}  // namespace fmc::model

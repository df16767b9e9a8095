#pragma once
// Loads and validates the network model from YAML. Every problem is
// reported with the file, line and column it was found at.
#include <string>

#include "fmc/model/network_model.hpp"
#include "util/result.hpp"

namespace fmc::model {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when not tied to a place
  int column = 0;  // 1-based
  std::string message;
  std::string to_string() const;
};

Result<NetworkModel, ConfigError> load_network_yaml(const std::string& path);
// For tests: parse YAML text as if it had been read from `name`.
Result<NetworkModel, ConfigError> parse_network_yaml(const std::string& text, const std::string& name);

}  // namespace fmc::model

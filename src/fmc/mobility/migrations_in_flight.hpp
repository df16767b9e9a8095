#pragma once
// Moves the controller has been told to expect (migrations it ordered, or
// that a hypervisor announced). The Mobility Detector trusts these.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace fmc {

class MigrationsInFlight {
 public:
  void expect(const std::string& endpoint, const std::string& to_site) { expected_[endpoint] = {to_site}; }
  // Where it is is not known (a migration whose end the controller missed): at any of `sites`.
  void expect_any(const std::string& endpoint, std::vector<std::string> sites) { expected_[endpoint] = std::move(sites); }
  bool expected(const std::string& endpoint, const std::string& site) const {
    auto it = expected_.find(endpoint);
    return it != expected_.end() && std::find(it->second.begin(), it->second.end(), site) != it->second.end();
  }
  void done(const std::string& endpoint) { expected_.erase(endpoint); }

 private:
  std::map<std::string, std::vector<std::string>> expected_;
};

}  // namespace fmc

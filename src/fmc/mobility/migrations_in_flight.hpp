#pragma once
// Moves the controller has been told to expect (migrations it ordered, or
// that a hypervisor announced). The Mobility Detector trusts these.
#include <map>
#include <string>

namespace fmc {

class MigrationsInFlight {
 public:
  void expect(const std::string& endpoint, const std::string& to_site) { expected_[endpoint] = to_site; }
  bool expected(const std::string& endpoint, const std::string& site) const {
    auto it = expected_.find(endpoint);
    return it != expected_.end() && it->second == site;
  }
  void done(const std::string& endpoint) { expected_.erase(endpoint); }

 private:
  std::map<std::string, std::string> expected_;
};

}  // namespace fmc

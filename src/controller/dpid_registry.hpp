#pragma once
// Which session owns each DPID, across all workers; applies the
// duplicate-DPID policy.
#include <memory>
#include <mutex>
#include <unordered_map>

#include "controller/config.hpp"
#include "openflow/types.hpp"

namespace fmc::ctl {

class SwitchSession;

class DpidRegistry {
 public:
  struct Claim {
    bool granted = false;
    std::shared_ptr<SwitchSession> displaced;  // to be closed by the caller
  };
  Claim claim(of::Dpid dpid, const std::shared_ptr<SwitchSession>& session, DuplicateDpidPolicy policy);
  void release(of::Dpid dpid, const SwitchSession* session);
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<of::Dpid, std::weak_ptr<SwitchSession>> owners_;
};

}  // namespace fmc::ctl

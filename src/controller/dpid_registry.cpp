#include "controller/dpid_registry.hpp"

namespace fmc::ctl {

DpidRegistry::Claim DpidRegistry::claim(of::Dpid dpid, const std::shared_ptr<SwitchSession>& session,
                                        DuplicateDpidPolicy policy) {
  std::lock_guard lock(mu_);
  auto& owner = owners_[dpid];
  auto current = owner.lock();
  if (!current || current == session) {
    owner = session;
    return {true, nullptr};
  }
  if (policy == DuplicateDpidPolicy::kRejectNew) return {false, nullptr};
  owner = session;
  return {true, std::move(current)};
}

void DpidRegistry::release(of::Dpid dpid, const SwitchSession* session) {
  std::lock_guard lock(mu_);
  auto it = owners_.find(dpid);
  if (it == owners_.end()) return;
  auto current = it->second.lock();
  if (!current || current.get() == session) owners_.erase(it);
}

std::size_t DpidRegistry::size() const {
  std::lock_guard lock(mu_);
  return owners_.size();
}

}  // namespace fmc::ctl

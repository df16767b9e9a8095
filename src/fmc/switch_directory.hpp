#pragma once
// The connected switches, by DPID, for components that act on switches
// other than the one an event came from (the Packet Manipulator).
#include <unordered_map>

#include "controller/app.hpp"

namespace fmc {

class SwitchDirectory final : public ctl::App {
 public:
  std::string_view name() const override { return "switch_directory"; }
  void on_switch_up(ctl::Datapath& dp) override { switches_[dp.dpid()] = &dp; }
  void on_switch_down(of::Dpid dpid) override { switches_.erase(dpid); }
  ctl::Datapath* find(of::Dpid dpid) const {
    auto it = switches_.find(dpid);
    return it == switches_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<of::Dpid, ctl::Datapath*> switches_;
};

}  // namespace fmc

#pragma once
// Network scope (paper §V): each switch belongs to a scope, and one
// controller at a time is master of a scope. This gate sits in front of the
// apps. A switch of a scope this controller masters is told so
// (ROLE_REQUEST MASTER with the scope's generation id) and reaches the
// apps; a switch of any other scope is told we are SLAVE and reaches
// nothing, so a standby's apps stay quiet until it is elected. On election
// the apps get switch-up for the scope's switches (they resync them); on
// losing it, switch-down. A switch without a scope always reaches the apps.
// Who is master is decided elsewhere (an etcd election); the gate is told
// on its loop thread. A switch that reports (ROLE_STATUS) another controller
// took it over with a newer generation is the switch's fence speaking: the
// apps lose that switch at once, before our own lease runs out.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "controller/app.hpp"

namespace fmc::ctl {

class Mastership final : public App {
 public:
  using ScopeOf = std::function<std::string(of::Dpid)>;  // "" = no scope
  Mastership(std::unique_ptr<App> inner, ScopeOf scope_of) : inner_(std::move(inner)), scope_of_(std::move(scope_of)) {}

  // This controller is now master of `scope`, with `generation` (which only grows).
  void elected(const std::string& scope, std::uint64_t generation);
  // Another controller is (or may be) master of `scope`, with `generation`: we are slave.
  void follow(const std::string& scope, std::uint64_t generation);
  bool masters(const std::string& scope) const;

  std::string_view name() const override { return "mastership"; }
  void on_switch_up(Datapath& dp) override;
  void on_switch_down(of::Dpid dpid) override;
  Disposition on_packet_in(Datapath& dp, const of::PacketIn& pi) override;
  void on_port_status(Datapath& dp, const of::PortStatus& ps) override;
  void on_flow_removed(Datapath& dp, const of::FlowRemoved& fr) override;
  void on_error(Datapath& dp, of::Xid xid, const of::ErrorMsg& e) override;
  void on_message(Datapath& dp, of::Xid xid, const of::Message& m) override;

 private:
  struct Scope {
    bool master = false;
    std::uint64_t generation = 0;
  };
  struct Connected {
    Datapath* dp;
    std::string scope;  // looked up once, at switch-up: not on every packet-in
    bool displaced = false;  // the switch told us another controller is its master
  };
  bool ours(of::Dpid dpid) const;
  void tell_role(Datapath& dp, const Scope& s);
  void on_role_status(Datapath& dp, const of::RoleStatus& status);

  std::unique_ptr<App> inner_;
  ScopeOf scope_of_;
  std::map<std::string, Scope> scopes_;
  std::map<of::Dpid, Connected> connected_;
};

}  // namespace fmc::ctl

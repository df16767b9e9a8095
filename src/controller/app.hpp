#pragma once
// Apps receive typed events for the switches of their worker. The
// controller creates one set of apps per worker thread (see AppFactory), so
// per-switch state needs no locking; state shared across switches must be
// shared explicitly by whoever builds the apps.
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "controller/datapath.hpp"

namespace fmc::ctl {

enum class Disposition { kContinue, kConsumed };

class App {
 public:
  virtual ~App() = default;
  virtual std::string_view name() const = 0;
  virtual void on_switch_up(Datapath&) {}
  virtual void on_switch_down(of::Dpid) {}
  // Apps see a packet-in in registration order until one consumes it.
  virtual Disposition on_packet_in(Datapath&, const of::PacketIn&) { return Disposition::kContinue; }
  virtual void on_port_status(Datapath&, const of::PortStatus&) {}
  virtual void on_flow_removed(Datapath&, const of::FlowRemoved&) {}
  virtual void on_error(Datapath&, of::Xid, const of::ErrorMsg&) {}
  // Replies and other messages no built-in handler consumes.
  virtual void on_message(Datapath&, of::Xid, const of::Message&) {}
};

using AppList = std::vector<std::unique_ptr<App>>;
using AppFactory = std::function<AppList()>;

}  // namespace fmc::ctl

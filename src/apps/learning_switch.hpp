#pragma once
// Reactive L2 learning switch: the baseline app and the benchmark workload.
// Learns source MAC -> port from packet-ins; known destinations get an exact
// flow (in_port, eth_src, eth_dst), unknown ones are flooded.
#include <unordered_map>

#include "controller/app.hpp"
#include "net/address.hpp"

namespace fmc::apps {

struct LearningSwitchOptions {
  std::uint16_t idle_timeout = 60;
  std::uint16_t hard_timeout = 0;
  // A MAC-flooding host must not grow the table without bound: beyond this,
  // new sources are not learned (their traffic is flooded instead).
  std::size_t max_macs_per_switch = 65536;
};

class LearningSwitch final : public ctl::App {
 public:
  explicit LearningSwitch(LearningSwitchOptions options = {}) : options_(options) {}
  std::string_view name() const override { return "learning_switch"; }
  void on_switch_up(ctl::Datapath& dp) override;
  void on_switch_down(of::Dpid dpid) override;
  ctl::Disposition on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) override;
  void on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) override;

  // For tests: where a MAC was learned on a switch.
  std::optional<of::PortNo> learned_port(of::Dpid dpid, const net::MacAddr& mac) const;
  std::uint64_t refused_to_learn() const { return refused_to_learn_; }

 private:
  using MacTable = std::unordered_map<net::MacAddr, of::PortNo>;
  void forget(ctl::Datapath& dp, MacTable& table, const net::MacAddr& mac);

  LearningSwitchOptions options_;
  std::unordered_map<of::Dpid, MacTable> tables_;
  std::uint64_t refused_to_learn_ = 0;
};

}  // namespace fmc::apps

#pragma once
// The Path Monitor (paper §III.B: the Location Mapper decides on measured
// network parameters). For every pair of an access network and a data
// center it sends a UDP probe each way through the real data path: the
// controller injects it (PACKET_OUT) at one site's switch towards the
// router, addressed to the other site's probe address, and catches it
// (PACKET_IN) at the other site's switch. The two one-way times, each
// smoothed (EWMA), add up to the path's round trip, comparable to the
// YAML's wan_delays_ms. Each one-way time also holds the control channel's
// latency (PACKET_OUT at one switch, PACKET_IN at the other); a calibration
// probe per switch, sent through its own flow table (OFPP_TABLE) straight
// back to the controller, measures that overhead, and the round trip is
// corrected by it. Probes nobody catches within three intervals count as
// lost. Port statistics of every site's uplink give its load. No ping
// processes, no clock on the switches.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <set>

#include "fmc/events/clock.hpp"
#include "controller/effects.hpp"
#include "fmc/events/event_bus.hpp"
#include "fmc/model/network_model.hpp"
#include "fmc/packet/packet_context.hpp"

namespace fmc {

class PathMonitor {
 public:

  PathMonitor(const model::NetworkModel& model, EventBus& bus, const Clock& clock);

  // The rule that catches probes to this site's probe address; probes are
  // sent from and to connected switches only.
  ctl::Effects on_switch_up(of::Dpid dpid);
  void on_switch_down(of::Dpid dpid) { connected_.erase(dpid); }
  // A probe (PacketKind::kProbe) arriving at its target's switch.
  ctl::Effects on_probe(const PacketContext& p);
  // An ARP request for the probe address (PacketKind::kProbeArp).
  ctl::Effects on_probe_arp(const PacketContext& p) const;
  void on_port_stats(of::Dpid dpid, const of::PortStatsReply& reply);

  // The probes and statistics requests that are due; expires lost probes.
  ctl::Effects tick();

  struct Direction {
    std::optional<double> smoothed_ms;
    std::uint64_t sent = 0, received = 0, lost = 0;
  };
  struct Path {
    std::string access, dc;
    Direction to_dc, to_access;
    // Both one-way delays less both switches' control-channel overhead, once all are measured.
    std::optional<double> rtt_ms;
  };
  std::vector<Path> paths() const;
  std::optional<double> rtt_ms(const std::string& access, const std::string& dc) const;

  struct UplinkLoad {
    double rx_mbps = 0, tx_mbps = 0;
  };
  std::optional<UplinkLoad> uplink_load(const std::string& site) const;
  // Probes that came back wrong (unknown or repeated sequence, wrong switch).
  std::uint64_t rejected() const { return rejected_; }

 private:
  enum class Leg { kToDc, kToAccess, kCalibration };
  struct Outstanding {
    std::size_t index;  // into paths_, or model_.sites for a calibration
    Leg leg;
    std::int64_t sent_us;
  };
  struct PortCounters {
    std::uint64_t rx_bytes = 0, tx_bytes = 0;
    std::int64_t at_us = 0;
  };

  void send_probe(ctl::Effects& out, const model::Site& from, const model::Site& to, Outstanding o);
  void measured(const Outstanding& o, std::int64_t now_us);
  void update_rtt(std::size_t path);
  Direction& direction(const Outstanding& o);
  const model::Site& target(const Outstanding& o) const;

  const model::NetworkModel& model_;
  EventBus& bus_;
  const Clock& clock_;
  std::set<of::Dpid> connected_;
  std::vector<Path> paths_;
  std::vector<Direction> calibration_;  // per site (model_.sites order)
  std::vector<std::optional<double>> published_rtt_;
  std::map<std::uint64_t, Outstanding> outstanding_;  // by sequence number
  std::mt19937_64 seq_rng_{std::random_device{}()};
  std::int64_t next_round_us_ = 0;
  std::uint64_t rejected_ = 0;
  std::map<std::string, PortCounters> counters_;
  std::map<std::string, UplinkLoad> load_;
};

// The MAC the controller answers with for a site's probe address.
net::MacAddr probe_mac(net::Ipv4Addr probe_address);

}  // namespace fmc

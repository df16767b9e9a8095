#include "fmc/path/path_monitor.hpp"

#include <cmath>
#include <cstring>

#include "fmc/packet/own_address_arp.hpp"
#include "fmc/pipeline/flows.hpp"

namespace fmc {

namespace {
constexpr char kMagic[8] = {'F', 'M', 'C', 'P', 'R', 'O', 'B', 'E'};
constexpr std::size_t kPayload = sizeof(kMagic) + 8;

std::vector<std::uint8_t> probe_payload(std::uint64_t seq) {
  std::vector<std::uint8_t> p(kMagic, kMagic + sizeof(kMagic));
  for (int i = 7; i >= 0; --i) p.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
  return p;
}

std::optional<std::uint64_t> probe_seq(Bytes payload) {
  if (payload.size() != kPayload || std::memcmp(payload.data(), kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  std::uint64_t seq = 0;
  for (std::size_t i = sizeof(kMagic); i < kPayload; ++i) seq = seq << 8 | payload[i];
  return seq;
}
}  // namespace

net::MacAddr probe_mac(net::Ipv4Addr a) {
  return net::MacAddr{{0x02, 0xfc, static_cast<std::uint8_t>(a.value >> 24), static_cast<std::uint8_t>(a.value >> 16),
                       static_cast<std::uint8_t>(a.value >> 8), static_cast<std::uint8_t>(a.value)}};
}

PathMonitor::PathMonitor(const model::NetworkModel& model, EventBus& bus, const Clock& clock)
    : model_(model), bus_(bus), clock_(clock) {
  for (const model::Site* a : model_.sites_of(model::SiteKind::kAccessNetwork))
    for (const model::Site* d : model_.sites_of(model::SiteKind::kDataCenter)) paths_.push_back(Path{a->name, d->name, {}, {}, {}});
  published_rtt_.resize(paths_.size());
  calibration_.resize(model_.sites.size());
}

ctl::Effects PathMonitor::on_switch_up(of::Dpid dpid) {
  ctl::Effects out;
  const model::Site* site = model_.site_at(dpid);
  if (!site) return out;
  connected_.insert(dpid);
  out.send(dpid, pipeline::probe_to_controller(site->probe_address, model_.path_monitor.udp_port));
  return out;
}

ctl::Effects PathMonitor::on_probe_arp(const PacketContext& p) const {
  if (!p.site) return {};
  return answer_arp_as(p, probe_mac(p.site->probe_address));
}

ctl::Effects PathMonitor::on_probe(const PacketContext& p) {
  const model::Site* site = p.site;
  if (!site || !p.udp) return {};
  const std::int64_t now = clock_.steady_us();
  const auto seq = probe_seq(p.udp->udp.payload);
  auto it = seq ? outstanding_.find(*seq) : outstanding_.end();
  if (it == outstanding_.end()) {
    ++rejected_;  // late (already counted lost), repeated, or forged
    return {};
  }
  // Where it must come from: the router (the uplink), or for a calibration
  // probe the switch's own table (the controller's port).
  const auto expected_in =
      it->second.leg == Leg::kCalibration ? std::optional<of::PortNo>{of::port::kController} : model_.uplink_port(*site);
  if (target(it->second).name != site->name || p.in_port != expected_in) {
    ++rejected_;
    return {};
  }
  measured(it->second, now);
  outstanding_.erase(it);
  return {};
}

PathMonitor::Direction& PathMonitor::direction(const Outstanding& o) {
  switch (o.leg) {
    case Leg::kToDc: return paths_[o.index].to_dc;
    case Leg::kToAccess: return paths_[o.index].to_access;
    case Leg::kCalibration: break;
  }
  return calibration_[o.index];
}

const model::Site& PathMonitor::target(const Outstanding& o) const {
  switch (o.leg) {
    case Leg::kToDc: return *model_.site_named(paths_[o.index].dc);
    case Leg::kToAccess: return *model_.site_named(paths_[o.index].access);
    case Leg::kCalibration: break;
  }
  return model_.sites[o.index];
}

void PathMonitor::measured(const Outstanding& o, std::int64_t now_us) {
  Direction& dir = direction(o);
  const double sample = static_cast<double>(now_us - o.sent_us) / 1000.0;
  const double a = model_.path_monitor.smoothing;
  dir.smoothed_ms = dir.smoothed_ms ? (1 - a) * *dir.smoothed_ms + a * sample : sample;
  ++dir.received;
  if (o.leg != Leg::kCalibration) return update_rtt(o.index);
  for (std::size_t i = 0; i < paths_.size(); ++i)
    if (paths_[i].access == model_.sites[o.index].name || paths_[i].dc == model_.sites[o.index].name) update_rtt(i);
}

void PathMonitor::update_rtt(std::size_t path) {
  Path& p = paths_[path];
  const auto overhead = [this](const std::string& site) -> std::optional<double> {
    for (std::size_t i = 0; i < model_.sites.size(); ++i)
      if (model_.sites[i].name == site) return calibration_[i].smoothed_ms;
    return std::nullopt;
  };
  const auto oa = overhead(p.access), od = overhead(p.dc);
  if (!p.to_dc.smoothed_ms || !p.to_access.smoothed_ms || !oa || !od) return;
  p.rtt_ms = std::max(0.0, *p.to_dc.smoothed_ms + *p.to_access.smoothed_ms - *oa - *od);
  auto& last = published_rtt_[path];
  // Events for changes that matter (the first value, then 10% or 2 ms), not for every probe.
  if (!last || std::abs(*p.rtt_ms - *last) > std::max(2.0, 0.1 * *last)) {
    last = p.rtt_ms;
    bus_.publish(PathMeasured{p.access, p.dc, *p.rtt_ms});
  }
}

void PathMonitor::send_probe(ctl::Effects& out, const model::Site& from, const model::Site& to, Outstanding o) {
  const model::SwitchSpec* sw = model_.switch_of(from);
  const auto uplink = model_.uplink_port(from);
  if (!sw || !connected_.count(sw->dpid) || !uplink) return;
  std::uint64_t seq;  // unguessable: a host cannot answer a probe it never saw
  do seq = seq_rng_();
  while (outstanding_.count(seq));
  const std::uint16_t port = model_.path_monitor.udp_port;
  // To the router as the source site's gateway, from the site's probe
  // address; a calibration probe goes through the switch's own flow table.
  net::UdpEndpoints e{probe_mac(from.probe_address), from.gateway.mac, from.probe_address, to.probe_address, port, port};
  o.sent_us = clock_.steady_us();
  outstanding_[seq] = o;
  ++direction(o).sent;
  out.packet_out(sw->dpid, of::port::kController, {of::Output{o.leg == Leg::kCalibration ? of::port::kTable : *uplink, 0}},
                 net::build_udp_frame(e, probe_payload(seq)));
}

ctl::Effects PathMonitor::tick() {
  ctl::Effects out;
  const std::int64_t now = clock_.steady_us();
  const std::int64_t interval = static_cast<std::int64_t>(model_.path_monitor.interval_ms) * 1000;
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    if (now - it->second.sent_us > 3 * interval) {
      ++direction(it->second).lost;
      it = outstanding_.erase(it);
    } else {
      ++it;
    }
  }
  if (now < next_round_us_) return out;
  next_round_us_ = now + interval;
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    const model::Site& access = *model_.site_named(paths_[i].access);
    const model::Site& dc = *model_.site_named(paths_[i].dc);
    send_probe(out, access, dc, Outstanding{i, Leg::kToDc, 0});
    send_probe(out, dc, access, Outstanding{i, Leg::kToAccess, 0});
  }
  for (std::size_t i = 0; i < model_.sites.size(); ++i)
    send_probe(out, model_.sites[i], model_.sites[i], Outstanding{i, Leg::kCalibration, 0});
  for (const auto& site : model_.sites) {
    const model::SwitchSpec* sw = model_.switch_of(site);
    if (const auto uplink = model_.uplink_port(site); sw && connected_.count(sw->dpid) && uplink)
      out.send(sw->dpid, of::PortStatsRequest{*uplink});
  }
  return out;
}

void PathMonitor::on_port_stats(of::Dpid dpid, const of::PortStatsReply& reply) {
  const model::Site* site = model_.site_at(dpid);
  if (!site) return;
  const auto uplink = model_.uplink_port(*site);
  const std::int64_t now = clock_.steady_us();
  for (const auto& s : reply.stats) {
    if (!uplink || s.port_no != *uplink) continue;
    PortCounters& c = counters_[site->name];
    if (c.at_us != 0 && now > c.at_us && s.rx_bytes >= c.rx_bytes && s.tx_bytes >= c.tx_bytes) {
      const double seconds = static_cast<double>(now - c.at_us) / 1e6;
      load_[site->name] = UplinkLoad{static_cast<double>(s.rx_bytes - c.rx_bytes) * 8 / 1e6 / seconds,
                                     static_cast<double>(s.tx_bytes - c.tx_bytes) * 8 / 1e6 / seconds};
    }
    c = PortCounters{s.rx_bytes, s.tx_bytes, now};
  }
}

std::vector<PathMonitor::Path> PathMonitor::paths() const { return paths_; }

std::optional<double> PathMonitor::rtt_ms(const std::string& access, const std::string& dc) const {
  for (const auto& p : paths_)
    if (p.access == access && p.dc == dc) return p.rtt_ms;
  return std::nullopt;
}

std::optional<PathMonitor::UplinkLoad> PathMonitor::uplink_load(const std::string& site) const {
  auto it = load_.find(site);
  return it == load_.end() ? std::nullopt : std::optional<UplinkLoad>(it->second);
}

}  // namespace fmc

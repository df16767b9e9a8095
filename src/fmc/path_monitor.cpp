#include "fmc/path_monitor.hpp"

#include <cmath>
#include <cstring>

#include "apps/flow_plan.hpp"
#include "controller/log.hpp"
#include "fmc/own_address_arp.hpp"
#include "fmc/pipeline.hpp"
#include "net/udp.hpp"

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

PathMonitor::PathMonitor(const model::NetworkModel& model, EventBus& bus, const SwitchDirectory& switches, Clock clock)
    : model_(model), bus_(bus), switches_(switches), clock_(std::move(clock)) {
  for (const model::Site* a : model_.sites_of(model::SiteKind::kAccessNetwork))
    for (const model::Site* d : model_.sites_of(model::SiteKind::kDataCenter)) paths_.push_back(Path{a->name, d->name, {}, {}, {}});
  published_rtt_.resize(paths_.size());
  calibration_.resize(model_.sites.size());
}

void PathMonitor::on_switch_up(ctl::Datapath& dp) {
  const model::Site* site = model_.site_at(dp.dpid());
  if (!site) return;
  dp.send(pipeline::udp_to_controller(model_.path_monitor.udp_port, site->probe_address,
                                       apps::plan::priority::kProbeToController, apps::plan::kPathProbeCookie));
}

ctl::Disposition PathMonitor::on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) {
  const model::Site* site = model_.site_at(dp.dpid());
  const auto eth = net::EthernetView::parse(pi.data);
  if (!site || !eth) return ctl::Disposition::kContinue;
  if (answer_arp_for(dp, pi, *eth, site->probe_address, probe_mac(site->probe_address))) return ctl::Disposition::kConsumed;
  const auto d = net::parse_udp(*eth);
  if (!d || d->ip.dst != site->probe_address || d->udp.dst_port != model_.path_monitor.udp_port)
    return ctl::Disposition::kContinue;
  const std::int64_t now = clock_();
  const auto seq = probe_seq(d->udp.payload);
  auto it = seq ? outstanding_.find(*seq) : outstanding_.end();
  if (it == outstanding_.end()) {
    ++rejected_;  // late (already counted lost), repeated, or forged
    return ctl::Disposition::kConsumed;
  }
  // Where it must come from: the router (the uplink), or for a calibration
  // probe the switch's own table (the controller's port).
  const auto expected_in =
      it->second.leg == Leg::kCalibration ? std::optional<of::PortNo>{of::port::kController} : model_.uplink_port(*site);
  if (target(it->second).name != site->name || pi.in_port != expected_in) {
    ++rejected_;
    return ctl::Disposition::kConsumed;
  }
  measured(it->second, now);
  outstanding_.erase(it);
  return ctl::Disposition::kConsumed;
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

void PathMonitor::send_probe(const model::Site& from, const model::Site& to, Outstanding o) {
  const model::SwitchSpec* sw = model_.switch_named(from.switch_name);
  ctl::Datapath* dp = sw ? switches_.find(sw->dpid) : nullptr;
  const auto uplink = model_.uplink_port(from);
  if (!dp || !uplink) return;
  std::uint64_t seq;  // unguessable: a host cannot answer a probe it never saw
  do seq = seq_rng_();
  while (outstanding_.count(seq));
  const std::uint16_t port = model_.path_monitor.udp_port;
  // To the router as the source site's gateway, from the site's probe
  // address; a calibration probe goes through the switch's own flow table.
  net::UdpEndpoints e{probe_mac(from.probe_address), from.gateway.mac, from.probe_address, to.probe_address, port, port};
  const auto frame = net::build_udp_frame(e, probe_payload(seq));  // PacketOut::data only views it
  of::PacketOut po;
  po.in_port = of::port::kController;
  po.actions = {of::Output{o.leg == Leg::kCalibration ? of::port::kTable : *uplink, 0}};
  po.data = frame;
  o.sent_us = clock_();
  outstanding_[seq] = o;
  ++direction(o).sent;
  dp->send(po);
}

void PathMonitor::tick() {
  const std::int64_t now = clock_();
  const std::int64_t interval = static_cast<std::int64_t>(model_.path_monitor.interval_ms) * 1000;
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    if (now - it->second.sent_us > 3 * interval) {
      ++direction(it->second).lost;
      it = outstanding_.erase(it);
    } else {
      ++it;
    }
  }
  if (now < next_round_us_) return;
  next_round_us_ = now + interval;
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    const model::Site& access = *model_.site_named(paths_[i].access);
    const model::Site& dc = *model_.site_named(paths_[i].dc);
    send_probe(access, dc, Outstanding{i, Leg::kToDc, 0});
    send_probe(dc, access, Outstanding{i, Leg::kToAccess, 0});
  }
  for (std::size_t i = 0; i < model_.sites.size(); ++i)
    send_probe(model_.sites[i], model_.sites[i], Outstanding{i, Leg::kCalibration, 0});
  for (const auto& site : model_.sites) {
    const model::SwitchSpec* sw = model_.switch_named(site.switch_name);
    ctl::Datapath* dp = sw ? switches_.find(sw->dpid) : nullptr;
    if (const auto uplink = model_.uplink_port(site); dp && uplink) dp->send(of::PortStatsRequest{*uplink});
  }
}

void PathMonitor::on_message(ctl::Datapath& dp, of::Xid, const of::Message& msg) {
  const auto* reply = std::get_if<of::PortStatsReply>(&msg);
  const model::Site* site = model_.site_at(dp.dpid());
  if (!reply || !site) return;
  const auto uplink = model_.uplink_port(*site);
  const std::int64_t now = clock_();
  for (const auto& s : reply->stats) {
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

#include "fmc/mobility/mobility_detector.hpp"

#include <utility>

#include "controller/log.hpp"
#include "net/arp.hpp"
#include "fmc/pipeline/flows.hpp"

namespace fmc {

namespace {
constexpr std::uint32_t kPortStateLinkDown = 1;
}

MobilityDetector::MobilityDetector(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                                   MigrationsInFlight& migrations, const Clock& clock)
    : model_(model), locations_(locations), bus_(bus), migrations_(migrations), clock_(clock) {
  bus.subscribe([this](const FmcEvent& e) {
    if (const auto* s = std::get_if<MigrationStep>(&e)) on_migration_step(*s);
  });
}

void MobilityDetector::on_migration_step(const MigrationStep& step) {
  const Endpoint* e = locations_.by_name(step.vm);
  if (!e) return;
  if (step.phase == MigrationPhase::kLocating) {
    Search search{{}, clock_.steady()};
    for (const auto& name : {step.from_site, step.to_site}) {
      const model::Site* site = model_.site_named(name);
      const model::SwitchSpec* sw = site ? model_.switch_of(*site) : nullptr;
      if (auto port = site ? configured_port(*site, e->name) : std::nullopt; sw && port)
        search.places.push_back(Location{name, sw->dpid, *port});
    }
    migrations_.expect_any(e->name, {step.from_site, step.to_site});
    locating_[e->name] = std::move(search);
    return;
  }
  if (step.phase != MigrationPhase::kStarted && step.phase != MigrationPhase::kSwitchover) locating_.erase(e->name);
  const bool back = left_vm_at_source(step.phase) && e->current && e->current->site == step.to_site;
  if (step.phase != MigrationPhase::kSwitchover && !back) return;
  const model::Site* site = model_.site_named(back ? step.from_site : step.to_site);
  const model::SwitchSpec* sw = site ? model_.switch_of(*site) : nullptr;
  const auto port = site ? configured_port(*site, e->name) : std::nullopt;
  if (!sw || !port) return;
  migrations_.done(e->name);
  ++stats_.moves_accepted;
  locations_.move(*e, Location{site->name, sw->dpid, *port}, MoveCause::kMigration);
}

std::optional<of::PortNo> MobilityDetector::configured_port(const model::Site& site, const std::string& endpoint) const {
  const model::SwitchSpec* sw = model_.switch_of(site);
  if (!sw) return std::nullopt;
  auto it = sw->ports.find(endpoint);
  if (it == sw->ports.end()) return std::nullopt;
  return it->second;
}

ctl::Effects MobilityDetector::on_switch_up(of::Dpid dpid) {
  ctl::Effects out;
  const model::Site* site = model_.site_at(dpid);
  if (!site) {
    log::warn("mobility_detector", "switch " + std::to_string(dpid.value) + " is not in the network model");
    return out;
  }
  std::erase_if(quiet_, [&](const PortKey& k) { return k.dpid == dpid.value; });
  const auto uplink = model_.uplink_port(*site);
  if (!uplink) return out;
  // Proactive rules for every endpoint at home here (those with a port on this switch).
  for (const auto& [name, port] : model_.switch_with(dpid)->ports) {
    const Endpoint* e = locations_.by_name(name);
    if (e && e->home_site == site->name) out.send_all(dpid, pipeline::attach(e->mac, port, *uplink, pipeline::home_cookie(e->mac)));
  }
  return out;
}

void MobilityDetector::on_switch_down(of::Dpid dpid) {
  std::erase_if(quiet_, [&](const PortKey& k) { return k.dpid == dpid.value; });
}

void MobilityDetector::on_port_status(of::Dpid dpid, const of::PortStatus& ps) {
  const PortKey key{dpid.value, ps.desc.port_no.value};
  const bool down = ps.reason == of::port_reason::kDelete || (ps.desc.state & kPortStateLinkDown);
  if (down) quiet_.insert(key);
  else quiet_.erase(key);
  // Told to every controller (through the store): the endpoint there may turn up in their scope.
  for (const Endpoint* e : locations_.all())
    if (e->current && e->current->dpid == dpid && e->current->port == ps.desc.port_no) locations_.set_detached(e->name, down);
}

bool MobilityDetector::old_location_quiet(const Endpoint& e) const {
  return !e.current || e.detached || quiet_.count(PortKey{e.current->dpid.value, e.current->port.value}) > 0;
}

void MobilityDetector::refuse(const Endpoint& e, const PacketContext& p, bool plausible) {
  ++stats_.moves_refused;
  bus_.publish(SecurityEvent{SecurityKind::kSpoofedMove,
                             e.name + " (" + p.eth.src.to_string() + ") appeared at " + p.site->name + " port " +
                                 std::to_string(p.in_port.value) +
                                 (plausible ? " while its old location is still live" : ", a port it is not configured on"),
                             p.dpid, p.in_port});
}

Sighting MobilityDetector::see(const PacketContext& p) {
  const Sighting s = sighting(p);
  if (!locating_.empty() && (s == Sighting::kInPlace || s == Sighting::kMoved || s == Sighting::kProbeAnswer))
    if (const Endpoint* e = locations_.by_mac(p.eth.src); e && locating_.erase(e->name)) {
      migrations_.done(e->name);
      bus_.publish(EndpointLocated{e->name, p.site->name});
    }
  return s;
}

Sighting MobilityDetector::sighting(const PacketContext& p) {
  const Endpoint* e = locations_.by_mac(p.eth.src);
  const bool dhcp = p.kind == PacketKind::kDhcp;
  if (!p.site || !e) {
    if (!e && p.kind != PacketKind::kArp && !dhcp) ++stats_.unknown_sources;
    return Sighting::kNotAnEndpoint;
  }
  const Location here{p.site->name, p.dpid, p.in_port};
  if (e->current == here) {
    if (proofs_.seen_in_place(e->number)) {
      const auto* proof = proofs_.find(e->number);
      ++stats_.moves_refused;
      ++stats_.moves_disproved;
      bus_.publish(SecurityEvent{SecurityKind::kSpoofedMove,
                                 e->name + " (" + p.eth.src.to_string() + ") was claimed by DHCP at " + proof->to.site +
                                     " port " + std::to_string(proof->to.port.value) + " but answered at " + here.site +
                                     " port " + std::to_string(here.port.value),
                                 proof->to.dpid, proof->to.port});
    }
    // An ARP reply to 0.0.0.0 answers a probe (RFC 5227): nobody else asks from there.
    const bool probe_answer = p.arp && p.arp->op == net::arp_op::kReply && p.arp->tpa.value == 0;
    return probe_answer ? Sighting::kProbeAnswer : Sighting::kInPlace;
  }

  const bool ordered = migrations_.expected(e->name, p.site->name);
  bool plausible = false, explained = ordered || old_location_quiet(*e);
  if (e->configured) {
    const auto allowed_port = configured_port(*p.site, e->name);
    plausible = allowed_port && *allowed_port == p.in_port;
  } else {
    // A client known only from DHCP may roam to any client port of an access
    // network; its DHCP there is what explains the move (paper §IV.B.6).
    plausible = e->kind == store::EndpointKind::kClient && p.site->kind == model::SiteKind::kAccessNetwork &&
                p.in_port != model_.uplink_port(*p.site);
    // While its old location is live, the DHCP claim is proven first (MoveProofs);
    // without an address the client has nothing to take over, nor to be asked about.
    if (dhcp && plausible && !explained) {
      if (e->ip) return prove(*e, p, here);
      explained = true;
    }
  }
  if (!plausible || !explained) {
    refuse(*e, p, plausible);
    return Sighting::kRefused;
  }
  proofs_.drop(e->number);
  // Gratuitous ARP and RARP are how hypervisors announce a migrated guest.
  const bool announcement = p.kind == PacketKind::kRarp || (p.arp && p.arp->is_gratuitous());
  const MoveCause cause = ordered         ? MoveCause::kMigration
                          : dhcp         ? MoveCause::kDhcp
                          : announcement ? MoveCause::kGratuitousArp
                                         : MoveCause::kTraffic;
  ++stats_.moves_accepted;
  migrations_.done(e->name);
  locations_.move(*e, here, cause);  // the Packet Manipulator reacts to the queued EndpointMoved
  return Sighting::kMoved;
}

Sighting MobilityDetector::prove(const Endpoint& e, const PacketContext& p, const Location& here) {
  switch (proofs_.claim(e.number, *e.current, here, clock_.steady(), {p.frame.begin(), p.frame.end()})) {
    case MoveProofs::Claim::kStarted:
      probe_due_ = e.number;
      return Sighting::kProving;
    case MoveProofs::Claim::kWaiting: return Sighting::kProving;
    case MoveProofs::Claim::kDisproved: break;
  }
  refuse(e, p, true);
  return Sighting::kRefused;
}

ctl::Effects MobilityDetector::on_proving() {
  ctl::Effects out;
  const auto number = std::exchange(probe_due_, std::nullopt);
  const MoveProofs::Proof* proof = number ? proofs_.find(*number) : nullptr;
  if (proof) probe(out, locations_.at(*number), proof->from);
  return out;
}

void MobilityDetector::probe(ctl::Effects& out, const Endpoint& e, const Location& at) const {
  const model::Site* site = model_.site(at.site);
  if (!site || !e.ip) return;
  out.packet_out(at.dpid, of::port::kController, {of::Output{at.port, 0}},
                 net::build_arp_frame(net::arp_op::kRequest, e.mac, site->gateway.mac, net::Ipv4Addr{0}, net::MacAddr{},
                                      *e.ip));
}

ctl::Effects MobilityDetector::tick() {
  ctl::Effects out;
  const auto now = clock_.steady();
  for (auto& [name, search] : locating_) {
    const Endpoint* e = locations_.by_name(name);
    if (!e || now < search.next_probe) continue;
    search.next_probe = now + std::chrono::seconds(1);
    for (const auto& place : search.places) probe(out, *e, place);
  }
  for (auto& [number, proof] : proofs_.proven(clock_.steady())) {
    const Endpoint& e = locations_.at(number);
    if (e.current != proof.from) continue;  // it moved meanwhile, by other means
    ++stats_.moves_accepted;
    ++stats_.moves_proven;
    locations_.move(e, proof.to, MoveCause::kDhcp);
    // The claim's DHCP message, answered now rather than at its sender's next try.
    out.packet_out_after_events(proof.to.dpid, proof.to.port, {of::Output{of::port::kTable, 0}}, std::move(proof.claim));
  }
  return out;
}

ctl::Effects MobilityDetector::on_traffic(const PacketContext& p, Sighting s) const {
  ctl::Effects out;
  if (s == Sighting::kMoved && p.kind != PacketKind::kRarp)
    out.packet_out_after_events(p.dpid, p.in_port, {of::Output{of::port::kTable, 0}},
                                std::vector<std::uint8_t>(p.frame.begin(), p.frame.end()));
  return out;
}

}  // namespace fmc

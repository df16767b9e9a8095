#include "fmc/mobility_detector.hpp"

#include "controller/log.hpp"
#include "fmc/pipeline.hpp"
#include "net/arp.hpp"
#include "net/ethernet.hpp"
#include "net/udp.hpp"

namespace fmc {

namespace {
constexpr std::uint32_t kPortStateLinkDown = 1;
}

MobilityDetector::MobilityDetector(const model::NetworkModel& model, LocationManager& locations, EventBus& bus,
                                   MigrationsInFlight& migrations)
    : model_(model), locations_(locations), bus_(bus), migrations_(migrations) {
  bus.subscribe([this](const FmcEvent& e) {
    if (const auto* s = std::get_if<MigrationStep>(&e)) on_migration_step(*s);
  });
}

void MobilityDetector::on_migration_step(const MigrationStep& step) {
  const Endpoint* e = locations_.by_name(step.vm);
  if (!e) return;
  const bool back = (step.phase == "failed" || step.phase == "cancelled") && e->current && e->current->site == step.to_site;
  if (step.phase != "switchover" && !back) return;
  const model::Site* site = model_.site_named(back ? step.from_site : step.to_site);
  const model::SwitchSpec* sw = site ? model_.switch_named(site->switch_name) : nullptr;
  const auto port = site ? configured_port(*site, e->name) : std::nullopt;
  if (!sw || !port) return;
  migrations_.done(e->name);
  ++stats_.moves_accepted;
  locations_.move(e->name, Location{site->name, sw->dpid, *port}, MoveCause::kMigration);
}

std::optional<of::PortNo> MobilityDetector::configured_port(const model::Site& site, const std::string& endpoint) const {
  const model::SwitchSpec* sw = model_.switch_named(site.switch_name);
  if (!sw) return std::nullopt;
  auto it = sw->ports.find(endpoint);
  if (it == sw->ports.end()) return std::nullopt;
  return it->second;
}

void MobilityDetector::on_switch_up(ctl::Datapath& dp) {
  const model::Site* site = model_.site_at(dp.dpid());
  if (!site) {
    log::warn("mobility_detector", "switch " + std::to_string(dp.dpid().value) + " is not in the network model");
    return;
  }
  std::erase_if(quiet_, [&](const PortKey& k) { return k.dpid == dp.dpid().value; });
  for (const auto& f : pipeline::base()) dp.send(f);
  const auto uplink = model_.uplink_port(*site);
  if (!uplink) return;
  // Proactive rules for every endpoint at home here.
  for (const Endpoint* e : locations_.all()) {
    if (e->home_site != site->name) continue;
    if (const auto port = configured_port(*site, e->name))
      for (const auto& f : pipeline::attach(e->mac, *port, *uplink, pipeline::home_cookie(e->mac))) dp.send(f);
  }
}

void MobilityDetector::on_switch_down(of::Dpid dpid) {
  std::erase_if(quiet_, [&](const PortKey& k) { return k.dpid == dpid.value; });
}

void MobilityDetector::on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) {
  const PortKey key{dp.dpid().value, ps.desc.port_no.value};
  if (ps.reason == of::port_reason::kDelete || (ps.desc.state & kPortStateLinkDown)) quiet_.insert(key);
  else quiet_.erase(key);
}

bool MobilityDetector::old_location_quiet(const Endpoint& e) const {
  return !e.current || quiet_.count(PortKey{e.current->dpid.value, e.current->port.value}) > 0;
}

ctl::Disposition MobilityDetector::on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) {
  const auto eth = net::EthernetView::parse(pi.data);
  if (!eth) return ctl::Disposition::kConsumed;
  const model::Site* site = model_.site_at(dp.dpid());
  const Endpoint* e = locations_.by_mac(eth->src);
  // ARP and DHCP are answered by the controller's own services (which also
  // locate clients first seen through DHCP).
  const bool dhcp = net::is_dhcp_to_server(*eth);
  const bool service = dhcp || eth->ethertype == net::ethertype::kArp;
  if (!site || !e) {
    // Not an endpoint (the router, or a stranger): nothing to detect.
    if (!e && !service) ++stats_.unknown_sources;
    return service ? ctl::Disposition::kContinue : ctl::Disposition::kConsumed;
  }
  const Location here{site->name, dp.dpid(), pi.in_port};
  if (e->current == here) return ctl::Disposition::kContinue;

  const bool ordered = migrations_.expected(e->name, site->name);
  bool plausible = false, explained = ordered || old_location_quiet(*e);
  if (model_.has_configured_port(e->name)) {
    const auto allowed_port = configured_port(*site, e->name);
    plausible = allowed_port && *allowed_port == pi.in_port;
  } else {
    // A client known only from DHCP may roam to any client port of an access
    // network; its DHCP there is what explains the move (paper §IV.B.6).
    plausible = e->kind == store::EndpointKind::kClient && site->kind == model::SiteKind::kAccessNetwork &&
                pi.in_port != model_.uplink_port(*site);
    explained |= dhcp;
  }
  if (!plausible || !explained) {
    ++stats_.moves_refused;
    bus_.publish(SecurityEvent{"spoofed-move",
                               e->name + " (" + eth->src.to_string() + ") appeared at " + site->name + " port " +
                                   std::to_string(pi.in_port.value) +
                                   (plausible ? " while its old location is still live" : ", a port it is not configured on"),
                               dp.dpid(), pi.in_port});
    return ctl::Disposition::kConsumed;
  }

  // Gratuitous ARP and RARP are how hypervisors announce a migrated guest.
  bool announcement = eth->ethertype == net::ethertype::kRarp;
  if (eth->ethertype == net::ethertype::kArp)
    if (const auto arp = net::ArpView::parse(eth->payload)) announcement = arp->is_gratuitous();
  const MoveCause cause = ordered         ? MoveCause::kMigration
                          : dhcp         ? MoveCause::kDhcp
                          : announcement ? MoveCause::kGratuitousArp
                                         : MoveCause::kTraffic;
  ++stats_.moves_accepted;
  migrations_.done(e->name);
  locations_.move(e->name, here, cause);  // the Packet Manipulator reacts synchronously

  if (service) return ctl::Disposition::kContinue;  // let the ARP proxy or the DHCP service answer
  if (eth->ethertype == net::ethertype::kRarp) return ctl::Disposition::kConsumed;
  // Send the packet that revealed the move through the new flows.
  of::PacketOut po;
  po.in_port = pi.in_port;
  po.actions = {of::Output{of::port::kTable, 0}};
  po.data = pi.data;
  dp.send(po);
  return ctl::Disposition::kConsumed;
}

}  // namespace fmc

#include "fmc/location/location_manager.hpp"

namespace fmc {

LocationManager::LocationManager(const model::NetworkModel& model, EventBus& bus, Persist persist, const Clock& clock)
    : model_(model), bus_(bus), persist_(std::move(persist)), clock_(clock) {
  for (const auto& vm : model.vms) {
    Endpoint e{vm.name, store::EndpointKind::kVm, vm.mac, vm.ip, vm.home, std::nullopt, std::nullopt};
    index(endpoints_[vm.name] = e);
  }
  for (const auto& c : model.clients) {
    Endpoint e{c.name, store::EndpointKind::kClient, c.mac, std::nullopt, c.home, std::nullopt, std::nullopt};
    index(endpoints_[c.name] = e);
  }
}

void LocationManager::index(Endpoint& e) {
  by_mac_[e.mac] = &e;
  if (e.ip) by_ip_[e.ip->value] = &e;
  if (e.visiting_ip) by_ip_[e.visiting_ip->value] = &e;
}

Endpoint* LocationManager::stored(const store::EndpointRecord& r) {
  Endpoint* e = find(r.name);
  auto mac = net::MacAddr::parse(r.mac);
  if (!e && r.kind == store::EndpointKind::kClient && mac && model_.site_named(r.home_site) && !by_mac(*mac)) {
    e = &endpoints_[r.name];
    *e = Endpoint{r.name, store::EndpointKind::kClient, *mac, std::nullopt, r.home_site, std::nullopt, std::nullopt};
    index(*e);
  }
  if (!e || !mac || *mac != e->mac) return nullptr;  // the configuration is authoritative
  return e;
}

void LocationManager::adopt(Endpoint& e, const store::EndpointRecord& r) {
  for (const auto& ip : {e.ip, e.visiting_ip})  // its addresses are indexed again below
    if (auto it = ip ? by_ip_.find(ip->value) : by_ip_.end(); it != by_ip_.end() && it->second == &e) by_ip_.erase(it);
  if (auto ip = net::Ipv4Addr::parse(r.ip); ip && e.kind == store::EndpointKind::kClient) e.ip = ip;
  if (e.kind == store::EndpointKind::kClient && model_.site_named(r.home_site)) e.home_site = r.home_site;
  if (!r.current_site.empty() && model_.site_named(r.current_site))
    e.current = Location{r.current_site, of::Dpid{r.dpid}, of::PortNo{r.port}};
  e.visiting_ip = net::Ipv4Addr::parse(r.visiting_ip);
  e.detached = r.detached;
  index(e);
}

void LocationManager::restore(const std::vector<store::EndpointRecord>& records) {
  for (const auto& r : records)
    if (Endpoint* e = stored(r)) adopt(*e, r);
}

void LocationManager::apply_stored(const store::EndpointRecord& r, std::int64_t revision, bool ours) {
  Endpoint* e = stored(r);
  if (!e || revision <= e->revision) return;
  e->revision = revision;
  if (ours && r.updated_ms != e->saved_ms) return;  // a newer write of ours is on its way
  const Endpoint before = *e;
  adopt(*e, r);
  if (!e->current || (before.current == e->current && before.visiting_ip == e->visiting_ip && before.ip == e->ip &&
                      before.home_site == e->home_site))
    return;
  bus_.publish(EndpointMoved{e->name, before.current, *e->current, MoveCause::kPeer, e->current->site == e->home_site});
}

Endpoint* LocationManager::find(const std::string& name) {
  auto it = endpoints_.find(name);
  return it == endpoints_.end() ? nullptr : &it->second;
}

const Endpoint* LocationManager::by_name(const std::string& name) const {
  auto it = endpoints_.find(name);
  return it == endpoints_.end() ? nullptr : &it->second;
}

const Endpoint* LocationManager::by_mac(const net::MacAddr& mac) const {
  auto it = by_mac_.find(mac);
  return it == by_mac_.end() ? nullptr : it->second;
}

const Endpoint* LocationManager::by_ip(net::Ipv4Addr ip) const {
  auto it = by_ip_.find(ip.value);
  return it == by_ip_.end() ? nullptr : it->second;
}

std::vector<const Endpoint*> LocationManager::all() const {
  std::vector<const Endpoint*> out;
  for (const auto& [_, e] : endpoints_) out.push_back(&e);
  return out;
}

bool LocationManager::move(const std::string& name, const Location& to, MoveCause cause) {
  Endpoint* e = find(name);
  if (!e) return false;
  if (e->current == to) return true;
  const auto from = e->current;
  e->current = to;
  e->detached = false;
  save(*e, store::LocationChange{name, from ? from->site : "", to.site, to_string(cause), clock_.wall_ms()});
  bus_.publish(EndpointMoved{name, from, to, cause, to.site == e->home_site});
  return true;
}

bool LocationManager::assign_ip(const std::string& name, net::Ipv4Addr ip) {
  Endpoint* e = find(name);
  if (!e) return false;
  if (const Endpoint* owner = by_ip(ip); owner && owner != e) return false;
  if (e->ip == ip) return true;
  if (e->ip) by_ip_.erase(e->ip->value);
  e->ip = ip;
  index(*e);
  save(*e);
  return true;
}

void LocationManager::set_visiting_ip(const std::string& name, std::optional<net::Ipv4Addr> ip) {
  Endpoint* e = find(name);
  if (!e || e->visiting_ip == ip) return;
  if (e->visiting_ip) by_ip_.erase(e->visiting_ip->value);
  e->visiting_ip = ip;
  index(*e);
  save(*e);
}

void LocationManager::set_detached(const std::string& name, bool detached) {
  Endpoint* e = find(name);
  if (!e || e->detached == detached) return;
  e->detached = detached;
  save(*e);
}

void LocationManager::rehome(const std::string& name, const std::string& site) {
  Endpoint* e = find(name);
  if (!e || e->home_site == site || !model_.site_named(site)) return;
  e->home_site = site;
  save(*e);
  if (e->current && e->current->site == site) bus_.publish(EndpointMoved{name, e->current, *e->current, MoveCause::kDhcp, true});
}

const Endpoint& LocationManager::add_client(const net::MacAddr& mac, const std::string& home_site) {
  if (const Endpoint* known = by_mac(mac)) return *known;
  const std::string name = "client-" + mac.to_string();
  Endpoint& e = endpoints_[name];
  e = Endpoint{name, store::EndpointKind::kClient, mac, std::nullopt, home_site, std::nullopt, std::nullopt};
  index(e);
  save(e);
  return e;
}

void LocationManager::save(Endpoint& e, std::optional<store::LocationChange> change) {
  if (!persist_) return;
  store::EndpointRecord r;
  r.name = e.name;
  r.kind = e.kind;
  r.mac = e.mac.to_string();
  r.ip = e.ip ? e.ip->to_string() : "";
  r.home_site = e.home_site;
  if (e.current) {
    r.current_site = e.current->site;
    r.dpid = e.current->dpid.value;
    r.port = e.current->port.value;
  }
  r.visiting_ip = e.visiting_ip ? e.visiting_ip->to_string() : "";
  r.detached = e.detached;
  r.updated_ms = clock_.wall_ms();
  e.saved_ms = r.updated_ms;
  persist_(r, change);
}

}  // namespace fmc

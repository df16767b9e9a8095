#include "scale_run.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <random>

#include "controller/effect_executor.hpp"
#include "fmc/events/clock.hpp"
#include "fmc/events/event_bus.hpp"
#include "fmc/location/held_writes.hpp"
#include "fmc/location/location_manager.hpp"
#include "fmc/mobility/mobility_detector.hpp"
#include "fmc/packet/packet_context.hpp"
#include "fmc/rewrite/packet_manipulator.hpp"
#include "heap_meter.hpp"
#include "net/arp.hpp"
#include "net/dhcp.hpp"
#include "net/udp.hpp"
#include "rule_census.hpp"

namespace fmc::scale {

Spread spread(std::vector<std::size_t> counts) {
  Spread s;
  if (counts.empty()) return s;
  std::sort(counts.begin(), counts.end());
  s.max = counts.back();
  s.p99 = counts[std::min(counts.size() - 1, counts.size() * 99 / 100)];
  for (const auto c : counts) s.total += c;
  s.mean = double(s.total) / double(counts.size());
  return s;
}

namespace {

std::vector<std::uint8_t> dhcp_discover(std::uint64_t user) {
  net::DhcpMessage m;
  m.xid = static_cast<std::uint32_t>(user);
  m.chaddr = client_mac(user);
  m.message_type = net::dhcp_type::kDiscover;
  const auto payload = net::build_dhcp(m);
  return net::build_udp_frame({client_mac(user), net::MacAddr::broadcast(), net::Ipv4Addr{0}, net::Ipv4Addr{0xffffffff},
                               net::kDhcpClientPort, net::kDhcpServerPort},
                              payload);
}

// The controller's apps as FollowMe wires them for moves, with rule censuses for switches.
struct Controller {
  const model::NetworkModel& model;
  ManualClock clock;  // moves through the clock only to end move proofs (silent_old_location)
  ctl::EffectExecutor executor;
  EventBus bus{&executor};
  LocationManager locations{model, bus, [this](const Endpoint& e, const LocationManager::Move* m) { held.hold(e, m); },
                            clock};
  // Writes held as FollowMe holds them, built once an input has settled, and then dropped (no store).
  HeldWrites held{bus, locations, {[](store::LocationChange&&) {}, [](store::EndpointRecord&&) {}}};
  MigrationsInFlight migrations;
  MobilityDetector detector{model, locations, bus, migrations, clock};
  PacketManipulator manipulator{model, locations, bus, clock};

  explicit Controller(const model::NetworkModel& m) : model(m) {}

  // A PACKET_IN from `dpid` port `port`, as the dispatcher hands it to the Mobility Detector.
  Sighting packet_in(of::Dpid dpid, of::PortNo port, const std::vector<std::uint8_t>& frame) {
    of::PacketIn pi;
    pi.in_port = port;
    pi.data = frame;
    const PacketContext p = classify(model, dpid, pi);
    Sighting seen = Sighting::kNotAnEndpoint;
    bus.handle([&] {
      seen = detector.see(p);
      return seen == Sighting::kProving ? detector.on_proving() : detector.on_traffic(p, seen);
    });
    return seen;
  }
  // After a DHCP claim (kProving): the user's old location stays silent for the
  // proof window, and the move is accepted.
  Sighting silent_old_location() {
    const auto proven = detector.stats().moves_proven;
    clock.advance(MoveProofs::kWindow);
    bus.handle([&] { return detector.tick(); });
    return detector.stats().moves_proven > proven ? Sighting::kMoved : Sighting::kRefused;
  }
};

// A field of /proc/self/smaps_rollup ("Rss", "AnonHugePages"), in bytes; 0 if absent.
std::size_t resident(const std::string& field) {
  std::ifstream rollup("/proc/self/smaps_rollup");
  for (std::string name; rollup >> name;) {
    std::size_t kib = 0;
    if (name == field + ":" && rollup >> kib) return kib * 1024;
    rollup.ignore(1 << 16, '\n');
  }
  return 0;
}

}  // namespace

Report run(const Workload& w, const Progress& progress) {
  using Clock = std::chrono::steady_clock;
  Report r;
  const HexGrid grid(w.shape.cells);
  const std::uint32_t cells = grid.cells(), dcs = w.shape.data_centers;
  const std::uint64_t users = w.shape.users;

  model::NetworkModel model;
  {
    const Charge to_model(Account::kModel);
    model = operator_network(w.shape, grid);
    model.index();
  }
  r.model_bytes = heap_in_use(Account::kModel);
  progress("model: " + std::to_string(cells) + " cells, " + std::to_string(dcs) + " data centers, " +
           std::to_string(users) + " users");

  std::vector<std::unique_ptr<RuleCensus>> census;
  const auto before = heap_in_use(Account::kController);
  auto controller = std::make_unique<Controller>(model);
  {
    const Charge to_census(Account::kCensus);
    for (const auto& sw : model.switches) {
      census.push_back(std::make_unique<RuleCensus>(sw.dpid));
      controller->executor.switch_up(*census.back());
    }
  }
  auto& c = *controller;
  r.endpoints = c.locations.all().size();

  // Every VM's home rules (the Mobility Detector's, as when its switch connects),
  // then every endpoint seen once at home: a client by its DHCP, a VM by its ARP.
  for (std::uint32_t d = 0; d < dcs; ++d) c.bus.handle([&] { return c.detector.on_switch_up(dc_dpid(d)); });
  std::vector<std::uint32_t> cell_of(users), dc_of(users);
  for (std::uint64_t u = 0; u < users; ++u) {
    cell_of[u] = home_cell(u, cells);
    dc_of[u] = grid.region(cell_of[u], dcs);
    c.locations.assign_ip(client_name(u), client_home_ip(cell_of[u], static_cast<std::uint32_t>(u / cells)));
    const auto& vm = model.vms[u];
    c.packet_in(dc_dpid(dc_of[u]), vm_port(u), net::build_gratuitous_arp(vm.mac, vm.ip));
    c.packet_in(cell_dpid(cell_of[u]), kRadioPort, dhcp_discover(u));
    if ((u + 1) % 1'000'000 == 0) progress("located " + std::to_string(u + 1) + " users");
  }
  r.state_bytes = heap_in_use(Account::kController) - before;
  progress("every endpoint located: " + std::to_string(r.state_bytes / r.endpoints) + " bytes of state per endpoint");

  const auto census_of = [&](bool data_centers) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < census.size(); ++i)
      if ((i < dcs) == data_centers) out.push_back(census[i]->rules());
    return out;
  };
  // One step of a user: to a neighbouring cell, and its VM after it if it crossed into another region.
  std::mt19937_64 rng(w.seed);
  struct Step {
    std::uint64_t user;
    std::uint32_t cell, dc;
  };
  const auto next_step = [&] {
    const std::uint64_t u = rng() % users;
    const auto around = grid.neighbours(cell_of[u]);
    const auto to = around[rng() % around.size()];
    return Step{u, to, grid.region(to, dcs)};
  };
  const auto plug_vm = [&](const Step& s) {  // the hypervisor plugs the VM's port on the target before migrating
    const Charge to_model(Account::kModel);
    model.switches[s.dc].ports.try_emplace(vm_name(s.user), vm_port(s.user));
  };
  const auto take = [&](const Step& s, const std::vector<std::uint8_t>& dhcp, const std::vector<std::uint8_t>* garp) {
    // The radio port of the user's old cell stays up (others use it): its DHCP claim is proven.
    Sighting seen = c.packet_in(cell_dpid(s.cell), kRadioPort, dhcp);
    if (seen == Sighting::kProving) seen = c.silent_old_location();
    if (seen != Sighting::kMoved) ++r.refused;
    cell_of[s.user] = s.cell;
    if (!garp) return false;
    c.migrations.expect(vm_name(s.user), dc_site(s.dc));
    if (c.packet_in(dc_dpid(s.dc), vm_port(s.user), *garp) != Sighting::kMoved) ++r.refused;
    dc_of[s.user] = s.dc;
    return true;
  };

  const std::uint64_t every = std::max<std::uint64_t>(1, w.moves / std::max<std::uint64_t>(1, w.checkpoints));
  for (std::uint64_t i = 0; i < w.moves; ++i) {
    const Step s = next_step();
    std::vector<std::uint8_t> garp;
    if (s.dc != dc_of[s.user]) {
      plug_vm(s);
      garp = net::build_gratuitous_arp(model.vms[s.user].mac, model.vms[s.user].ip);
    }
    ++r.client_moves;
    if (take(s, dhcp_discover(s.user), garp.empty() ? nullptr : &garp)) ++r.vm_moves;
    if ((i + 1) % every == 0 || i + 1 == w.moves) {
      r.checkpoints.push_back({i + 1, spread(census_of(false)), spread(census_of(true))});
      const auto& cp = r.checkpoints.back();
      progress(std::to_string(i + 1) + " moves: rules per access switch max " + std::to_string(cp.access.max) +
               ", per data-center switch max " + std::to_string(cp.data_center.max));
    }
  }
  r.access_rules = census_of(false);
  r.dc_rules = census_of(true);
  r.state_bytes_end = heap_in_use(Account::kController) - before;
  r.census_bytes = heap_in_use(Account::kCensus);
  for (std::uint64_t u = 0; u < users; ++u) {
    const Endpoint* client = c.locations.by_name(client_name(u));
    const Endpoint* vm = c.locations.by_name(vm_name(u));
    const bool right = client && client->current && client->current->site == cell_site(cell_of[u]) && vm &&
                       vm->current && vm->current->site == dc_site(dc_of[u]);
    if (!right) ++r.users_misplaced;
  }
  {
    // Each controller's share under the three designs, from where everything is now.
    const std::uint32_t scopes = std::min(w.scopes, dcs);
    const auto scope_of_dc = [&](std::uint32_t d) { return std::uint32_t(std::uint64_t{d} * scopes / dcs); };
    const auto scope_of_cell = [&](std::uint32_t cell) { return scope_of_dc(grid.region(cell, dcs)); };
    DesignTally tally(scopes);
    for (std::uint64_t u = 0; u < users; ++u) {
      const auto home = home_cell(u, cells), home_dc = grid.region(home, dcs);
      const std::uint32_t client_at[] = {scope_of_cell(cell_of[u])}, vm_at[] = {scope_of_dc(dc_of[u])};
      tally.endpoint(scope_of_cell(home), client_at[0], cell_of[u] != home, vm_at);  // its VM is its peer
      tally.endpoint(scope_of_dc(home_dc), vm_at[0], dc_of[u] != home_dc, client_at);
      r.vms_away += dc_of[u] != home_dc;
    }
    for (std::size_t i = 0; i < census.size(); ++i)
      tally.switch_rules(i < dcs ? scope_of_dc(std::uint32_t(i)) : scope_of_cell(std::uint32_t(i - dcs)),
                         census[i]->rules_by_role());
    r.designs = tally.designs();
  }
  if (w.verify_resync) {
    // What each switch holds after all those moves is what a switch connecting now would be given.
    for (std::size_t i = 0; i < census.size(); ++i) {
      RuleCensus fresh(census[i]->dpid());
      const auto give = [&](const ctl::Effects& effects) {
        for (const auto& o : effects.messages) fresh.send(o.message);
      };
      give(c.detector.on_switch_up(fresh.dpid()));
      give(c.manipulator.on_switch_up(fresh.dpid()));
      if (fresh.rules() != census[i]->rules() || fresh.unsupported) ++r.resync_mismatches;
    }
  }
  for (const auto& s : census) {
    r.deliveries += s->deliveries();
    r.unsupported_messages += s->unsupported;
    r.flow_mods += s->flow_mods;
  }

  // Timed: the move path alone (packet in, detection, location, flows built and handed to the
  // executor), with the censuses only counting messages. Frames are built beforehand.
  for (auto& s : census) s->tally = false;
  struct Prepared {
    Step step;
    std::vector<std::uint8_t> dhcp, garp;
  };
  std::vector<Prepared> prepared;
  prepared.reserve(w.timed_moves);
  {
    auto cells_now = cell_of;
    auto dcs_now = dc_of;
    std::swap(cells_now, cell_of);  // plan the walk ahead without taking it
    for (std::uint64_t i = 0; i < w.timed_moves; ++i) {
      const Step s = next_step();
      Prepared p{s, dhcp_discover(s.user), {}};
      if (s.dc != dcs_now[s.user]) {
        plug_vm(s);
        p.garp = net::build_gratuitous_arp(model.vms[s.user].mac, model.vms[s.user].ip);
        dcs_now[s.user] = s.dc;
      }
      cell_of[s.user] = s.cell;
      prepared.push_back(std::move(p));
    }
    std::swap(cells_now, cell_of);
  }
  const Charge unmetered(Account::kUnmetered);
  for (std::size_t slice = 0, done = 0; slice < Report::kSlices; ++slice) {
    const std::size_t end = prepared.size() * (slice + 1) / Report::kSlices;
    const auto t0 = Clock::now();
    for (; done < end; ++done) {
      const auto& p = prepared[done];
      if (take(p.step, p.dhcp, p.garp.empty() ? nullptr : &p.garp)) ++r.timed_vm_moves;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.timed_seconds += seconds;
    const std::size_t moves = end - prepared.size() * slice / Report::kSlices;
    if (moves > 0 && seconds > 0) r.slice_moves_per_second.push_back(double(moves) / seconds);
  }
  r.timed_moves = prepared.size();
  r.resident_bytes = resident("Rss");
  r.huge_page_bytes = resident("AnonHugePages");
  return r;
}

double Report::moves_per_second() const {
  if (slice_moves_per_second.empty()) return 0;
  auto rates = slice_moves_per_second;
  std::sort(rates.begin(), rates.end());
  const std::size_t n = rates.size();
  return n % 2 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
}

}  // namespace fmc::scale

// /metrics: the controller's counters in the Prometheus text exposition
// format (version 0.0.4).
#include <map>
#include <sstream>

#include "api/northbound.hpp"

namespace fmc::api {

namespace {

class Exposition {
 public:
  // Starts a metric family.
  Exposition& family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    name_ = name;
    return *this;
  }
  Exposition& sample(double value, std::initializer_list<std::pair<const char*, std::string>> labels = {}) {
    out_ << name_;
    if (labels.size()) {
      out_ << '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        out_ << (first ? "" : ",") << k << "=\"" << escape(v) << '"';
        first = false;
      }
      out_ << '}';
    }
    out_ << ' ' << value << '\n';
    return *this;
  }
  // The _bucket, _sum and _count series of a histogram family.
  void bucket_series(const std::string& name, const Histogram& h) {
    for (std::size_t i = 0; i < h.bounds().size(); ++i) {
      std::ostringstream le;
      le << h.bounds()[i];
      out_ << name << "_bucket{le=\"" << le.str() << "\"} " << h.cumulative(i) << '\n';
    }
    out_ << name << "_bucket{le=\"+Inf\"} " << h.count() << '\n';
    out_ << name << "_sum " << h.sum() << '\n' << name << "_count " << h.count() << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  static std::string escape(const std::string& v) {
    std::string out;
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out;
  }
  std::ostringstream out_;
  const char* name_ = "";
};

}  // namespace

HttpResponse Northbound::metrics() const {
  Exposition m;
  const auto& c = ctx_.controller;
  m.family("fmc_switch_connected", "gauge", "1 if the switch of the network model is connected.");
  for (const auto& sw : ctx_.model.switches)
    m.sample(ctx_.switches.connected(sw.dpid) ? 1 : 0, {{"switch", sw.name}, {"dpid", std::to_string(sw.dpid.value)}});
  m.family("fmc_openflow_messages_total", "counter", "OpenFlow messages, by direction.")
      .sample(static_cast<double>(c.messages_in), {{"direction", "in"}})
      .sample(static_cast<double>(c.messages_out), {{"direction", "out"}});
  m.family("fmc_packet_ins_total", "counter", "PACKET_IN messages received.").sample(static_cast<double>(c.packet_ins));
  const auto& pi = ctx_.census;
  m.family("fmc_packet_ins_by_type_total", "counter", "PACKET_INs of the Follow-Me Cloud apps, by what they carry.")
      .sample(static_cast<double>(pi.arp), {{"type", "arp"}})
      .sample(static_cast<double>(pi.rarp), {{"type", "rarp"}})
      .sample(static_cast<double>(pi.dhcp), {{"type", "dhcp"}})
      .sample(static_cast<double>(pi.probe), {{"type", "probe"}})
      .sample(static_cast<double>(pi.ipv4), {{"type", "ipv4"}})
      .sample(static_cast<double>(pi.other), {{"type", "other"}})
      .sample(static_cast<double>(pi.malformed), {{"type", "malformed"}});
  m.family("fmc_flow_mods_total", "counter", "FLOW_MOD messages sent.").sample(static_cast<double>(c.flow_mods_out));
  m.family("fmc_packet_outs_total", "counter", "PACKET_OUT messages sent.").sample(static_cast<double>(c.packet_outs));
  m.family("fmc_messages_for_absent_switches_total", "counter",
           "Messages the apps wanted sent to a switch that was not connected (dropped; the switch is resynced when it connects).")
      .sample(static_cast<double>(ctx_.switches.dropped_for_absent_switch()));
  m.family("fmc_switch_errors_total", "counter", "OFPT_ERROR messages from switches, by reason.")
      .sample(static_cast<double>(c.table_full), {{"reason", "table-full"}})
      .sample(static_cast<double>(c.switch_errors - c.table_full), {{"reason", "other"}});
  m.family("fmc_barriers_in_flight", "gauge", "Barriers sent and not yet answered.")
      .sample(static_cast<double>(c.barriers_in_flight.load()));
  if (ctx_.store_health) {
    const auto s = ctx_.store_health();
    m.family("fmc_store_writable", "gauge", "1 if the database took the last write, 0 during an outage (full, read-only, unreachable).")
        .sample(s.writable ? 1 : 0);
    m.family("fmc_store_write_failures_total", "counter", "Database writes that failed, by kind: an outage (held and retried) or refused.")
        .sample(static_cast<double>(s.failed_attempts), {{"kind", "outage"}})
        .sample(static_cast<double>(s.refused), {{"kind", "refused"}});
    m.family("fmc_store_writes_held", "gauge", "Writes waiting for the database to take them again.")
        .sample(static_cast<double>(s.held));
    m.family("fmc_store_writes_lost_total", "counter", "Held writes dropped: more than the bound, or stopping during an outage.")
        .sample(static_cast<double>(s.lost));
  }
  const auto& h = ctx_.convergence;
  m.family("fmc_move_convergence_seconds", "histogram",
           "From the arrival of the packet that revealed a move (else the move) to its flows confirmed by a barrier on every switch.");
  m.bucket_series("fmc_move_convergence_seconds", h);
  std::map<MigrationState, int> outcomes{{MigrationState::kRunning, 0}, {MigrationState::kCompleted, 0},
                                        {MigrationState::kFailed, 0}, {MigrationState::kCancelled, 0}};
  if (ctx_.migrations)
    for (const auto& mig : ctx_.migrations->all()) ++outcomes[mig.state];
  m.family("fmc_migrations", "gauge", "Migrations ordered by this controller (history), by state.");
  for (const auto& [state, n] : outcomes) m.sample(n, {{"state", to_string(state)}});
  m.family("fmc_dhcp_messages_total", "counter", "DHCP messages to a server port that reached the controller.")
      .sample(static_cast<double>(ctx_.dhcp.stats().received));
  const auto& d = ctx_.dhcp.stats();
  m.family("fmc_dhcp_replies_total", "counter", "DHCP replies sent to clients, by type.")
      .sample(static_cast<double>(d.acks), {{"type", "ack"}})
      .sample(static_cast<double>(d.naks), {{"type", "nak"}})
      .sample(static_cast<double>(d.replies - d.acks - d.naks), {{"type", "other"}});
  m.family("fmc_dhcp_relayed_total", "counter", "Client DHCP messages relayed to the external server.")
      .sample(static_cast<double>(d.relayed_to_server));
  m.family("fmc_dhcp_leases_active", "gauge", "Offered or bound DHCP leases that have not expired.")
      .sample(static_cast<double>(ctx_.dhcp.server().active_leases(ctx_.clock.wall_ms() / 1000)));
  m.family("fmc_moves_total", "counter", "Endpoint moves seen by the Mobility Detector, by outcome.")
      .sample(static_cast<double>(ctx_.detector.stats().moves_accepted), {{"outcome", "accepted"}})
      .sample(static_cast<double>(ctx_.detector.stats().moves_refused), {{"outcome", "refused"}})
      .sample(static_cast<double>(ctx_.detector.stats().moves_proven), {{"outcome", "proven"}});
  m.family("fmc_arp_answered_total", "counter", "ARP requests answered by the controller.")
      .sample(static_cast<double>(ctx_.arp.stats().answered));
  int vms_home = 0, vms_away = 0, clients = 0;
  for (const Endpoint* e : ctx_.locations.all()) {
    if (e->kind == store::EndpointKind::kClient) ++clients;
    else (e->at_home() ? vms_home : vms_away)++;
  }
  m.family("fmc_endpoints", "gauge", "Known endpoints.")
      .sample(vms_home, {{"kind", "vm"}, {"where", "home"}})
      .sample(vms_away, {{"kind", "vm"}, {"where", "visiting"}})
      .sample(clients, {{"kind", "client"}, {"where", "any"}});
  const auto paths = ctx_.path_monitor.paths();
  m.family("fmc_path_rtt_seconds", "gauge", "Round trip between an access network and a data center, as the Path Monitor measures it.");
  for (const auto& p : paths)
    if (p.rtt_ms) m.sample(*p.rtt_ms / 1000, {{"access", p.access}, {"dc", p.dc}});
  m.family("fmc_path_probes_total", "counter", "Path probes, by outcome.");
  std::uint64_t sent = 0, received = 0, lost = 0;
  for (const auto& p : paths)
    for (const auto* d : {&p.to_dc, &p.to_access}) sent += d->sent, received += d->received, lost += d->lost;
  m.sample(static_cast<double>(sent), {{"outcome", "sent"}})
      .sample(static_cast<double>(received), {{"outcome", "received"}})
      .sample(static_cast<double>(lost), {{"outcome", "lost"}});
  m.family("fmc_rejected_inputs_total", "counter", "Inputs rejected, by source and reason.")
      .sample(static_cast<double>(c.rejected_malformed), {{"source", "openflow"}, {"reason", "malformed"}})
      .sample(static_cast<double>(c.rejected_framing), {{"source", "openflow"}, {"reason", "framing"}})
      .sample(static_cast<double>(c.rejected_version), {{"source", "openflow"}, {"reason", "version"}})
      .sample(static_cast<double>(c.refused_connections), {{"source", "openflow"}, {"reason", "connection-limit"}})
      .sample(static_cast<double>(c.handshake_timeouts), {{"source", "openflow"}, {"reason", "handshake-timeout"}})
      .sample(static_cast<double>(c.tls_refused), {{"source", "openflow"}, {"reason", "tls-refused"}})
      .sample(static_cast<double>(c.packet_ins_limited), {{"source", "openflow"}, {"reason", "packet-in-limit"}})
      .sample(static_cast<double>(c.slow_readers), {{"source", "openflow"}, {"reason", "not-reading"}})
      .sample(static_cast<double>(ctx_.arp.stats().malformed), {{"source", "arp"}, {"reason", "malformed"}})
      .sample(static_cast<double>(ctx_.arp.stats().refused_conflict), {{"source", "arp"}, {"reason", "conflict"}})
      .sample(static_cast<double>(ctx_.detector.stats().moves_refused), {{"source", "mobility"}, {"reason", "spoofed-move"}})
      .sample(static_cast<double>(ctx_.path_monitor.rejected()), {{"source", "path_probe"}, {"reason", "unexpected"}});
  for (const auto& [reason, n] : d.dropped) m.sample(static_cast<double>(n), {{"source", "dhcp"}, {"reason", reason}});
  return HttpResponse{200, "text/plain; version=0.0.4", m.str(), {}};
}

}  // namespace fmc::api

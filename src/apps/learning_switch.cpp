#include "apps/learning_switch.hpp"

#include "apps/flow_plan.hpp"
#include "controller/log.hpp"
#include "net/ethernet.hpp"

namespace fmc::apps {

namespace {
of::FlowMod owned_flows_delete() {
  of::FlowMod del;
  del.command = of::FlowModCommand::kDelete;
  del.table_id = of::kTableAll;
  del.cookie = plan::kLearningSwitchCookie;
  del.cookie_mask = plan::kCookieAppMask;
  return del;
}
}  // namespace

void LearningSwitch::on_switch_up(ctl::Datapath& dp) {
  // Resync: whatever the switch kept from an earlier session is stale.
  tables_[dp.dpid()].clear();
  // (OpenFlow 1.0 has no cookie mask, so there this clears the whole table.)
  dp.send(owned_flows_delete());

  of::FlowMod miss;
  miss.cookie = plan::kLearningSwitchCookie;
  miss.table_id = plan::kMainTable;
  miss.priority = plan::priority::kTableMiss;
  miss.instructions = {of::ApplyActions{{of::Output{of::port::kController, of::kControllerMaxLenNoBuffer}}}};
  dp.send(miss);
  dp.barrier([dpid = dp.dpid()](const ctl::BarrierOutcome& outcome) {
    if (outcome.status == ctl::BarrierOutcome::Status::kFailed)
      log::warn("learning_switch", "switch " + std::to_string(dpid.value) + " refused the table-miss flow");
  });
}

void LearningSwitch::on_switch_down(of::Dpid dpid) { tables_.erase(dpid); }

void LearningSwitch::on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) {
  if (ps.reason != of::port_reason::kDelete && !(ps.desc.state & 1u /* LINK_DOWN */)) return;
  auto it = tables_.find(dp.dpid());
  if (it == tables_.end()) return;
  std::vector<net::MacAddr> gone;
  for (const auto& [mac, port] : it->second)
    if (port == ps.desc.port_no) gone.push_back(mac);
  for (const auto& mac : gone) forget(dp, it->second, mac);
}

void LearningSwitch::forget(ctl::Datapath& dp, MacTable& table, const net::MacAddr& mac) {
  table.erase(mac);
  of::FlowMod del = owned_flows_delete();
  del.match.eth_dst = of::Masked<net::MacAddr>{mac, std::nullopt};
  dp.send(del);
}

ctl::Disposition LearningSwitch::on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) {
  const auto eth = net::EthernetView::parse(pi.data);
  if (!eth || eth->ethertype == net::ethertype::kLldp) return ctl::Disposition::kContinue;
  MacTable& table = tables_[dp.dpid()];

  if (!eth->src.is_multicast()) {
    if (auto it = table.find(eth->src); it != table.end()) {
      if (it->second != pi.in_port) {
        // The host moved: flows towards it point at the old port.
        forget(dp, table, eth->src);
        table.emplace(eth->src, pi.in_port);
      }
    } else if (table.size() < options_.max_macs_per_switch) {
      table.emplace(eth->src, pi.in_port);
    } else {
      ++refused_to_learn_;
    }
  }

  of::PortNo out = of::port::kFlood;
  if (!eth->dst.is_multicast()) {
    if (auto it = table.find(eth->dst); it != table.end()) out = it->second;
  }
  if (out == pi.in_port) return ctl::Disposition::kConsumed;  // would hairpin: drop

  if (out != of::port::kFlood) {
    of::FlowMod add;
    add.cookie = plan::kLearningSwitchCookie;
    add.table_id = plan::kMainTable;
    add.priority = plan::priority::kLearnedUnicast;
    add.idle_timeout = options_.idle_timeout;
    add.hard_timeout = options_.hard_timeout;
    add.buffer_id = pi.buffer_id;
    add.match.in_port = pi.in_port;
    add.match.eth_src = of::Masked<net::MacAddr>{eth->src, std::nullopt};
    add.match.eth_dst = of::Masked<net::MacAddr>{eth->dst, std::nullopt};
    add.instructions = {of::ApplyActions{{of::Output{out, 0}}}};
    dp.send(add);
    if (pi.buffer_id != of::kNoBuffer) return ctl::Disposition::kConsumed;  // the switch releases the buffer
  }
  of::PacketOut po;
  po.buffer_id = pi.buffer_id;
  po.in_port = pi.in_port;
  po.actions = {of::Output{out, 0}};
  if (pi.buffer_id == of::kNoBuffer) po.data = pi.data;
  dp.send(po);
  return ctl::Disposition::kConsumed;
}

std::optional<of::PortNo> LearningSwitch::learned_port(of::Dpid dpid, const net::MacAddr& mac) const {
  auto t = tables_.find(dpid);
  if (t == tables_.end()) return std::nullopt;
  auto it = t->second.find(mac);
  if (it == t->second.end()) return std::nullopt;
  return it->second;
}

}  // namespace fmc::apps

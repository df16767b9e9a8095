#include "support/flow_table.hpp"

#include <stdexcept>

#include "net/ethernet.hpp"
#include "net/ipv4.hpp"
#include "util/bytes.hpp"

namespace fmc::test_support {

namespace {

template <class T>
bool masked_eq(const of::Masked<T>& m, const T& v);

template <>
bool masked_eq(const of::Masked<net::Ipv4Addr>& m, const net::Ipv4Addr& v) {
  const std::uint32_t mask = m.mask ? m.mask->value : 0xffffffffu;
  return (m.value.value & mask) == (v.value & mask);
}

template <>
bool masked_eq(const of::Masked<net::MacAddr>& m, const net::MacAddr& v) {
  const std::uint64_t mask = m.mask ? m.mask->as_u64() : 0xffff'ffff'ffffull;
  return (m.value.as_u64() & mask) == (v.as_u64() & mask);
}

template <class T>
bool opt_masked(const std::optional<of::Masked<T>>& m, const std::optional<T>& v) {
  return !m || (v && masked_eq(*m, *v));
}

template <class T>
bool opt_eq(const std::optional<T>& m, const std::optional<T>& v) {
  return !m || (v && *m == *v);
}

bool matches(const of::Match& m, const Packet& p) {
  if (m.vlan_vid || m.tcp_src || m.tcp_dst || m.arp_op || m.arp_spa || m.arp_tpa || m.arp_sha || m.arp_tha)
    throw std::runtime_error("fake flow table: match field not modelled");
  return opt_eq(m.in_port, std::optional{p.in_port}) && opt_masked(m.eth_dst, std::optional{p.eth_dst}) &&
         opt_masked(m.eth_src, std::optional{p.eth_src}) && opt_eq(m.eth_type, std::optional{p.eth_type}) &&
         opt_eq(m.ip_proto, p.ip_proto) && opt_masked(m.ipv4_src, p.ipv4_src) && opt_masked(m.ipv4_dst, p.ipv4_dst) &&
         opt_eq(m.udp_src, p.udp_src) && opt_eq(m.udp_dst, p.udp_dst);
}

// Non-strict delete: every field the delete names, the entry has with the same value.
bool selected_by(const of::Match& del, const of::Match& entry) {
  return (!del.in_port || del.in_port == entry.in_port) && (!del.eth_dst || del.eth_dst == entry.eth_dst) &&
         (!del.eth_src || del.eth_src == entry.eth_src) && (!del.eth_type || del.eth_type == entry.eth_type) &&
         (!del.ip_proto || del.ip_proto == entry.ip_proto) && (!del.ipv4_src || del.ipv4_src == entry.ipv4_src) &&
         (!del.ipv4_dst || del.ipv4_dst == entry.ipv4_dst) && (!del.udp_src || del.udp_src == entry.udp_src) &&
         (!del.udp_dst || del.udp_dst == entry.udp_dst);
}

void set_field(const of::Match& f, Packet& p) {
  if (f.eth_src) p.eth_src = f.eth_src->value;
  else if (f.eth_dst) p.eth_dst = f.eth_dst->value;
  else if (f.ipv4_src) p.ipv4_src = f.ipv4_src->value;
  else if (f.ipv4_dst) p.ipv4_dst = f.ipv4_dst->value;
  else throw std::runtime_error("fake flow table: set-field not modelled");
}

std::string name_of(const of::FlowMod& fm) {
  char b[80];
  std::snprintf(b, sizeof b, "table %u priority %u cookie %016llx", fm.table_id, fm.priority,
                static_cast<unsigned long long>(fm.cookie));
  return b;
}

}  // namespace

Packet Packet::parse(of::PortNo in_port, Bytes frame) {
  const auto eth = net::EthernetView::parse(frame);
  if (!eth) throw std::runtime_error("fake flow table: not an Ethernet frame");
  Packet p;
  p.in_port = in_port;
  p.eth_src = eth->src;
  p.eth_dst = eth->dst;
  p.eth_type = eth->ethertype;
  if (eth->ethertype != net::ethertype::kIpv4) return p;
  const auto ip = net::Ipv4View::parse(eth->payload);
  if (!ip) return p;
  p.ip_proto = ip->protocol;
  p.ipv4_src = ip->src;
  p.ipv4_dst = ip->dst;
  if (ip->protocol == net::ip_proto::kUdp && ip->payload.size() >= 4) {
    p.udp_src = static_cast<std::uint16_t>(ip->payload[0] << 8 | ip->payload[1]);
    p.udp_dst = static_cast<std::uint16_t>(ip->payload[2] << 8 | ip->payload[3]);
  }
  return p;
}

bool Fate::to_controller() const {
  for (const auto& o : outputs)
    if (o.port == of::port::kController) return true;
  return false;
}

std::optional<Output> Fate::only() const {
  if (outputs.size() != 1) return std::nullopt;
  return outputs.front();
}

std::string describe(const Fate& f) {
  std::string s = f.dropped() ? "dropped" : "output to";
  for (const auto& o : f.outputs) s += " " + std::to_string(o.port.value);
  s += "; via";
  for (const auto& t : f.trace) s += " [" + t + "]";
  return s;
}

void FlowTable::apply(const of::FlowMod& fm) {
  if (check_)
    if (auto why = check_(fm)) throw std::runtime_error("flow-mod refused by the pipeline declaration: " + *why);
  switch (fm.command) {
    case of::FlowModCommand::kAdd:
      std::erase_if(entries_, [&](const of::FlowMod& e) {
        return e.table_id == fm.table_id && e.priority == fm.priority && e.match == fm.match;
      });
      entries_.push_back(fm);
      return;
    case of::FlowModCommand::kDelete:
      std::erase_if(entries_, [&](const of::FlowMod& e) {
        return (fm.table_id == of::kTableAll || e.table_id == fm.table_id) &&
               (e.cookie & fm.cookie_mask) == (fm.cookie & fm.cookie_mask) && selected_by(fm.match, e.match);
      });
      return;
    default: throw std::runtime_error("fake flow table: flow-mod command not modelled");
  }
}

Fate FlowTable::fate(const Packet& start) const {
  Fate fate;
  Packet p = start;
  int table = 0;  // -1: no goto, the pipeline ends
  for (int hops = 0; table >= 0 && hops < 256; ++hops) {
    const of::FlowMod* best = nullptr;
    for (const auto& e : entries_)
      if (e.table_id == table && matches(e.match, p) && (!best || e.priority > best->priority)) best = &e;
    if (!best) break;  // table miss without a miss flow: dropped
    fate.trace.push_back(name_of(*best));
    table = -1;
    for (const auto& ins : best->instructions) {
      if (const auto* apply = std::get_if<of::ApplyActions>(&ins)) {
        for (const auto& a : apply->actions) {
          if (const auto* sf = std::get_if<of::SetField>(&a)) set_field(sf->as_match(), p);
          else if (const auto* out = std::get_if<of::Output>(&a))
            fate.outputs.push_back({out->port == of::port::kInPort ? p.in_port : out->port, p});
          else throw std::runtime_error("fake flow table: action not modelled");
        }
      } else if (std::holds_alternative<of::MeterInstruction>(ins)) {
        // Metering is a rate, not a path: a packet that passes goes on.
      } else if (const auto* go = std::get_if<of::GotoTable>(&ins)) {
        if (go->table_id <= best->table_id) throw std::runtime_error("goto-table must go forward");
        table = go->table_id;
      } else {
        throw std::runtime_error("fake flow table: instruction not modelled");
      }
    }
  }
  return fate;
}

}  // namespace fmc::test_support

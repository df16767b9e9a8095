#include "rule_census.hpp"

#include "heap_meter.hpp"

#include <algorithm>

#include "fmc/pipeline/declaration.hpp"
#include "openflow/match.hpp"
#include "util/bytes.hpp"

namespace fmc::scale {

namespace {

// A flow's identity in its switch: table, priority and match (FNV-1a of their encoding).
std::uint64_t identity(const of::FlowMod& fm) {
  thread_local std::vector<std::uint8_t> bytes;
  bytes.clear();
  ByteWriter w(bytes);
  w.u8(fm.table_id);
  w.u16(fm.priority);
  of::encode_match13(fm.match, w);
  std::uint64_t h = 1469598103934665603ull;
  for (const auto b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

std::uint32_t exact(const std::optional<of::Masked<net::Ipv4Addr>>& f) { return f ? f->value.value : 0; }

// A delete whose match is only "IPv4 from (or to) this address".
bool only_address(const of::Match& m) {
  of::Match rest = m;
  rest.eth_type.reset();
  rest.ipv4_src.reset();
  rest.ipv4_dst.reset();
  return rest == of::Match{} && (m.ipv4_src.has_value() != m.ipv4_dst.has_value());
}
// Which role's controller writes a flow under design (c) (control_designs.hpp).
Role role_of(const of::FlowMod& fm) {
  namespace p = pipeline;
  const auto owner = fm.cookie & p::cookie::kOwnerMask;
  const bool per_endpoint = (fm.cookie & ~p::cookie::kOwnerMask) != 0;
  if (fm.table_id == p::table::kCorrespondent && fm.priority == p::priority::kTunnel) return Role::kCorrespondent;
  if (fm.table_id == p::table::kCorrespondent && fm.priority == p::priority::kBackToRouter) return Role::kHome;
  if (fm.table_id == p::table::kForward && owner == p::cookie::kHomeForwarding && per_endpoint) return Role::kHome;
  return Role::kForeign;  // a visitor's rewrites and forwarding, and the switch's own flows (detection)
}
}  // namespace

of::Xid RuleCensus::send(const of::Message& msg) {
  const Charge to_census(Account::kCensus);
  if (std::holds_alternative<of::PacketOut>(msg)) {
    ++packet_outs;
    return of::Xid{0};
  }
  const auto* fm = std::get_if<of::FlowMod>(&msg);
  if (!fm) {
    ++unsupported;
    return of::Xid{0};
  }
  ++flow_mods;
  if (!tally) return of::Xid{0};
  const bool all_tables = fm->table_id == of::kTableAll;
  if (fm->command == of::FlowModCommand::kAdd) add(*fm);
  else if (fm->command == of::FlowModCommand::kDelete && all_tables && fm->cookie_mask == ~std::uint64_t{0} &&
           fm->match == of::Match{})
    delete_by_cookie(fm->cookie);
  else if (fm->command == of::FlowModCommand::kDelete && all_tables && only_address(fm->match))
    delete_by_address(*fm);
  else ++unsupported;
  return of::Xid{0};
}

void RuleCensus::add(const of::FlowMod& fm) {
  const auto id = identity(fm);
  const Flow f{fm.cookie, exact(fm.match.ipv4_src), exact(fm.match.ipv4_dst), role_of(fm),
               fm.table_id == pipeline::table::kForward && fm.priority == pipeline::priority::kDeliverLocal};
  auto [at, added] = flows_.try_emplace(id, f);
  if (!added) {
    --by_role_[std::size_t(at->second.role)];
    deliveries_ -= at->second.delivers;
    at->second = f;
  }
  ++by_role_[std::size_t(f.role)];
  deliveries_ += f.delivers;
  by_cookie_[f.cookie].push_back(id);
  if (f.ipv4_src) by_address_[f.ipv4_src].push_back(id);
  if (f.ipv4_dst && f.ipv4_dst != f.ipv4_src) by_address_[f.ipv4_dst].push_back(id);
}

void RuleCensus::erase(std::unordered_map<std::uint64_t, Flow>::iterator f) {
  --by_role_[std::size_t(f->second.role)];
  deliveries_ -= f->second.delivers;
  flows_.erase(f);
}

void RuleCensus::delete_by_cookie(std::uint64_t cookie) {
  auto it = by_cookie_.find(cookie);
  if (it == by_cookie_.end()) return;
  for (const auto id : it->second) {
    auto f = flows_.find(id);
    if (f != flows_.end() && f->second.cookie == cookie) erase(f);
  }
  by_cookie_.erase(it);
}

void RuleCensus::delete_by_address(const of::FlowMod& fm) {
  const bool as_src = fm.match.ipv4_src.has_value();
  const std::uint32_t address = as_src ? exact(fm.match.ipv4_src) : exact(fm.match.ipv4_dst);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return;
  auto& ids = it->second;
  std::erase_if(ids, [&](std::uint64_t id) {
    auto f = flows_.find(id);
    if (f == flows_.end()) return true;  // gone since
    const bool named = (as_src ? f->second.ipv4_src : f->second.ipv4_dst) == address;
    if (named && (f->second.cookie & fm.cookie_mask) == (fm.cookie & fm.cookie_mask)) {
      erase(f);
      return true;
    }
    return false;
  });
  if (ids.empty()) by_address_.erase(it);
}

}  // namespace fmc::scale

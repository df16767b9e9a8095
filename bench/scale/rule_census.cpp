#include "rule_census.hpp"

#include "heap_meter.hpp"

#include <algorithm>

#include "fmc/pipeline/declaration.hpp"
#include "openflow/match.hpp"
#include "util/bytes.hpp"

namespace fmc::scale {

namespace {

constexpr std::uint64_t kIdentity = (1ull << 60) - 1;
constexpr int kRoleShift = 60;
constexpr std::uint64_t kDelivers = 1ull << 62;

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
  h &= kIdentity;
  return h < 2 ? h + 2 : h;  // 0 and 1 mark empty and erased slots
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
  if (std::holds_alternative<of::PacketOut>(msg)) return of::Xid{0};  // holds no rule
  const auto* fm = std::get_if<of::FlowMod>(&msg);
  if (!fm) {
    ++unsupported;
    return of::Xid{0};
  }
  ++flow_mods;
  if (!tally) return of::Xid{0};
  const Charge to_census(Account::kCensus);  // what the tables below take
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

std::uint64_t RuleCensus::FlowHash::operator()(const FlowSlot& s) const { return mix(s.id & kIdentity); }
std::uint64_t RuleCensus::CookieHash::operator()(const CookieSlot& s) const { return mix(s.cookie); }
std::uint64_t RuleCensus::AddressHash::operator()(const AddressSlot& s) const { return mix(s.address); }

RuleCensus::FlowSlot* RuleCensus::flow(std::uint64_t identity) {
  FlowSlot* found = nullptr;
  flows_.probe(mix(identity), [&](FlowSlot& s) { return (s.id & kIdentity) == identity && (found = &s); });
  return found;
}

void RuleCensus::count(const FlowSlot& f, int sign) {
  by_role_[(f.id >> kRoleShift) & 3] += sign;
  deliveries_ += (f.id & kDelivers) ? sign : 0;
}

void RuleCensus::add(const of::FlowMod& fm) {
  const auto id = identity(fm);
  const bool delivers = fm.table_id == pipeline::table::kForward && fm.priority == pipeline::priority::kDeliverLocal;
  const std::uint64_t tagged = id | (std::uint64_t(role_of(fm)) << kRoleShift) | (delivers ? kDelivers : 0);
  if (FlowSlot* held = flow(id)) {  // the same table, priority and match: replaced
    count(*held, -1);
    if (held->cookie != fm.cookie) {
      by_cookie_.probe(mix(held->cookie), [&](CookieSlot& c) {
        return c.id == id && c.cookie == held->cookie && (by_cookie_.erase(c), true);
      });
      by_cookie_.insert(mix(fm.cookie)) = {id, fm.cookie};
    }
    held->id = tagged;
    held->cookie = fm.cookie;
    count(*held, +1);
    return;
  }
  FlowSlot& f = flows_.insert(mix(id));
  f = {tagged, fm.cookie, exact(fm.match.ipv4_src), exact(fm.match.ipv4_dst)};
  count(f, +1);
  by_cookie_.insert(mix(fm.cookie)) = {id, fm.cookie};
  if (f.ipv4_src) by_address_.insert(mix(f.ipv4_src)) = {id, f.ipv4_src};
  if (f.ipv4_dst && f.ipv4_dst != f.ipv4_src) by_address_.insert(mix(f.ipv4_dst)) = {id, f.ipv4_dst};
}

void RuleCensus::remove(FlowSlot& f) {
  const std::uint64_t id = f.id & kIdentity;
  count(f, -1);
  by_cookie_.probe(mix(f.cookie), [&](CookieSlot& c) { return c.id == id && c.cookie == f.cookie && (by_cookie_.erase(c), true); });
  for (const std::uint32_t a : {f.ipv4_src, f.ipv4_dst})
    if (a) by_address_.probe(mix(a), [&](AddressSlot& s) { return s.id == id && s.address == a && (by_address_.erase(s), true); });
  flows_.erase(f);
}

void RuleCensus::delete_by_cookie(std::uint64_t cookie) {
  thread_local std::vector<std::uint64_t> ids;
  ids.clear();
  by_cookie_.probe(mix(cookie), [&](const CookieSlot& c) {
    if (c.cookie == cookie) ids.push_back(c.id);
    return false;
  });
  for (const auto id : ids)
    if (FlowSlot* f = flow(id)) remove(*f);
}

void RuleCensus::delete_by_address(const of::FlowMod& fm) {
  const bool as_src = fm.match.ipv4_src.has_value();
  const std::uint32_t address = as_src ? exact(fm.match.ipv4_src) : exact(fm.match.ipv4_dst);
  thread_local std::vector<std::uint64_t> ids;
  ids.clear();
  by_address_.probe(mix(address), [&](const AddressSlot& s) {
    if (s.address == address) ids.push_back(s.id);
    return false;
  });
  for (const auto id : ids) {
    FlowSlot* f = flow(id);
    if (f && (as_src ? f->ipv4_src : f->ipv4_dst) == address &&
        (f->cookie & fm.cookie_mask) == (fm.cookie & fm.cookie_mask))
      remove(*f);
  }
}

}  // namespace fmc::scale

#pragma once
// A switch for packet-fate tests: a Datapath whose flow-mods go into a fake
// flow table checked against a declaration, which keeps the PACKET_OUTs and
// other messages it was sent (each encoded and decoded again, as the wire
// would), and answers barriers at once unless told to hold them.
#include <deque>
#include <stdexcept>
#include <utility>
#include <vector>

#include "controller/datapath.hpp"
#include "openflow/codec.hpp"
#include "support/flow_table.hpp"

namespace fmc::test_support {

struct SentPacket {
  of::PortNo in_port;
  of::ActionList actions;
  std::vector<std::uint8_t> data;
};

class FakeSwitch : public ctl::Datapath {
 public:
  FakeSwitch(of::Dpid dpid, FlowTable::Check check) : table(std::move(check)), dpid_(dpid) {}
  of::Dpid dpid() const override { return dpid_; }
  of::Version version() const override { return of::Version::V13; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  of::Xid send(const of::Message& msg) override {
    const of::Xid xid{++xid_};
    std::vector<std::uint8_t> bytes;
    if (!of::encode(msg, of::Version::V13, xid, bytes)) throw std::runtime_error("unencodable message");
    auto env = of::decode(bytes);
    if (!env) throw std::runtime_error("message that does not decode");
    if (const auto* fm = std::get_if<of::FlowMod>(&env->message)) {
      // A full table refuses what would add flows, as OVS does with overflow_policy=refuse.
      if (table_full && fm->command == of::FlowModCommand::kAdd)
        refused.push_back({xid, static_cast<std::uint16_t>(of::code::kTableFull.type), of::code::kTableFull.value});
      else table.apply(*fm);
    }
    else if (const auto* po = std::get_if<of::PacketOut>(&env->message))
      packet_outs.push_back({po->in_port, po->actions, {po->data.begin(), po->data.end()}});
    else other.push_back(std::move(env->message));
    ++messages;
    return xid;
  }
  void barrier(ctl::BarrierCallback done) override {
    ctl::BarrierOutcome outcome;
    if (!refused.empty()) outcome = {ctl::BarrierOutcome::Status::kFailed, std::exchange(refused, {})};
    if (hold_barriers) held.push_back(std::move(done));
    else done(outcome);
  }
  Instant received_at() const override { return received; }
  void add_port(std::uint32_t number) {
    of::Port p;
    p.port_no = of::PortNo{number};
    p.name = "p" + std::to_string(number);
    ports_.push_back(p);
  }
  template <class T>
  std::vector<T> other_of() const {
    std::vector<T> out;
    for (const auto& m : other)
      if (const auto* t = std::get_if<T>(&m)) out.push_back(*t);
    return out;
  }
  void release_barriers() {
    auto pending = std::move(held);
    held.clear();
    for (auto& b : pending) b(ctl::BarrierOutcome{});
  }

  // Where a PACKET_OUT goes: through the flow table for OFPP_TABLE, else
  // straight out of the ports its actions name.
  Fate fate_of(const SentPacket& s) const {
    Fate f;
    for (const auto& a : s.actions) {
      const auto* out = std::get_if<of::Output>(&a);
      if (!out) continue;
      if (out->port == of::port::kTable) {
        auto through = table.fate(s.in_port, s.data);
        f.outputs.insert(f.outputs.end(), through.outputs.begin(), through.outputs.end());
        f.trace.insert(f.trace.end(), through.trace.begin(), through.trace.end());
      } else {
        f.outputs.push_back({out->port == of::port::kInPort ? s.in_port : out->port, Packet::parse(s.in_port, s.data)});
      }
    }
    return f;
  }

  FlowTable table;
  std::vector<SentPacket> packet_outs;
  std::vector<of::Message> other;
  std::size_t messages = 0;
  bool hold_barriers = false;
  Instant received{};  // when the message being handled "arrived" (epoch: unknown)
  bool table_full = false;                   // refuse flow-mods that add (OFPFMFC_TABLE_FULL)
  std::vector<ctl::FailedMessage> refused;   // since the last barrier
  std::vector<ctl::BarrierCallback> held;

 private:
  of::Dpid dpid_;
  std::vector<of::Port> ports_;
  std::uint32_t xid_ = 0;
};

}  // namespace fmc::test_support

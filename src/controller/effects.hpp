#pragma once
// What an app wants done, returned from its handlers instead of done by it:
// messages per switch (in order), barrier groups ("tell me when these are
// confirmed on every switch"), and messages to send only after the events
// the handler raised have been handled. Apps never hold a Datapath; the
// EffectExecutor (one per event loop) carries effects out.
#include <functional>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

#include "controller/barrier_tracker.hpp"
#include "openflow/messages.hpp"
#include "util/inline_vector.hpp"
#include "util/recycling_allocator.hpp"

namespace fmc::ctl {

struct Outgoing {
  template <class M>
  Outgoing(of::Dpid to, M&& m) : dpid(to), message(std::forward<M>(m)) {}
  // A message of type M built in place (then filled in where it lies).
  template <class M>
  Outgoing(of::Dpid to, std::in_place_type_t<M> type) : dpid(to), message(type) {}
  of::Dpid dpid;
  of::Message message;
};

// The outcome of a barrier group: every switch of the group confirmed (ok),
// or at least one reported an error or went away.
struct GroupOutcome {
  bool ok = true;
  std::size_t switches = 0;             // that took part (connected when the group was sent)
  std::vector<FailedMessage> failures;  // the errors the switches answered with
};

// The switches of a barrier group: room inline for the few a move touches.
using SwitchGroup = InlineVector<of::Dpid, 8>;

struct BarrierGroup {
  SwitchGroup dpids;
  std::function<void(const GroupOutcome&)> done;
};

class Effects {
 public:
  Effects() = default;
  Effects(Effects&&) = default;
  Effects& operator=(Effects&&) = default;
  Effects(const Effects&) = delete;
  Effects& operator=(const Effects&) = delete;

  // A Message, or a FlowMod, PacketOut, ... built in place in the list (a move path makes thousands a second).
  template <class M>
  void send(of::Dpid dpid, M&& message) {
    messages.emplace_back(dpid, std::forward<M>(message));
  }
  // A flow-mod for `dpid` built in place at the end of the list, to be filled in there.
  of::FlowMod& flow_mod(of::Dpid dpid) {
    return *std::get_if<of::FlowMod>(&messages.emplace_back(dpid, std::in_place_type<of::FlowMod>).message);
  }
  // Each message of a list, in order: moved out of a list given as an rvalue.
  template <class Range>
  void send_all(of::Dpid dpid, Range&& messages_in) {
    for (auto& m : messages_in) {
      if constexpr (std::is_lvalue_reference_v<Range>) send(dpid, m);
      else send(dpid, std::move(m));
    }
  }
  // A PACKET_OUT of `frame` (kept alive by these effects) with `actions`.
  void packet_out(of::Dpid dpid, of::PortNo in_port, of::ActionList actions, std::vector<std::uint8_t> frame) {
    messages.emplace_back(dpid, make_packet_out(in_port, std::move(actions), std::move(frame)));
  }
  // Sent after every event published while producing these effects has been
  // handled: a packet re-injected through flows that those events install.
  void packet_out_after_events(of::Dpid dpid, of::PortNo in_port, of::ActionList actions,
                               std::vector<std::uint8_t> frame) {
    after_events.emplace_back(dpid, make_packet_out(in_port, std::move(actions), std::move(frame)));
  }
  // A barrier on each of `dpids` after their messages; `done` once all replied.
  void confirm(SwitchGroup dpids, std::function<void(const GroupOutcome&)> done) {
    barriers.push_back({std::move(dpids), std::move(done)});
  }
  void append(Effects&& other) {
    take_all(frames_, other.frames_);  // the frames' buffers do not move
    take_all(messages, other.messages);
    take_all(after_events, other.after_events);
    take_all(barriers, other.barriers);
  }
  bool empty() const { return messages.empty() && after_events.empty() && barriers.empty(); }

  // Room inline for one of each: most handlers send one packet or start one group (no allocation).
  // A move's forty-odd flow-mods take a recycled buffer, not malloc's (util/recycling_allocator.hpp).
  using Messages = InlineVector<Outgoing, 1, RecyclingAllocator<Outgoing, 64>>;
  Messages messages;
  Messages after_events;
  InlineVector<BarrierGroup, 1> barriers;

 private:
  of::PacketOut make_packet_out(of::PortNo in_port, of::ActionList actions, std::vector<std::uint8_t> frame) {
    of::PacketOut po;
    po.in_port = in_port;
    po.actions = std::move(actions);
    po.data = frames_.emplace_back(std::move(frame));
    return po;
  }
  // `from`'s elements after `into`'s; the whole list when `into` has none (no copy, no growth).
  template <class List>
  static void take_all(List& into, List& from) {
    if (from.empty()) return;
    if (into.empty()) {
      into = std::move(from);
      return;
    }
    for (auto& x : from) into.emplace_back(std::move(x));
    from.clear();
  }
  // What the PACKET_OUTs' data views: each frame's buffer stays where it is when this list grows
  // (room inline for the one or two frames a handler sends).
  InlineVector<std::vector<std::uint8_t>, 2> frames_;
};

}  // namespace fmc::ctl

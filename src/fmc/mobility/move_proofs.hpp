#pragma once
// Moves that a DHCP message claims, being proven. Anyone can send DHCP with
// any hardware address, so for an endpoint whose old location is still live
// the claim alone explains nothing: the old location is asked first (an ARP
// probe out of its port, RFC 5227). An answer from there means the endpoint
// never left: the claim is disproved, and claims from the same place are
// refused without asking again for a hold time. Silence for the proof window
// means it did leave: the move is accepted, and the claim's packet, held
// meanwhile, goes through the new flows. One proof per endpoint at a time,
// so a flood of claims sends at most one probe per window and holds one packet.
// Endpoints are known by their Location Manager number (never reused).
#include <chrono>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "fmc/events/clock.hpp"
#include "fmc/events/events.hpp"
#include "util/inline_vector.hpp"

namespace fmc {

class MoveProofs {
 public:
  static constexpr std::chrono::milliseconds kWindow{1000};  // for an answer from the old location
  static constexpr std::chrono::seconds kHold{10};           // a disproved claim is refused at once

  struct Proof {
    Location from, to;
    Clock::Steady asked;
    std::vector<std::uint8_t> claim;  // the packet that claimed the move
    bool answered = false;            // the old location answered: disproved
  };
  enum class Claim {
    kStarted,    // a new proof: probe the old location
    kWaiting,    // a proof is under way: wait for it
    kDisproved,  // this claim was disproved within the hold time: refuse it
  };

  Claim claim(std::uint32_t endpoint, const Location& from, const Location& to, Clock::Steady now,
              std::vector<std::uint8_t> packet) {
    auto it = proofs_.find(endpoint);
    if (it != proofs_.end()) {
      const Proof& p = it->second;
      if (!p.answered) return Claim::kWaiting;
      if (p.to == to && now - p.asked < kHold) return Claim::kDisproved;
    }
    proofs_.insert_or_assign(endpoint, Proof{from, to, now, std::move(packet)});
    return Claim::kStarted;
  }
  // `endpoint` was seen at its location; true if that disproves a claim under way.
  bool seen_in_place(std::uint32_t endpoint) {
    auto it = proofs_.find(endpoint);
    if (it == proofs_.end() || it->second.answered) return false;
    it->second.answered = true;
    return true;
  }
  const Proof* find(std::uint32_t endpoint) const {
    auto it = proofs_.find(endpoint);
    return it == proofs_.end() ? nullptr : &it->second;
  }
  void drop(std::uint32_t endpoint) { proofs_.erase(endpoint); }
  // The claims whose window passed in silence by `now` (removed: proven), and
  // disproved ones past their hold (forgotten). Room inline for the few a tick ends.
  using Proven = InlineVector<std::pair<std::uint32_t, Proof>, 2>;
  Proven proven(Clock::Steady now) {
    Proven out;
    for (auto it = proofs_.begin(); it != proofs_.end();) {
      const auto age = now - it->second.asked;
      if (!it->second.answered && age >= kWindow) out.emplace_back(it->first, std::move(it->second));
      if ((!it->second.answered && age >= kWindow) || age >= kHold) it = proofs_.erase(it);
      else ++it;
    }
    return out;
  }
  std::size_t size() const { return proofs_.size(); }

 private:
  std::map<std::uint32_t, Proof> proofs_;
};

}  // namespace fmc

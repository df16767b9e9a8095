#include "link_emulator.hpp"

#include "net/ethernet.hpp"

namespace fmc::linkem {

std::chrono::microseconds LinkEmulator::delay_for(Bytes frame) const {
  const auto eth = net::EthernetView::parse(frame);
  if (eth && eth->ethertype == net::ethertype::kIpv4) {
    if (const auto ip = net::Ipv4View::parse(eth->payload)) {
      // The longest matching prefix wins, as in routing (ranges may overlap).
      const DelayRule* best = nullptr;
      for (const auto& rule : config_.rules)
        if ((rule.prefix.contains(ip->src) || rule.prefix.contains(ip->dst)) && (!best || rule.prefix.length > best->prefix.length))
          best = &rule;
      if (best) return best->delay;
    }
  }
  return config_.default_delay;
}

void LinkEmulator::receive(Side from, Bytes frame, Clock::time_point now) {
  if (config_.loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < config_.loss) {
    ++dropped_;
    return;
  }
  const Side to = from == Side::kA ? Side::kB : Side::kA;
  auto release = now + delay_for(frame);
  if (config_.rate_bps > 0) {
    // Serialisation: a frame leaves after the previous one in its direction.
    auto& busy = busy_until_[static_cast<int>(to)];
    const auto start = std::max(busy, now);
    busy = start + std::chrono::nanoseconds(frame.size() * 8 * 1'000'000'000ull / config_.rate_bps);
    release = std::max(release, busy);
  }
  queue_.push(Pending{release, seq_++, to, std::vector<std::uint8_t>(frame.begin(), frame.end())});
}

std::vector<Pending> LinkEmulator::due(Clock::time_point now) {
  std::vector<Pending> out;
  while (!queue_.empty() && queue_.top().release <= now) {
    out.push_back(queue_.top());
    queue_.pop();
  }
  return out;
}

std::optional<Clock::time_point> LinkEmulator::next_release() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().release;
}

}  // namespace fmc::linkem

#pragma once
// The time the Follow-Me apps read: one injected type, so tests drive time by
// hand. Two readings of one clock: `wall` stamps what is stored or shown (it
// may jump when the host's time is set), `steady` measures durations,
// deadlines and round trips (it never jumps).
#include <chrono>
#include <cstdint>

namespace fmc {

class Clock {
 public:
  using Wall = std::chrono::system_clock::time_point;
  using Steady = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual Wall wall() const = 0;
  virtual Steady steady() const = 0;

  std::int64_t wall_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall().time_since_epoch()).count();
  }
  std::int64_t steady_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(steady().time_since_epoch()).count();
  }
  double steady_s() const { return std::chrono::duration<double>(steady().time_since_epoch()).count(); }
};

class SystemClock final : public Clock {
 public:
  Wall wall() const override { return std::chrono::system_clock::now(); }
  Steady steady() const override { return std::chrono::steady_clock::now(); }
};

// Moves only when told; both readings move together (tests, replays).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::microseconds since_epoch = std::chrono::seconds(1'000'000)) : now_(since_epoch) {}
  Wall wall() const override { return Wall{std::chrono::duration_cast<Wall::duration>(now_)}; }
  Steady steady() const override { return Steady{std::chrono::duration_cast<Steady::duration>(now_)}; }
  void advance(std::chrono::microseconds d) { now_ += d; }
  void set(std::chrono::microseconds since_epoch) { now_ = since_epoch; }
  std::chrono::microseconds now() const { return now_; }

 private:
  std::chrono::microseconds now_;
};

}  // namespace fmc

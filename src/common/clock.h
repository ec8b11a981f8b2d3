// Clock: the only way trailwatch code asks what time it is.
//
// Everything time-dependent (dedupe and threshold windows, outbox due times, backoff, schedule
// fall-backs, shutdown grace) takes a `Clock&` instead of calling std::chrono directly, so tests
// drive time with FakeClock and never sleep. Business-hours schedules never use the clock at
// all: they are evaluated on the event's own eventTime.
//
// Thread-safety: SystemClock is stateless. FakeClock is safe to read and advance from several
// threads (its times are atomics).
#pragma once

#include <atomic>
#include <chrono>

namespace tw {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Wall-clock time: stored in the state store (outbox due times, window starts).
  virtual WallTime Now() const = 0;
  // Monotonic time: timeouts, backoff and deadlines within one process.
  virtual MonoTime Monotonic() const = 0;
};

// The real clocks.
class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

// A clock that moves only when told to. Both times start at the given wall time (the monotonic
// one at an arbitrary epoch) and advance together.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime(std::chrono::seconds(1'790'000'000)))
      : wall_ns_(start.time_since_epoch().count()) {}

  WallTime Now() const override {
    return WallTime(WallTime::duration(wall_ns_.load(std::memory_order_acquire)));
  }
  MonoTime Monotonic() const override {
    return MonoTime(std::chrono::duration_cast<MonoTime::duration>(
        std::chrono::nanoseconds(mono_ns_.load(std::memory_order_acquire))));
  }
  void Advance(std::chrono::nanoseconds by) {
    wall_ns_.fetch_add(std::chrono::duration_cast<WallTime::duration>(by).count(),
                       std::memory_order_acq_rel);
    mono_ns_.fetch_add(by.count(), std::memory_order_acq_rel);
  }

 private:
  std::atomic<WallTime::rep> wall_ns_;
  std::atomic<int64_t> mono_ns_{0};
};

}  // namespace tw

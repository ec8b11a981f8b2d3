// Conversions between Clock::WallTime and the Unix milliseconds the state stores keep.
//
// Both implementations convert every time they are given with ToUnixMillis before storing or
// comparing it, so that the in-memory store rounds exactly as SQLite does. Internal to state/.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace tw::state {

// Floors to the millisecond (also before 1970).
inline int64_t ToUnixMillis(Clock::WallTime time) {
  return std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

inline Clock::WallTime FromUnixMillis(int64_t millis) {
  return Clock::WallTime(
      std::chrono::duration_cast<Clock::WallTime::duration>(std::chrono::milliseconds(millis)));
}

}  // namespace tw::state

// LogLine: the daemon's one log format on stderr,
// "2026-12-01T11:02:03Z trailwatch: <level>: <message>\n", flushed at once.
//
// Callers never pass secrets (components report a secret by its key or origin only) and escape
// attacker-controlled text before it gets here. Thread-safety: one fprintf per line, so lines
// from several threads do not interleave.
#pragma once

#include <string_view>

namespace tw {

// Writes one line with the current UTC time (wall clock: a log stamp, never a decision).
void LogLine(const char* level, std::string_view message);

}  // namespace tw

// Retry-After (RFC 9110 section 10.2.3): how long a server asks us to wait.
//
// The value is either delay-seconds (a non-negative decimal integer) or an HTTP-date. Slack
// sends seconds on a 429 (webhooks and Web API alike); a 503 from a proxy may send a date.
// Accepted date form: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the one RFC 9110 says
// senders must generate; the obsolete RFC 850 and asctime forms are rejected (nullopt), and the
// caller then falls back to its own backoff. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"

namespace tw::http {

// The delay `value` asks for, relative to `now` (used only for an HTTP-date; a date in the past
// gives zero). Leading/trailing spaces are ignored. Seconds are capped at one day, so a hostile
// or broken server cannot park a sink for years. nullopt: not a valid Retry-After value.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         Clock::WallTime now);

}  // namespace tw::http

// Credentials and CredentialsProvider: where AWS keys come from.
//
// A provider is one source of credentials (environment variables, a profile, the instance
// metadata service ...). CredentialChain (credential_chain.h) asks them in the AWS SDKs' order
// and caches what it gets. A provider is configured or not: Fetch() returns kNotFound when its
// configuration is absent (the chain then asks the next one) and any other error when it is
// configured but failed (the chain stops there and reports it, as the SDKs do, rather than
// silently falling through to other keys).
//
// Secrets: `secret_access_key` and `session_token` never appear in an Error message, a log line
// or a ToString(); errors name the provider and the file, variable or endpoint at fault.
//
// Thread-safety: Credentials is a value. A provider is not thread-safe by itself; the chain
// serialises calls to it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  // When temporary credentials stop working; nullopt for long-term keys.
  std::optional<Clock::WallTime> expiration;
  // Which provider produced them: "environment", "web-identity", "profile", "assume-role",
  // "process", "container" or "imds" (what `trailwatch aws whoami` prints).
  std::string source;

  // "AKID... from <source>[, expires <ISO time>]": safe to print (no secret).
  std::string Describe() const;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // The provider's stable name (the `source` of what it returns).
  virtual std::string_view Name() const = 0;
  // Fetches fresh credentials. kNotFound: not configured (the chain moves on). Other codes:
  // configured but failed (kUnavailable for network trouble, kParse for a bad answer,
  // kInvalidArgument for bad configuration).
  [[nodiscard]] virtual Result<Credentials> Fetch() = 0;
};

// Parses the timestamps AWS uses for expirations: "2026-12-01T11:00:00Z", with optional
// fractional seconds and "Z", "+00:00" or another offset. kParse otherwise. A time after what
// Clock::WallTime holds (2262) is its max(); one before it (1678) is kParse.
[[nodiscard]] Result<Clock::WallTime> ParseIso8601(std::string_view text);

// Formats `t` as "2026-12-01T11:00:00Z" (UTC, whole seconds).
std::string FormatIso8601(Clock::WallTime t);

}  // namespace tw::aws

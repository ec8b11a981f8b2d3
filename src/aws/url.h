// URL pieces and the percent-encoding AWS uses (RFC 3986 "unreserved" kept, everything else
// %XX with upper-case hex; a space is %20, never '+').
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace tw::aws {

// Percent-encodes every byte of `s` except A-Z a-z 0-9 - . _ ~ (and '/' when `keep_slash`).
// This is the UriEncode() of the SigV4 documentation.
std::string UriEncode(std::string_view s, bool keep_slash = false);

// Decodes %XX escapes (either hex case). A '%' not followed by two hex digits stays as is; '+'
// stays '+' (AWS query strings never use '+' for a space).
std::string PercentDecode(std::string_view s);

struct UrlParts {
  std::string scheme;  // lower case: "https" or "http"
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // empty when not given
  std::string path;    // "/" when empty; as on the wire
  std::string query;   // without '?'; as on the wire
  bool ipv6 = false;   // host was a bracketed literal

  // "host" or "host:port" as the Host header carries it (the port only when it is not the
  // scheme's default; IPv6 literals in brackets).
  std::string HostHeader() const;
  // "scheme://host[:port]" as given.
  std::string Origin() const;
};

// Splits an absolute http(s) URL. kInvalidArgument when the scheme is not http/https or the
// host is empty. A fragment ("#...") is dropped.
[[nodiscard]] Result<UrlParts> ParseUrl(std::string_view url);

// True when `host` is an IPv4 or IPv6 literal or "localhost" (case-insensitive): hosts where S3
// virtual-hosted addressing cannot work, so path-style is used (botocore does the same).
bool IsIpOrLocalhost(std::string_view host);

}  // namespace tw::aws

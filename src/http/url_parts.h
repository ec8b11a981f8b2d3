// UrlParts: an http(s) URL split into what a client connects to and what it sends.
//
// For the transport that parses URLs itself (socket_http_client.cc); libcurl has its own
// parser. Only what an HttpClient needs:
// scheme://host[:port][/path][?query], the fragment dropped (a client never sends it), the
// target kept byte for byte (no re-encoding: SigV4 signed it as given).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace tw::http {

struct UrlParts {
  std::string origin;  // "https|host|port": the key of a kept-alive connection
  bool tls = false;    // https
  std::string host;    // without the brackets of an IPv6 literal
  bool ipv6 = false;   // host was written as [literal]
  int port = 0;        // the explicit port, else 80 / 443
  std::string target;  // path and query, "/" at least
};

// Errors: kInvalidArgument for a missing scheme, a scheme other than http/https, user info, an
// empty host, unbalanced IPv6 brackets, or a port that is not 1-65535 in decimal.
[[nodiscard]] Result<UrlParts> SplitUrl(std::string_view url);

}  // namespace tw::http

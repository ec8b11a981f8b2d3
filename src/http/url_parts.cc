#include "http/url_parts.h"

#include <algorithm>

namespace tw::http {

Result<UrlParts> SplitUrl(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "http client: malformed URL (no scheme)");
  }
  const std::string_view scheme = url.substr(0, sep);
  if (scheme != "http" && scheme != "https") {
    return Fail(ErrorCode::kInvalidArgument,
                "http client: unsupported scheme " + std::string(scheme));
  }
  UrlParts out;
  out.tls = scheme == "https";
  std::string_view rest = url.substr(sep + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t end = std::min(rest.find('/'), rest.find('?'));
  const std::string_view authority = rest.substr(0, end);
  const auto bad_host = [] {
    return Fail(ErrorCode::kInvalidArgument, "http client: malformed URL (host)");
  };
  if (authority.empty() || authority.find_first_of("@ \t\r\n") != std::string_view::npos) {
    return bad_host();
  }
  std::string_view host = authority, port;
  if (authority.front() == '[') {  // [IPv6]
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return bad_host();
    host = authority.substr(1, close - 1);
    out.ipv6 = true;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_host();
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad_host();
  out.host = std::string(host);
  out.port = out.tls ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad_host();
    }
    out.port = std::stoi(std::string(port));
    if (out.port < 1 || out.port > 65535) return bad_host();
  }
  out.origin = std::string(scheme) + "|" + out.host + "|" + std::to_string(out.port);
  out.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (out.target.front() == '?') out.target.insert(0, "/");
  return out;
}

}  // namespace tw::http

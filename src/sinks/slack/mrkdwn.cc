#include "sinks/slack/mrkdwn.h"

#include "common/strings.h"

namespace tw::sinks::slack {
namespace {

// Largest n <= limit such that s[0, n) ends on a UTF-8 boundary and outside an entity.
size_t SafeCut(std::string_view s, size_t limit) {
  if (limit >= s.size()) return s.size();
  size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] continues
  // An entity is at most "&amp;" (5 bytes): do not end between '&' and ';'.
  const size_t look = n >= 6 ? n - 6 : 0;
  const size_t amp = s.substr(look, n - look).rfind('&');
  if (amp != std::string_view::npos) {
    const size_t at = look + amp;
    if (s.substr(at, n - at).find(';') == std::string_view::npos) n = at;
  }
  return n;
}

}  // namespace

std::string EscapeMrkdwn(std::string_view s) {
  const std::string visible = EscapeForTerminal(s);
  std::string out;
  out.reserve(visible.size());
  for (char c : visible) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string TruncateMrkdwn(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  const size_t room =
      max_bytes > kTruncatedMarker.size() + 1 ? max_bytes - kTruncatedMarker.size() - 1 : 0;
  std::string out(s.substr(0, SafeCut(s, room)));
  out += ' ';
  out += kTruncatedMarker;
  return out;
}

std::string MrkdwnCode(std::string_view s, size_t max_bytes) {
  if (s.empty()) return "—";
  std::string no_ticks;
  no_ticks.reserve(s.size());
  for (char c : s) {
    if (c == '`') {
      no_ticks += "\xCB\x8B";  // U+02CB
    } else {
      no_ticks += c;
    }
  }
  return "`" + TruncateMrkdwn(EscapeMrkdwn(no_ticks), max_bytes > 2 ? max_bytes - 2 : 0) + "`";
}

}  // namespace tw::sinks::slack

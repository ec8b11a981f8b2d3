// Escaping untrusted text for Slack mrkdwn.
//
// Slack parses `<...>` in mrkdwn as control sequences (links `<url|text>`, mentions `<!channel>`,
// `<@U..>`, `<#C..>`, dates `<!date^..>`), and only `&`, `<`, `>` can be escaped (as `&amp;`,
// `&lt;`, `&gt;`; Slack decodes only those three, so nothing else is entity-encoded). Formatting
// characters (`*`, `_`, `~`, backticks) cannot be escaped at all; untrusted values therefore go
// inside a code span, where Slack applies no formatting and no auto-linking, after backticks in
// the value are replaced by U+02CB (modifier letter grave accent, which looks alike). Control
// characters and invalid UTF-8 are made visible first (common/strings.h EscapeForTerminal:
// `\x0a`, U+FFFD), so a value cannot break out of its line or its code span.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tw::sinks::slack {

// `s` with control characters shown as \xNN, invalid UTF-8 as U+FFFD, and `&`, `<`, `>`
// replaced by `&amp;`, `&lt;`, `&gt;`. Safe to place anywhere in mrkdwn text (formatting
// characters still format: use MrkdwnCode for attacker-controlled values).
std::string EscapeMrkdwn(std::string_view s);

// `s` as an inline code span: "`" + EscapeMrkdwn(s with ` -> U+02CB) + "`", with the escaped
// inside cut to at most `max_bytes` bytes (at a UTF-8 and entity boundary, marked "… (truncated)"
// inside the span). Empty `s` gives "—" (no span).
std::string MrkdwnCode(std::string_view s, size_t max_bytes = 1900);

// The longest prefix of `s` of at most `max_bytes` bytes that ends on a UTF-8 character boundary
// and not inside an `&...;` entity. When `s` is cut, "… (truncated)" is appended and the result,
// marker included, still fits in `max_bytes` (assumes max_bytes >= 32).
std::string TruncateMrkdwn(std::string_view s, size_t max_bytes);

// The marker appended to cut text.
inline constexpr std::string_view kTruncatedMarker = "… (truncated)";

}  // namespace tw::sinks::slack

// String helpers shared by every module: escaping of attacker-controlled text and small parsers.
//
// CloudTrail fields (userAgent, requestParameters, userName ...) are attacker-controlled. Nothing
// from an event reaches a terminal or a JSON document without going through one of these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tw {

// Appends `s` to `out` as the inside of a JSON string literal (no quotes): `"`, `\`, every C0
// and C1 control character and U+2028/U+2029 are escaped; invalid UTF-8 bytes become U+FFFD.
void AppendJsonEscaped(std::string& out, std::string_view s);

// Returns `s` made safe for a terminal, so that what is shown is what the field holds:
//   * C0 control characters (including ESC, so no ANSI escape sequence gets through), DEL and
//     C1 controls are shown as \xNN (two lower-case hex digits);
//   * a backslash is shown as \\, so that a field holding the four characters `\x1b` (shown
//     `\\x1b`) cannot be mistaken for one holding ESC (shown `\x1b`);
//   * invisible format characters are shown as \u{XXXX} (lower-case hex, at least 4 digits):
//     bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), zero-width
//     characters and directional marks (U+200B-U+200F), the line and paragraph separators
//     (U+2028, U+2029) and the zero-width no-break space / BOM (U+FEFF);
//   * invalid UTF-8 bytes become U+FFFD.
// Every other character, printable UTF-8 included, passes unchanged. The output is one line.
std::string EscapeForTerminal(std::string_view s);

// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF) to `out`.
void AppendUtf8(std::string& out, uint32_t cp);

// Simple Unicode case folding of UTF-8 text (ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic), as EventBridge's equals-ignore-case does: "ÉCOLE" folds to "école", but "ß" stays.
std::string FoldCase(std::string_view s);

// True when `s` is exactly a number in the JSON / CloudWatch Logs grammar, with an optional
// leading '+': [+-]? digits ("." digits)? ([eE] [+-]? digits)?. "inf", ".5", "1." are not.
bool IsNumberText(std::string_view s);

// True when `s` starts with / ends with `affix`.
inline bool StartsWith(std::string_view s, std::string_view affix) {
  return s.substr(0, affix.size()) == affix;
}
inline bool EndsWith(std::string_view s, std::string_view affix) {
  return s.size() >= affix.size() && s.substr(s.size() - affix.size()) == affix;
}

}  // namespace tw

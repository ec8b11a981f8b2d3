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

// Returns `s` made safe for a terminal: control characters (including ESC, so no ANSI escape
// sequence gets through), DEL and C1 controls are shown as \xNN; invalid UTF-8 bytes become
// U+FFFD. Printable UTF-8 passes unchanged.
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

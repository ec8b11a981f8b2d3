// Why the translation is nearly the identity: RE2 and the CloudWatch subset agree on anchors,
// classes, `\d`-style escapes, `\xhh`, `|`, `* + ? .` and `{m,n}`. They differ only where
// CloudWatch allows an omitted lower bound (`{,3}`, [doc] "either bound may be omitted"), which
// RE2 reads as literal text, so that case is rewritten. Everything outside the documented
// alphabet is rejected here rather than handed to RE2, as AWS does for `%something!%` [doc].
#include "match/cwl/regex.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <optional>

namespace tw::match::cwl {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The documented alphabet, besides letters and digits.
bool IsAllowedSymbol(char c) {
  switch (c) {
    case ':':
    case '_':
    case '#':
    case '=':
    case '@':
    case '/':
    case ';':
    case ',':
    case '-':
    case '^':
    case '$':
    case '?':
    case '[':
    case ']':
    case '{':
    case '}':
    case '|':
    case '\\':
    case '*':
    case '+':
    case '.':
    case ' ':
      return true;
    default:
      return false;
  }
}

PatternError Err(size_t column, std::string message, std::string hint) {
  return PatternError{column, std::move(message), std::move(hint)};
}

// Checks one character that is neither a backslash nor a brace.
tl::expected<void, PatternError> CheckChar(char c, size_t column) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) {
    return tl::unexpected(Err(column, "multi-byte characters are not supported in a regex",
                              "match ASCII symbols with \\xhh (for example \\x3A for ':'); "
                              "non-ASCII text cannot be matched by a regex"));
  }
  if (c == '(' || c == ')') {
    return tl::unexpected(
        Err(column, fmt::format("'{}' is not supported in a regex (there are no groups)", c),
            fmt::format("write a literal parenthesis as \\x{:02X}; '|' already applies to the "
                        "whole regex",
                        byte)));
  }
  if (!IsAlnum(c) && !IsAllowedSymbol(c)) {
    const std::string shown =
        byte < 0x20 || byte == 0x7F ? fmt::format("\\x{:02X}", byte) : std::string(1, c);
    return tl::unexpected(Err(column, fmt::format("'{}' is not allowed in a regex", shown),
                              fmt::format("write it as \\x{:02X}", byte)));
  }
  return {};
}

// If `s` at `i` (a `{`) starts a repetition `{m}`, `{m,}`, `{,n}` or `{m,n}`, returns its length
// and sets `out` to its RE2 spelling; otherwise returns 0.
size_t Repetition(std::string_view s, size_t i, std::string* out) {
  size_t j = i + 1;
  const size_t lo_start = j;
  while (j < s.size() && IsDigit(s[j])) ++j;
  const std::string_view lo = s.substr(lo_start, j - lo_start);
  std::string_view hi;
  bool comma = false;
  if (j < s.size() && s[j] == ',') {
    comma = true;
    const size_t hi_start = ++j;
    while (j < s.size() && IsDigit(s[j])) ++j;
    hi = s.substr(hi_start, j - hi_start);
  }
  if (j >= s.size() || s[j] != '}') return 0;
  if (lo.empty() && hi.empty()) return 0;
  if (lo.empty() && !comma) return 0;
  *out = "{" + (lo.empty() ? std::string("0") : std::string(lo)) + (comma ? "," : "") +
         std::string(hi) + "}";
  return j - i + 1;
}

}  // namespace

tl::expected<std::string, PatternError> TranslateRegex(std::string_view source, size_t column) {
  if (source.empty()) {
    return tl::unexpected(
        Err(column, "empty regex", "write an expression between the percent signs, e.g. %Trail%"));
  }
  std::string out;
  out.reserve(source.size() + 8);
  bool in_class = false;
  // True where a repetition would have nothing to repeat: at the start, and after `^`, `$` or
  // `|`. RE2 accepts `^*`; ECMAScript and Python's re (which the vectors were checked against)
  // reject it, so it is rejected here (docs/cwl-filter-patterns.md, "Regex dialect").
  bool nothing_to_repeat = true;
  auto repeat_check = [&](size_t col) -> std::optional<PatternError> {
    if (!nothing_to_repeat) return std::nullopt;
    return Err(col, "a repetition needs something to repeat",
               "escape the symbol to match it literally, e.g. \\* or \\+");
  };
  for (size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    const size_t col = column + i;
    const bool was_nothing_to_repeat = nothing_to_repeat;
    nothing_to_repeat = !in_class && (c == '^' || c == '$' || c == '|');
    if (!in_class && (c == '*' || c == '+' || c == '?')) {
      nothing_to_repeat = was_nothing_to_repeat;
      if (auto e = repeat_check(col)) return tl::unexpected(*e);
      nothing_to_repeat = false;
    }
    if (c == '\\') {
      if (i + 1 == source.size()) {
        return tl::unexpected(
            Err(col, "a regex cannot end with a backslash", "write a literal backslash as \\\\"));
      }
      const char e = source[++i];
      switch (e) {
        case 'd':
        case 'D':
        case 's':
        case 'S':
        case 'w':
        case 'W':
          out += '\\';
          out += e;
          continue;
        case 'x': {
          if (i + 2 >= source.size() || !IsHex(source[i + 1]) || !IsHex(source[i + 2])) {
            return tl::unexpected(Err(col, "\\x must be followed by two hex digits",
                                      "for example \\x3A matches ':' and \\x28 matches '('"));
          }
          const int value = std::stoi(std::string(source.substr(i + 1, 2)), nullptr, 16);
          if (value >= 0x80) {
            return tl::unexpected(Err(col, "\\x escapes are limited to ASCII (\\x00-\\x7F)",
                                      "multi-byte characters are not supported in a regex"));
          }
          out += fmt::format("\\x{:02X}", value);
          i += 2;
          continue;
        }
        default:
          break;
      }
      if (IsAlnum(e)) {
        return tl::unexpected(
            Err(col, fmt::format("unsupported escape \\{} in a regex", e),
                "the escapes are \\d \\D \\s \\S \\w \\W and \\xhh; escape symbols with \\"));
      }
      if (auto ok = CheckChar(e, col + 1); !ok) return tl::unexpected(ok.error());
      out += '\\';
      out += e;
      continue;
    }
    if (auto ok = CheckChar(c, col); !ok) return tl::unexpected(ok.error());
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal member, as in RE2 and POSIX.
      if (i + 1 < source.size() && source[i + 1] == '^') out += source[++i];
      if (i + 1 < source.size() && source[i + 1] == ']') {
        out += "\\]";
        ++i;
      }
      continue;
    }
    if (c == '{') {
      std::string rep;
      if (const size_t len = Repetition(source, i, &rep); len != 0) {
        nothing_to_repeat = was_nothing_to_repeat;
        if (auto e = repeat_check(col)) return tl::unexpected(*e);
        nothing_to_repeat = false;
        out += rep;
        i += len - 1;
      } else {
        out += "\\{";
      }
      continue;
    }
    if (c == '}') {
      out += "\\}";
      continue;
    }
    out += c;
  }
  if (in_class) {
    return tl::unexpected(Err(column + source.size() - 1, "unterminated character class",
                              "close the class with ']', or write a literal '[' as \\["));
  }
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(out, options);
  if (!re.ok()) {
    return tl::unexpected(Err(column, fmt::format("invalid regex: {}", re.error()),
                              "see the regex syntax in docs/cwl-filter-patterns.md"));
  }
  return out;
}

}  // namespace tw::match::cwl

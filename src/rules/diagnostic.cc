#include "rules/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/strings.h"

namespace tw::rules {

std::string SourceLocation::ToString() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

namespace {

// EscapeForTerminal, but the characters in `keep` pass unchanged: tabs (they align the caret
// under the excerpt) and backslashes (an excerpt shows the rule file as written, and a hint like
// `write a double quote inside it as \"` means what it says). Control, C1, bidi and invisible
// characters are still shown as escapes.
std::string EscapeKeeping(std::string_view s, std::string_view keep) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t k = s.find_first_of(keep, start);
    out += EscapeForTerminal(s.substr(start, k == std::string_view::npos ? k : k - start));
    if (k == std::string_view::npos) return out;
    out += s[k];
    start = k + 1;
  }
}

std::string EscapeKeepingTabs(std::string_view s) { return EscapeKeeping(s, "\t\\"); }

// EscapeForTerminal line by line: line breaks are kept.
std::string EscapeLines(std::string_view s) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t nl = s.find('\n', start);
    out += EscapeForTerminal(s.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) return out;
    out += '\n';
    start = nl + 1;
  }
}

}  // namespace

std::string Diagnostic::ToString() const {
  // Everything here may come from a rule file (names, values, the excerpt): escaped for the
  // terminal, so a rule file cannot send escape sequences to whoever loads it.
  std::string out =
      fmt::format("{}: {}: {}", EscapeForTerminal(where.ToString()),
                  level == DiagnosticLevel::kError ? "error" : "warning", EscapeLines(message));
  if (!excerpt.empty()) {
    out += "\n  ";
    out += EscapeKeepingTabs(excerpt);
    if (caret_column > 0) {
      // Pad with the excerpt's own tabs so the caret lines up however the terminal expands
      // them; UTF-8 continuation bytes take no column on screen. The caret counts columns of
      // the escaped excerpt, as printed.
      out += "\n  ";
      const size_t raw_end = std::min(static_cast<size_t>(caret_column - 1), excerpt.size());
      const std::string shown = EscapeKeepingTabs(excerpt.substr(0, raw_end));
      const size_t end = shown.size();
      for (size_t i = 0; i < end; ++i) {
        const unsigned char c = static_cast<unsigned char>(shown[i]);
        if (c == '\t') {
          out += '\t';
        } else if ((c & 0xC0) != 0x80) {
          out += ' ';
        }
      }
      out += '^';
    }
  }
  if (!hint.empty()) {
    out += "\n  hint: ";
    out += EscapeKeeping(hint, "\n\\");
  }
  return out;
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (!out.empty()) out += '\n';
    out += d.ToString();
  }
  return out;
}

std::string_view LineOf(std::string_view text, int line) {
  if (line <= 0) return {};
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  if (start > text.size()) return {};
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  if (end > start && text[end - 1] == '\r') --end;
  return text.substr(start, end - start);
}

int EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus transposition of adjacent bytes, the most common
  // typo in a key ("hihg").
  const size_t width = b.size() + 1;
  std::vector<int> d((a.size() + 1) * width);
  auto at = [&](size_t i, size_t j) -> int& { return d[i * width + j]; };
  for (size_t i = 0; i <= a.size(); ++i) at(i, 0) = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) at(0, j) = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(a.size(), b.size());
}

std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates) {
  std::string_view best;
  int best_distance = 3;  // a plausible typo is at most two edits away
  for (std::string_view candidate : candidates) {
    const int d = EditDistance(word, candidate);
    if (d < best_distance && 2 * d < static_cast<int>(std::max(word.size(), candidate.size()))) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace tw::rules

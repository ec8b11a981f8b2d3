// Positioned diagnostics for rule files: where, what, the offending line with a caret, and a hint.
//
// Every problem the rule loader or the linter finds becomes a Diagnostic. Rendered, it reads like
// a compiler message, so editors and CI logs can jump to it:
//
//   rules/x.yml:3:1: error: unknown key `severty`
//     severty: high
//     ^
//     hint: did you mean `severity`?
//
// Lines and columns are 1-based; columns count bytes of the file's line. Diagnostic is a plain
// value type; the functions here are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tw::rules {

// A place in a rule file. `file` is the display name given to the loader ("rules/x.yml",
// "builtin:rules/x.yml"). line/column are 1-based; 0 means unknown (the file as a whole).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line" or "file", depending on what is known.
  std::string ToString() const;
};

enum class DiagnosticLevel { kError, kWarning };

struct Diagnostic {
  DiagnosticLevel level = DiagnosticLevel::kError;
  SourceLocation where;
  std::string message;  // one line, no trailing period: "unknown key `severty`"
  // The offending fragment, usually the file's line at `where`, shown under the message with a
  // caret at byte `caret_column` (1-based; 0: no caret). Empty: no excerpt.
  std::string excerpt;
  int caret_column = 0;
  std::string hint;  // empty: none

  // The rendered, possibly multi-line text (no trailing newline):
  // "<where>: error: <message>" + "\n  <excerpt>\n  <caret>" + "\n  hint: <hint>".
  std::string ToString() const;
};

// Renders each diagnostic and joins them with newlines.
std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics);

// Returns line `line` (1-based) of `text` without its line terminator; empty when out of range.
std::string_view LineOf(std::string_view text, int line);

// Edit distance between `a` and `b` in bytes: insertions, deletions, substitutions and
// transpositions of adjacent bytes each cost 1.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` by edit distance when it is close enough to be a plausible
// typo (distance at most 2, and less than half of the word's length); empty otherwise.
std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates);

}  // namespace tw::rules

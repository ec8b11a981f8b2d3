// Parsing CloudWatch Logs filter patterns into a syntax tree (match/cwl/ast.h).
//
// The language is specified in docs/pattern-languages.md §1 and the decisions this
// implementation takes on its open questions are in docs/cwl-filter-patterns.md. The shape of a
// pattern is decided by its first non-blank character: `{` JSON, `[` space-delimited, `%` a
// regex, anything else a list of terms; a blank pattern matches everything.
//
// Errors carry the 1-based byte column of the offending spot and a hint that shows a valid way
// to write what the user probably meant. RenderPatternError turns one into the multi-line text
// used in Error::message.
//
// Thread-safety: all functions are reentrant and keep no state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "match/cwl/ast.h"

namespace tw::match::cwl {

// The limits AWS documents (docs/pattern-languages.md §1.1), enforced at parse time.
inline constexpr size_t kMaxPatternChars = 1024;       // characters (UTF-8 code points)
inline constexpr size_t kMaxRegexesPerPattern = 2;     // JSON and delimited patterns
inline constexpr size_t kMaxWildcardsPerSelector = 1;  // `[*]` and `.*`
inline constexpr size_t kMaxWildcardsPerPattern = 3;
inline constexpr size_t kMaxNestingDepth = 64;  // parentheses; not an AWS limit

struct PatternError {
  size_t column = 0;    // 1-based byte offset into the pattern of the offending spot
  std::string message;  // one line, without the column, e.g. `expected a value after "="`
  std::string hint;     // one line: how to write it instead
};

// Parses `text`. On failure returns the first error found. The result does not refer to `text`.
[[nodiscard]] tl::expected<FilterPattern, PatternError> ParseFilterPattern(std::string_view text);

// The fragment of a pattern shown under an error: the pattern, or a window of about 100 bytes of
// it around `column` with "..." where cut, control characters shown as spaces; and the 1-based
// display column of the caret under it (UTF-8 continuation bytes take no column).
struct PatternExcerpt {
  std::string shown;
  size_t caret_column = 1;
};
PatternExcerpt ExcerptOf(std::string_view text, size_t column);

// Renders `error` for people:
//
//   invalid filter pattern: <message> at column <column>
//     <the pattern, or a window of it around the column>
//     <spaces>^
//     hint: <hint>
//
// Control characters in the echoed pattern are shown as spaces so that the caret lines up.
std::string RenderPatternError(std::string_view text, const PatternError& error);

}  // namespace tw::match::cwl

// The CloudWatch Logs regex subset and its translation to RE2.
//
// CloudWatch regexes (docs/pattern-languages.md §1.4) allow `A-Z a-z 0-9`, the symbols
// `: _ # = @ / ; , -`, the space, and the operators `^ $ ? [ ] { } | \ * + .`. There are no
// groups: `(` and `)` are rejected, so `|` splits the whole expression. Escapes are `\d \D \s
// \S \w \W`, `\xhh` for an ASCII byte, and a backslash before an allowed symbol. Multi-byte
// characters are rejected. Matching is unanchored (RE2::PartialMatch).
//
// Thread-safety: reentrant.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "match/cwl/parser.h"

namespace tw::match::cwl {

// Validates `source` (the text between the percent signs) and returns its RE2 spelling.
// `column` is the 1-based column of `source`'s first byte in the pattern, used for errors. The
// translation is the identity except that `{,n}` becomes `{0,n}`, and a `{` or `}` that does
// not form a repetition becomes a literal `\{` / `\}`. The result is checked by compiling it.
[[nodiscard]] tl::expected<std::string, PatternError> TranslateRegex(std::string_view source,
                                                                     size_t column);

}  // namespace tw::match::cwl

// Compiling CloudWatch Logs filter patterns into the predicate IR (match/ir.h).
//
// CompileFilterPattern parses the user's text (match/cwl/parser.h) and lowers it:
//
//   * blank pattern, `" "`, `""`    -> true
//   * terms                          -> and(leaf(text contains[...]) ..., not(leaf(text contains)))
//                                       `?` terms alone: one leaf(text contains[a,b,...])
//   * `%regex%`                      -> leaf(text regex[...])
//   * `{ json }`                     -> and/or of Target::kPath leaves, ArrayMode::kExact
//   * `[ delimited ]`                -> a kDelimited node whose conditions use Target::kToken
//                                       leaves with numeric_strings
//
// How to evaluate the result (match/evaluator.h): pass Subject{raw, &root, nullptr} with `root`
// the simdjson DOM of the message when the message is a JSON object, and json = nullptr
// otherwise (plain text, or JSON that is not an object). A JSON pattern then matches nothing on
// non-object messages: its leaves see a missing root. Patterns that use NOT EXISTS are guarded
// with leaf($ exact present) so that absence is not mistaken for "not JSON".
//
// The semantic decisions (what `!=` does on a missing field, `*` in the middle of a value,
// numbers against numeric strings, ...) are listed in docs/cwl-filter-patterns.md.
//
// Thread-safety: reentrant. The returned tree is immutable and may be evaluated from many threads.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/error.h"
#include "match/cwl/ast.h"
#include "match/cwl/parser.h"
#include "match/ir.h"

namespace tw::match::cwl {

// Parses and lowers `text`. On failure the error is kInvalidArgument and its message is the
// multi-line rendering of RenderPatternError (first line "invalid filter pattern: ... at column
// N", then the pattern, a caret under the spot, and "hint: ..."). ErrorColumn recovers N.
[[nodiscard]] Result<NodePtr> CompileFilterPattern(std::string_view text);

// The 1-based byte column of the error reported by CompileFilterPattern, for file:line:col
// diagnostics; 0 when `error` did not come from CompileFilterPattern.
[[nodiscard]] size_t ErrorColumn(const Error& error);

// Lowers an already parsed pattern. Cannot fail: every check happens while parsing.
[[nodiscard]] NodePtr LowerFilterPattern(const FilterPattern& pattern);

}  // namespace tw::match::cwl

// A deliberately naive interpreter of CloudWatch Logs filter patterns (tests only).
//
// It parses the pattern with its own parser (match/reference/cwl_reference_parser.h, written
// from docs/pattern-languages.md §1 and docs/cwl-filter-patterns.md) and walks that tree
// directly over the message text and a reference::JsonValue tree. It shares nothing with
// match/cwl/ (parser, syntax tree, lowering), the IR or the evaluator: regexes run through
// std::regex (ECMAScript) on the CloudWatch source text, not through the RE2 translation, and
// the space-delimited tokenizer and matcher are written again here. The differential tests
// (match/cwl/differential_test.cc) compare it with the compiled matcher, on what each accepts
// as well as on what each matches.
//
// Speed is not a goal: the pattern is parsed on every call, std::regex backtracks, and nothing
// is cached.
#pragma once

#include <string_view>

#include "common/error.h"

namespace tw::match::reference {

// Whether the filter pattern `pattern` matches the log event `message`; kInvalidArgument when
// the reference parser rejects the pattern. A JSON pattern matches only when the message parses
// (reference::ParseJson) as a JSON object.
[[nodiscard]] Result<bool> ReferenceMatchFilterPattern(std::string_view pattern,
                                                       std::string_view message);

}  // namespace tw::match::reference

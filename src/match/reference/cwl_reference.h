// A deliberately naive interpreter of CloudWatch Logs filter patterns (tests only).
//
// It walks the syntax tree of match/cwl/ast.h directly over the message text and a
// reference::JsonValue tree, following docs/pattern-languages.md §1 and the decisions in
// docs/cwl-filter-patterns.md. It shares nothing with the IR, the lowering or the evaluator:
// regexes run through std::regex (ECMAScript) on the CloudWatch source text, not through the
// RE2 translation, and the space-delimited tokenizer and matcher are written again here. The
// differential tests (match/cwl/differential_test.cc) compare it with the compiled matcher.
//
// Speed is not a goal: std::regex backtracks, and nothing is cached.
#pragma once

#include <string_view>

#include "match/cwl/ast.h"

namespace tw::match::reference {

// True when `pattern` matches the log event `message`. A JSON pattern matches only when the
// message parses (reference::ParseJson) as a JSON object.
bool ReferenceMatchFilterPattern(const cwl::FilterPattern& pattern, std::string_view message);

}  // namespace tw::match::reference

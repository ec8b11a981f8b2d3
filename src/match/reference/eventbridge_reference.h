// A deliberately naive EventBridge event pattern matcher (tests only).
//
// It interprets the pattern JSON directly against the event JSON, written from the specification
// (shared/docs/pattern-languages.md §2) with an algorithm unlike the compiler's:
//   1. the pattern is expanded into plain rules (every `$or` multiplied out, as event-ruler
//      does), each a map from dotted path to the raw matcher array, a later reference to a path
//      replacing an earlier one;
//   2. the event is flattened into (dotted path, scalar value, array trail) tuples, where the
//      trail lists each array crossed *before a later key* with the element index taken (the
//      arrays that directly hold the scalar are not part of it: "any element" there);
//   3. a rule matches when some "world" (one chosen element per event array) makes every field
//      true: a positive matcher needs a visible tuple at its path that it accepts, exists:false
//      needs no visible tuple at its path. The search is exhaustive backtracking.
// It shares no code with match/eventbridge/ or match/evaluator.cc, only common/ helpers
// (FoldCase) and reference/json_tree.h.
//
// Validation is minimal: patterns the reference cannot interpret give an error (kInvalidArgument)
// but messages are not AWS's. Exponential in the worst case: meant for small test documents.
#pragma once

#include <string_view>

#include "common/error.h"

namespace tw::match::reference {

// Returns whether the EventBridge pattern `pattern_json` matches `event_json`.
[[nodiscard]] Result<bool> ReferenceMatchEventPattern(std::string_view pattern_json,
                                                      std::string_view event_json);

}  // namespace tw::match::reference

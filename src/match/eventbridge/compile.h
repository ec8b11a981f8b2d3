// EventBridge event patterns: compile a pattern into the predicate IR (match/ir.h).
//
//   auto node = tw::match::eventbridge::CompileEventPattern(R"({"detail":{"eventName":["X"]}})");
//   if (!node) return node.error();      // AWS-style message, see below
//   bool hit = tw::match::Evaluate(**node, subject);
//
// Semantics are AWS EventBridge's (docs/eventbridge-patterns.md; spec:
// shared/docs/pattern-languages.md §2): every field named in the pattern must match (AND), a
// field matches when any matcher of its array matches any of the event's values at that path (OR,
// event arrays flattened), `$or` picks among objects, and two fields below one nested pattern
// object must be satisfied by the *same* element of any event array they pass through.
//
// Lowering, so that DumpIr output can be read:
//   * each field becomes leaves on a one-key kFlatten path, one leaf per operator kind (exact
//     strings share one str_eq leaf, and so on), ORed: leaf($.state flatten str_eq["a","b"]);
//   * each nested pattern object {"k": {...}} becomes scope($.k flatten, and(...)); the scope
//     binds one array element at a time, which is the same-element rule;
//   * anything-but is a negated leaf (`!` in the dump), which matches null and numbers but never
//     a missing field; exists:true is `present`; exists:false is `never missing=true`;
//   * `$or` is or(...) in place, unless an alternative names a key that a sibling field or another
//     `$or` at the same level also names: then the alternatives are merged into the siblings
//     first (as EventBridge expands `$or` into separate rules), so the same-element rule and
//     "the last reference to a path wins" hold across them;
//   * below the top level, a nested object with a single field also tries the dotted event key
//     ({"state": {"status": [...]}} matches {"state.status": "..."}; AWS-validated). See
//     docs/eventbridge-patterns.md for the exact extent of this.
//
// Errors: kInvalidArgument, "Event pattern is not valid. Reason: <AWS reason> (at <field path>)";
// the format is specified in parser.h.
//
// Thread-safety: reentrant. The returned tree is immutable and may be evaluated concurrently.
#pragma once

#include <string_view>

#include "common/error.h"
#include "match/eventbridge/parser.h"
#include "match/ir.h"

namespace tw::match::eventbridge {

struct CompileOptions {
  PatternLimits limits;
  // Also match nested pattern objects against dotted event keys (see above). On by default, as
  // in AWS; off gives a smaller tree when events are known not to use dots in keys.
  bool dotted_event_keys = true;
};

// Parses, validates and lowers `json_text`. The result owns everything it needs; `json_text`
// may be freed afterwards.
[[nodiscard]] Result<NodePtr> CompileEventPattern(std::string_view json_text,
                                                  const CompileOptions& options = {});

// Lowers an already parsed pattern (parser.h).
[[nodiscard]] NodePtr LowerEventPattern(const EventPattern& pattern,
                                        const CompileOptions& options = {});

}  // namespace tw::match::eventbridge

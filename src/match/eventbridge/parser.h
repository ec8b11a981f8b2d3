// EventBridge event pattern syntax: reading and validating a pattern into a field trie.
//
// ParseEventPattern turns pattern text into an EventPattern: a trie of fields keyed by event
// key, with the value matchers of each leaf and the `$or` groups of each object level. All
// validation happens here, with the error texts AWS gives; compile.h lowers the result into the
// predicate IR. Most callers want CompileEventPattern (compile.h), not this header.
//
// How the text maps onto the trie (docs/eventbridge-patterns.md has the long form):
//   * A key with dots is a path: {"state.status": [...]} is {"state": {"status": [...]}}.
//   * Keys merge: repeated keys and dotted keys that share a prefix fill the same trie node, so
//     {"a": {"b": [1]}, "a": {"c": [2]}} constrains both a.b and a.c. When the same *leaf path* is
//     given twice, the later one in the text wins (AWS: "the last reference will be the one
//     used"); each MatcherList carries its document-order `seq` so `$or` distribution can apply
//     the same rule later.
//   * `$or` with an array of two or more objects, none of which is a match expression, is a
//     disjunction of those objects at that level; any other `$or` is an ordinary field name
//     (event-ruler's rule, so {"$or": [{"numeric": 1}, ...]} fails as a match list).
//
// Errors: kInvalidArgument, message "Event pattern is not valid. Reason: <reason>" followed,
// when the problem lies inside a field, by " (at <path>)", where <path> is the dotted key path of
// the field from the root with `$or` alternatives written `$or[i]` (0-based), e.g.
//   Event pattern is not valid. Reason: Empty arrays are not allowed (at detail.eventName)
// <reason> is the text AWS EventBridge returns where it is known and event-ruler's otherwise.
// Pattern text that is not JSON gives "Reason: <JSON error> at offset N"; text over the size
// limit gives "Reason: Event pattern is longer than N characters".
//
// Thread-safety: reentrant; the result is a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "match/ir.h"

namespace tw::match::eventbridge {

// Limits applied while parsing. Defaults follow AWS.
struct PatternLimits {
  // EventBridge's default event pattern size quota (raisable to 4096). 0 disables the check.
  size_t max_pattern_chars = 2048;
  // AWS rejects a pattern whose `$or` alternatives multiply into more than this many rules.
  size_t max_or_combinations = 1000;
  // Object nesting in the pattern (the JSON reader separately caps all nesting at 64).
  int max_depth = 32;
};

// One value test inside a field's array. A field matches when any of its matchers does.
struct Matcher {
  enum class Kind : uint8_t {
    kString,      // exact string: strings[0]
    kNumber,      // exact number by value: numbers (also numeric "=")
    kTrue,        // exact true
    kFalse,       // exact false
    kNull,        // exact null
    kPrefix,      // strings[0]; with `fold`, compared case-folded
    kSuffix,      // strings[0]; with `fold`, compared case-folded
    kEqualsFold,  // equals-ignore-case: strings[0]
    kWildcard,    // strings[0], validated EventBridge wildcard text
    kRange,       // numeric range: lo/hi with inclusivity
    kCidr,        // cidrs[0]
    kExists,      // exists: true
    kAbsent,      // exists: false
    // anything-but forms: the value is a scalar and matches none of the operands.
    kNotStrings,     // anything-but "x" / ["x", "y"]
    kNotNumbers,     // anything-but 5 / [1, 2]
    kNotPrefix,      // anything-but {"prefix": ...}: strings, one or more
    kNotSuffix,      // anything-but {"suffix": ...}
    kNotEqualsFold,  // anything-but {"equals-ignore-case": ...}
    kNotWildcard,    // anything-but {"wildcard": ...}
  };
  Kind kind = Kind::kString;
  bool fold = false;                 // kPrefix/kSuffix with {"equals-ignore-case": ...}
  std::vector<std::string> strings;  // raw as written (folding is the compiler's business)
  std::vector<double> numbers;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_inclusive = false;
  bool hi_inclusive = false;
  std::vector<CidrBlock> cidrs;
};

// The matchers of one leaf array, in pattern order.
struct MatcherList {
  std::vector<Matcher> matchers;
  uint32_t seq = 0;  // position in document order: a later list for the same path wins
};

struct PatternField;

// One object level of the pattern: named fields plus `$or` groups, all ANDed.
struct PatternObject {
  std::vector<PatternField> fields;  // unique keys, in order of first appearance
  // Each group is a disjunction of objects evaluated at this same level.
  std::vector<std::vector<PatternObject>> or_groups;

  bool empty() const { return fields.empty() && or_groups.empty(); }
};

// A trie node: the field `key` of its parent object. It may carry both a leaf (matchers for the
// values at this key) and a nested object (constraints below it).
struct PatternField {
  std::string key;  // one event key (dots already split off)
  std::optional<MatcherList> leaf;
  PatternObject object;
};

struct EventPattern {
  PatternObject root;
  size_t or_combinations = 1;  // the number of plain rules the `$or`s expand into
};

// Parses and validates `text`. See the header comment for the error format.
[[nodiscard]] Result<EventPattern> ParseEventPattern(std::string_view text,
                                                     const PatternLimits& limits = {});

}  // namespace tw::match::eventbridge

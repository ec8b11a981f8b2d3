// The reference's own parser of CloudWatch Logs filter patterns (tests only).
//
// Written again from docs/pattern-languages.md §1 and docs/cwl-filter-patterns.md, without
// looking at match/cwl/parser*.cc and sharing no code or types with it, so that a differential
// test (match/cwl/differential_test.cc) can see a bug in either parser: the fast path and this
// one must accept and reject the same patterns and give them the same meaning.
//
// Deliberately naive: a character-at-a-time recursive descent over the grammar of the spec,
// building a small tree of its own (below). Errors say what is wrong but carry no column or
// hint; only accept/reject is compared. Numbers are IEEE doubles rounded from their decimal
// text (std::strtod), so `1e999` is +infinity and `1e-999` is 0, as for numbers in events.
//
// Thread-safety: reentrant; the tree is a plain value.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tw::match::reference::cwl_ref {

// A comparison's right-hand side.
struct RefValue {
  enum class Kind { kText, kNumber, kRegex };
  Kind kind = Kind::kText;
  std::string text;   // kText: unescaped, `*` wildcards kept; kRegex: the text between the % signs
  double number = 0;  // kNumber
};

enum class RefOp { kEq, kNe, kLt, kGt, kLe, kGe, kIsNull, kIsTrue, kIsFalse, kNotExists };

// One step of a JSON selector: a key, an index, `[*]` or `.*`.
struct RefStep {
  enum class Kind { kKey, kIndex, kAnyElement, kAnyMember };
  Kind kind = Kind::kKey;
  std::string key;
  size_t index = 0;
};

// A boolean expression: `&&`, `||`, or one comparison.
struct RefExpr {
  enum class Kind { kAll, kAny, kTest };
  Kind kind = Kind::kTest;
  std::vector<RefExpr> operands;  // kAll, kAny
  std::vector<RefStep> path;      // kTest in a JSON pattern
  RefOp op = RefOp::kEq;          // kTest
  RefValue value;                 // kTest, when op takes a value
};

// One field of a space-delimited pattern.
struct RefField {
  bool ellipsis = false;
  bool has_condition = false;
  RefExpr condition;
};

// One item of a term pattern.
struct RefTerm {
  enum class Mode { kRequired, kOptional, kExcluded };
  Mode mode = Mode::kRequired;
  std::string text;
};

struct RefPattern {
  enum class Shape { kEverything, kTerms, kRegex, kJson, kDelimited };
  Shape shape = Shape::kEverything;
  std::vector<RefTerm> terms;    // kTerms
  std::string regex;             // kRegex
  RefExpr json;                  // kJson
  std::vector<RefField> fields;  // kDelimited
};

// Parses `text`; kInvalidArgument when the spec or the documented decisions reject it.
[[nodiscard]] Result<RefPattern> ParseReferencePattern(std::string_view text);

}  // namespace tw::match::reference::cwl_ref

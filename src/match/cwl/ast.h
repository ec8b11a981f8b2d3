// The syntax tree of a CloudWatch Logs filter pattern, as produced by ParseFilterPattern
// (match/cwl/parser.h).
//
// The tree records what the user wrote, with 1-based byte columns into the pattern text, and
// nothing about how it will be matched: the lowering (match/cwl/compile.h) gives it meaning.
// (The test-only reference matcher, match/reference/cwl_reference.h, does not use this tree: it
// has its own parser, so that differential tests can catch a bug in this one.) The
// only interpretation done while parsing is lexical: quoted strings are unescaped, a bare value
// that is spelled like a number is marked as one, and each regex is validated and carries its
// RE2 translation.
//
// A FilterPattern owns its whole tree; it is a plain value, movable, not copyable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tw::match::cwl {

// A `%...%` regex. `source` is the text between the percent signs, as written; `re2` is the
// same expression in RE2 syntax (match/cwl/regex.h), to be matched unanchored.
struct RegexLiteral {
  std::string source;
  std::string re2;
  size_t column = 0;  // of the opening `%`
};

// One item of a term pattern: `ERROR`, `"a phrase"`, `-term`, `?term`.
struct Term {
  enum class Kind : uint8_t { kRequired, kOptional, kExcluded };
  Kind kind = Kind::kRequired;
  std::string text;  // unescaped; for a phrase, without the quotes
  bool quoted = false;
  size_t column = 0;
};

// One step of a JSON selector.
struct SelectorStep {
  enum class Kind : uint8_t { kKey, kIndex, kAnyIndex, kAnyKey };
  Kind kind = Kind::kKey;
  std::string key;     // kKey
  uint32_t index = 0;  // kIndex
};

struct Selector {
  std::string text;  // as written, e.g. "$.userIdentity.type"
  std::vector<SelectorStep> steps;
  size_t column = 0;
};

// The right-hand side of a comparison.
struct Value {
  enum class Kind : uint8_t {
    kString,  // `text`, quoted or bare; `*` wildcards are still in `text`
    kNumber,  // a bare value spelled as a number; `text` holds the spelling
    kRegex,   // `regex`
  };
  Kind kind = Kind::kString;
  std::string text;
  bool quoted = false;
  double number = 0;   // kNumber
  RegexLiteral regex;  // kRegex
  size_t column = 0;
};

enum class CompareOp : uint8_t {
  kEq,  // =
  kNe,  // !=
  kLt,  // <
  kGt,  // >
  kLe,  // <=
  kGe,  // >=
  kIsNull,
  kIsTrue,
  kIsFalse,
  kNotExists,
};

// `op`'s spelling in a pattern: "=", "IS NULL", "NOT EXISTS", ...
const char* CompareOpName(CompareOp op);

// True for the six operators that take a value.
inline bool TakesValue(CompareOp op) { return op <= CompareOp::kGe; }

// A boolean expression: JSON patterns, and the conditions of one delimited field.
struct Expr {
  enum class Kind : uint8_t { kAnd, kOr, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<std::unique_ptr<Expr>> children;  // kAnd, kOr: two or more
  // kCompare:
  Selector selector;  // JSON patterns only
  std::string field;  // delimited patterns: the field name written before the operator, if any
  CompareOp op = CompareOp::kEq;
  Value value;  // when TakesValue(op)
  size_t column = 0;
};

struct DelimitedFieldSpec {
  bool ellipsis = false;
  std::string name;                 // may be empty (an unnamed field)
  std::unique_ptr<Expr> condition;  // null: any value
  size_t column = 0;
};

struct FilterPattern {
  enum class Kind : uint8_t {
    kMatchAll,   // empty or blank pattern; no other member is used
    kTerms,      // `terms`
    kRegex,      // `regex`: the whole pattern is one %...%
    kJson,       // `json`: the expression inside { }
    kDelimited,  // `fields`: the fields inside [ ]
  };
  Kind kind = Kind::kMatchAll;
  std::vector<Term> terms;
  RegexLiteral regex;
  std::unique_ptr<Expr> json;
  std::vector<DelimitedFieldSpec> fields;
};

}  // namespace tw::match::cwl

// Space-delimited filter patterns: `[ip, user, ..., status_code = 4*, bytes > 1000]`.
//
// Grammar and sources: docs/pattern-languages.md §1.6. A field is `...`, a name, a name with
// conditions (`status_code = 404 || status_code = 410`, `w1!=ERROR&&w1!=WARN`), a bare
// condition (`= ERROR`), or nothing at all (an unnamed field: `[, , status]`).
#include <fmt/format.h>

#include "match/cwl/parser_internal.h"

namespace tw::match::cwl::internal {
namespace {

bool StartsOperator(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

// Checks that every condition of a field names that field (or none): `a = 1 || b = 2` would
// compare another field, which the language does not support.
const Expr* ForeignCondition(const Expr& e, const std::string& name) {
  if (e.kind == Expr::Kind::kCompare) {
    return !e.field.empty() && e.field != name ? &e : nullptr;
  }
  for (const auto& c : e.children) {
    if (const Expr* bad = ForeignCondition(*c, name)) return bad;
  }
  return nullptr;
}

const Expr* FirstCondition(const Expr& e) {
  return e.kind == Expr::Kind::kCompare ? &e : FirstCondition(*e.children[0]);
}

}  // namespace

std::unique_ptr<Expr> Parser::ParseDelimitedCondition() {
  SkipBlanks();
  auto node = std::make_unique<Expr>();
  node->column = pos_ + 1;
  const size_t begin = pos_;
  while (!AtEnd() && IsNameChar(Peek())) ++pos_;
  node->field = std::string(text_.substr(begin, pos_ - begin));
  SkipBlanks();
  if (!StartsOperator(Peek())) {
    Fail(pos_, node->field.empty() ? "expected a field condition" : "expected an operator",
         "field conditions look like status_code = 404, bytes > 1000 or request = *.html*");
    return nullptr;
  }
  if (!ParseOperator(node->op, /*delimited=*/true)) return nullptr;
  if (!ParseValue(node->op, node->value, /*delimited=*/true)) return nullptr;
  return node;
}

bool Parser::ParseDelimited(FilterPattern& out) {
  out.kind = FilterPattern::Kind::kDelimited;
  const size_t open = pos_;
  ++pos_;  // '['
  SkipBlanks();
  if (Peek() == ']') {
    return Fail(pos_, "empty space-delimited pattern",
                "name one field per word of the message, e.g. [ip, user, ..., status_code, "
                "bytes]");
  }
  while (true) {
    SkipBlanks();
    DelimitedFieldSpec field;
    field.column = pos_ + 1;
    if (LookingAt("...")) {
      field.ellipsis = true;
      pos_ += 3;
    } else if (Peek() == ',' || Peek() == ']') {
      // An unnamed field with no condition.
    } else {
      const size_t begin = pos_;
      while (!AtEnd() && IsNameChar(Peek())) ++pos_;
      const std::string name(text_.substr(begin, pos_ - begin));
      SkipBlanks();
      if (StartsOperator(Peek()) || Peek() == '(') {
        pos_ = begin;
        field.condition = ParseOr(/*delimited=*/true);
        if (!field.condition) return false;
        field.name = FirstCondition(*field.condition)->field;
        if (const Expr* bad = ForeignCondition(*field.condition, field.name)) {
          return Fail(bad->column - 1,
                      fmt::format("this condition tests field '{}' inside field '{}'", bad->field,
                                  field.name),
                      "a field's conditions all test that field, e.g. status_code = 404 || "
                      "status_code = 410");
        }
      } else if (name.empty()) {
        return Fail(pos_, "expected a field name, '...' or a condition",
                    "field names are letters, digits, '-' and '_', e.g. [ip, user, ..., "
                    "status_code = 4*, bytes]");
      } else {
        field.name = name;
      }
    }
    out.fields.push_back(std::move(field));
    SkipBlanks();
    if (Peek() == ',') {
      ++pos_;
      continue;
    }
    if (Peek() == ']') {
      ++pos_;
      break;
    }
    if (AtEnd()) {
      return Fail(pos_, fmt::format("missing ']' to close the '[' at column {}", open + 1),
                  "end a space-delimited pattern with ']'");
    }
    return Fail(pos_, "expected ',' or ']' after a field",
                "separate fields with commas, e.g. [ip, user, status_code = 404]");
  }
  SkipBlanks();
  if (!AtEnd()) {
    return Fail(pos_, "unexpected text after the closing ']'",
                "a space-delimited pattern is one [ ... ] list");
  }
  return true;
}

}  // namespace tw::match::cwl::internal

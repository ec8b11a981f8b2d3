// Space-delimited patterns, language-neutral IR support: `[ip, user, ..., status_code = 4*,
// bytes > 1000]` in CloudWatch Logs syntax.
//
// The CloudWatch front end lowers a delimited pattern into a kDelimited IR node holding a
// DelimitedPattern; the evaluator tokenizes the message and calls MatchDelimited. Conditions
// are IR trees whose leaves use Target::kToken (the field's text).
//
// Semantics follow docs/pattern-languages.md §1.6: fields are separated by spaces; text between
// `[` and `]` or between double quotes is one field, delimiters stripped; fields bind by
// position; `...` matches any number of fields; the last field absorbs the remaining tokens;
// more pattern fields than tokens do not match.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "match/ir.h"

namespace tw::match {

struct DelimitedField {
  bool ellipsis = false;  // `...`
  std::string name;       // as written (for dumps); may be empty
  NodePtr condition;      // null: any value
};

struct DelimitedPattern {
  std::vector<DelimitedField> fields;
};

// Splits `message` into fields. Views point into `message`.
void TokenizeDelimited(std::string_view message, std::vector<std::string_view>& tokens);

// True when `pattern` accounts for `tokens`. `eval(condition, token)` evaluates one condition.
bool MatchDelimited(const DelimitedPattern& pattern, const std::vector<std::string_view>& tokens,
                    const std::function<bool(const Node&, std::string_view)>& eval);

}  // namespace tw::match

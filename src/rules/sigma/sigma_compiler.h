// Compiles the `detection` of a Sigma rule into the predicate IR (match/ir.h).
//
// Sigma (github.com/SigmaHQ/sigma-specification) describes a detection as named *search
// identifiers* (selections and filters) and a `condition` that combines them. CompileDetection
// lowers one `detection` mapping, for `logsource: {product: aws, service: cloudtrail}`, into the
// same IR the CloudWatch Logs and EventBridge front ends produce; the result is evaluated on the
// CloudTrail record. What is supported, and how each construct is lowered, is in docs/sigma.md:
//
//   * a search identifier is a mapping (every field must match: AND) or a list of mappings
//     (any of them: OR); a field's list of values means any of them (OR), or all with `|all`;
//   * field names are dotted paths into the record (`requestParameters.bucketName`). Arrays met
//     on the way are expanded, and a field that holds an object or array stands for every scalar
//     below it (match::ArrayMode::kDeep);
//   * strings compare case-insensitively (Unicode simple case folding, common/strings.h) with
//     the wildcards `*` and `?` and the escapes `\*`, `\?`, `\\`; numbers, booleans and null
//     compare by value;
//   * modifiers: contains, startswith, endswith, all, re (with i, m, s), cidr, exists,
//     fieldref, cased, lt, lte, gt, gte; windash and the encoding modifiers are errors;
//   * conditions: and, or, not, parentheses, `1 of X*`, `all of X*`, `1 of them`, `all of them`
//     (precedence not > and > or).
//
// Anything that cannot be compiled becomes a positioned Diagnostic naming the construct
// (file:line:col with the line and a caret); nothing is silently dropped.
//
// Thread-safety: CompileDetection is reentrant; the tree it returns is owned by the caller.
#pragma once

#include <string_view>
#include <vector>

#include "match/ir.h"
#include "rules/diagnostic.h"
#include "rules/yaml_adapter.h"

namespace tw::rules::sigma {

// Limits: a condition nested deeper than this, or longer than this many bytes, is rejected.
inline constexpr int kMaxConditionDepth = 64;
inline constexpr size_t kMaxConditionBytes = 4096;

// Where the YAML came from, for diagnostics: the whole file text (its lines are shown) and the
// name it is reported by.
struct SourceText {
  std::string_view text;
  std::string_view file;
};

// Compiles `detection` (the value of a Sigma rule's `detection` key; `key` is that key, for
// positions when the value itself has none). Returns the IR root, or null after appending at
// least one diagnostic to `diagnostics`. Every search identifier is compiled, referenced or not,
// so an error in an unused filter is still reported.
match::NodePtr CompileDetection(const YamlNode& key, const YamlNode& detection,
                                const SourceText& source, std::vector<Diagnostic>& diagnostics);

}  // namespace tw::rules::sigma

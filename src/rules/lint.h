// LintRules: advice on loaded rules that are valid but probably not what their author wants.
//
// Every finding is a warning Diagnostic (`file:line:col: warning: ...` with a hint):
//   * fewer than 2 positive or fewer than 2 negative inline tests;
//   * no references;
//   * a description under 20 characters, or a title over 80;
//   * a filter pattern that is not a JSON pattern (`{ ... }`): term, regex and space-delimited
//     patterns match the raw text of the record, which is rarely what a CloudTrail rule means;
//   * a pattern that matches the empty object `{}`, i.e. fires on (nearly) every event.
//
// Thread-safety: reentrant.
#pragma once

#include <vector>

#include "rules/diagnostic.h"
#include "rules/rule.h"

namespace tw::rules {

inline constexpr int kLintMinPositiveTests = 2;
inline constexpr int kLintMinNegativeTests = 2;
inline constexpr size_t kLintMinDescriptionLength = 20;
inline constexpr size_t kLintMaxTitleLength = 80;

// The warnings for `rules`, rule by rule in order.
std::vector<Diagnostic> LintRules(const std::vector<Rule>& rules);

}  // namespace tw::rules

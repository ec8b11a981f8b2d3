// Loading helpers shared by loader.cc and builtin.cc (internal to tw::rules).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/diagnostic.h"
#include "rules/rule.h"
#include "rules/rule_spec.h"

namespace tw::rules {

struct LoadedRules {
  std::vector<Rule> rules;  // empty when `diagnostics` is not
  std::vector<Diagnostic> diagnostics;
};

// Parses and compiles one rule file (see LoadRulesFromText), keeping the diagnostics apart.
LoadedRules LoadRulesWithDiagnostics(std::string_view yaml, std::string_view display_name,
                                     const std::string& base_dir);

// The pack of the rules in `file` (a path or display name): its file name without the extension,
// "rds" for "builtin:rules/rds.yml".
std::string PackName(std::string_view file);

// The diagnostic for `spec`'s pattern failing to compile with `problem`: at the offending byte of
// the pattern in the file when spec.pattern_columns maps it, else at spec.pattern_where with the
// front end's excerpt (or spec.pattern_line).
Diagnostic PatternDiagnostic(const RuleSpec& spec, const match::PatternProblem& problem);

// Appends a diagnostic for every rule whose id an earlier rule in `rules` already has.
void CheckUniqueIds(const std::vector<Rule>& rules, std::vector<Diagnostic>& diagnostics);

}  // namespace tw::rules

// Loading helpers shared by loader.cc and builtin.cc (internal to tw::rules).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.h"
#include "rules/rule.h"

namespace tw::rules {

struct LoadedRules {
  std::vector<Rule> rules;  // empty when `diagnostics` is not
  std::vector<Diagnostic> diagnostics;
};

// Parses and compiles one rule file (see LoadRulesFromText), keeping the diagnostics apart.
LoadedRules LoadRulesWithDiagnostics(std::string_view yaml, std::string_view display_name,
                                     const std::string& base_dir);

// Appends a diagnostic for every rule whose id an earlier rule in `rules` already has.
void CheckUniqueIds(const std::vector<Rule>& rules, std::vector<Diagnostic>& diagnostics);

}  // namespace tw::rules

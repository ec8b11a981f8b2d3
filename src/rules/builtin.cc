#include "rules/builtin.h"

#include <fmt/format.h>

#include "rules/load_internal.h"

namespace tw::rules {

namespace internal {
// Defined in the generated builtin_rules_data.cc (embed_rules.cmake).
std::span<const BuiltinRuleFile> EmbeddedRuleFiles();
}  // namespace internal

std::span<const BuiltinRuleFile> BuiltinRuleFiles() { return internal::EmbeddedRuleFiles(); }

Result<std::vector<Rule>> LoadBuiltinRules() {
  std::vector<Rule> rules;
  std::vector<Diagnostic> diagnostics;
  for (const BuiltinRuleFile& file : BuiltinRuleFiles()) {
    LoadedRules loaded =
        LoadRulesWithDiagnostics(file.text, fmt::format("builtin:rules/{}", file.name), "");
    diagnostics.insert(diagnostics.end(), std::make_move_iterator(loaded.diagnostics.begin()),
                       std::make_move_iterator(loaded.diagnostics.end()));
    rules.insert(rules.end(), std::make_move_iterator(loaded.rules.begin()),
                 std::make_move_iterator(loaded.rules.end()));
  }
  CheckUniqueIds(rules, diagnostics);
  if (!diagnostics.empty()) {
    return Fail(ErrorCode::kInvalidArgument, FormatDiagnostics(diagnostics));
  }
  return rules;
}

}  // namespace tw::rules

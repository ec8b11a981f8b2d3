#include "rules/builtin.h"

#include <fmt/format.h>

#include "rules/load_internal.h"

namespace tw::rules {

namespace internal {
// Defined in the generated builtin_rules_data.cc (embed_rules.cmake).
std::span<const BuiltinRuleFile> EmbeddedRuleFiles();
}  // namespace internal

std::span<const BuiltinRuleFile> BuiltinRuleFiles() { return internal::EmbeddedRuleFiles(); }

std::string_view WithoutInlineTests(std::string_view text) {
  const size_t at = text.rfind("\ntests:");
  if (at == std::string_view::npos) return text;
  // Any later line that starts at column 0 with a letter is another top-level key: keep all.
  for (size_t nl = text.find('\n', at + 1); nl != std::string_view::npos;
       nl = text.find('\n', nl + 1)) {
    const char c = nl + 1 < text.size() ? text[nl + 1] : ' ';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') return text;
  }
  return text.substr(0, at + 1);
}

Result<std::vector<Rule>> LoadBuiltinRules(InlineTests tests) {
  std::vector<Rule> rules;
  std::vector<Diagnostic> diagnostics;
  for (const BuiltinRuleFile& file : BuiltinRuleFiles()) {
    const std::string_view text =
        tests == InlineTests::kLoad ? file.text : WithoutInlineTests(file.text);
    LoadedRules loaded =
        LoadRulesWithDiagnostics(text, fmt::format("builtin:rules/{}", file.name), "");
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

#include "rules/builtin.h"

#include <fmt/format.h>

#include <algorithm>

#include "match/ir_codec.h"
#include "rules/builtin_table.h"
#include "rules/load_internal.h"
#include "rules/policy_yaml.h"

namespace tw::rules {

namespace internal {
// Defined in the generated builtin_rules_data.cc (embed_rules.cmake).
std::span<const BuiltinRuleFile> EmbeddedRuleFiles();

namespace {

// The matcher of `entry` from the tree compiled at build time; an error when there is none
// (the caller then compiles the pattern).
Result<std::shared_ptr<const match::Matcher>> DecodedMatcher(const PrecompiledRule& entry) {
  if (entry.ir.empty()) return Fail(ErrorCode::kNotFound, "no precompiled tree");
  auto root = match::DecodeIr(entry.ir);
  if (!root) return tl::unexpected(root.error());
  auto m = std::make_shared<match::Matcher>();
  m->language = entry.language;
  m->text = std::string(entry.pattern);
  m->root = std::move(*root);
  return std::shared_ptr<const match::Matcher>(std::move(m));
}

}  // namespace

LoadedRules BuildPrecompiledRules(std::span<const PrecompiledRule> table) {
  LoadedRules out;
  out.rules.reserve(table.size());
  for (const PrecompiledRule& entry : table) {
    const std::string file = fmt::format("builtin:rules/{}", entry.file);
    match::PatternProblem problem;
    Result<std::shared_ptr<const match::Matcher>> matcher = DecodedMatcher(entry);
    if (!matcher) matcher = match::CompileMatcher(entry.language, entry.pattern, &problem);
    if (!matcher) {
      // Only the diagnostic needs more than the table: the pattern's line, for the excerpt.
      RuleSpec spec;
      spec.language = entry.language;
      spec.pattern_where = {file, entry.pattern_line, entry.pattern_column};
      const std::span<const BuiltinRuleFile> files = BuiltinRuleFiles();
      const auto it = std::find_if(files.begin(), files.end(),
                                   [&](const BuiltinRuleFile& f) { return f.name == entry.file; });
      if (it != files.end()) spec.pattern_line = std::string(LineOf(it->text, entry.pattern_line));
      out.diagnostics.push_back(PatternDiagnostic(spec, problem));
      continue;
    }
    Rule rule;
    rule.id = std::string(entry.id);
    rule.title = std::string(entry.title);
    rule.description = std::string(entry.description);
    rule.severity = entry.severity;
    rule.references.assign(entry.references.begin(), entry.references.end());
    rule.tags.assign(entry.tags.begin(), entry.tags.end());
    rule.mitre_attack.assign(entry.mitre_attack.begin(), entry.mitre_attack.end());
    rule.pack = PackName(entry.file);
    rule.matcher = std::move(*matcher);
    rule.where = {file, entry.line, entry.column};
    rule.pattern_where = {file, entry.pattern_line, entry.pattern_column};
    if (!entry.policy_json.empty()) {
      // Checked when the table was generated; parsed again here (JSON is YAML), only for the
      // few rules that have policy keys.
      std::vector<Diagnostic> policy_diagnostics;
      auto docs = ParseYaml(entry.policy_json);
      if (docs && docs->size() == 1 && (*docs)[0].kind == YamlKind::kMapping) {
        YamlChecker checker(entry.policy_json, file, policy_diagnostics);
        for (const YamlMember& member : (*docs)[0].members) {
          ParsePolicyKey(checker, member, rule.policy, rule.policy_keys);
        }
      } else {
        policy_diagnostics.push_back(Diagnostic{DiagnosticLevel::kError, rule.where,
                                                "the precompiled policy does not parse", "", 0,
                                                ""});
      }
      out.diagnostics.insert(out.diagnostics.end(), policy_diagnostics.begin(),
                             policy_diagnostics.end());
    }
    out.rules.push_back(std::move(rule));
  }
  CheckUniqueIds(out.rules, out.diagnostics);
  if (!out.diagnostics.empty()) out.rules.clear();
  return out;
}
}  // namespace internal

std::span<const BuiltinRuleFile> BuiltinRuleFiles() { return internal::EmbeddedRuleFiles(); }

Result<std::vector<Rule>> LoadBuiltinRules(InlineTests tests) {
  LoadedRules loaded;
  if (tests == InlineTests::kSkip) {
    // The YAML was parsed when trailwatch was built (builtin_table.h): only compile the patterns.
    loaded = internal::BuildPrecompiledRules(internal::PrecompiledBuiltinRules());
  } else {
    for (const BuiltinRuleFile& file : BuiltinRuleFiles()) {
      LoadedRules one =
          LoadRulesWithDiagnostics(file.text, fmt::format("builtin:rules/{}", file.name), "");
      loaded.diagnostics.insert(loaded.diagnostics.end(),
                                std::make_move_iterator(one.diagnostics.begin()),
                                std::make_move_iterator(one.diagnostics.end()));
      loaded.rules.insert(loaded.rules.end(), std::make_move_iterator(one.rules.begin()),
                          std::make_move_iterator(one.rules.end()));
    }
    CheckUniqueIds(loaded.rules, loaded.diagnostics);
  }
  if (!loaded.diagnostics.empty()) {
    return Fail(ErrorCode::kInvalidArgument, FormatDiagnostics(loaded.diagnostics));
  }
  return std::move(loaded.rules);
}

}  // namespace tw::rules

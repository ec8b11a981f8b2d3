// The built-in pack pre-parsed at build time (internal to tw::rules; builtin.h is the public
// entry point).
//
// tw_compile_pack (tools/compile_pack.cc) reads rules/*.yml with ParseRuleFile when trailwatch is
// built and writes, per rule, what the loader would take from the YAML, as a constant table in a
// generated source (builtin_table_data.cc), with each pattern's compiled IR tree.
// LoadBuiltinRules(InlineTests::kSkip) builds its Rules from this table, so a scan neither
// parses YAML nor compiles patterns: it decodes the trees. Inline tests are not
// in the table: `rules test` and `rules lint` load the embedded YAML instead.
//
// Thread-safety: the table is immutable; its views are valid for the life of the program.
#pragma once

#include <span>
#include <string_view>

#include "match/matcher.h"
#include "rules/load_internal.h"
#include "rules/rule.h"

namespace tw::rules::internal {

// One rule as ParseRuleFile read it.
struct PrecompiledRule {
  std::string_view file;  // the rule file's name, "cloudtrail-change.yml" (a BuiltinRuleFile name)
  std::string_view id;
  std::string_view title;
  std::string_view description;
  Severity severity = Severity::kInfo;
  std::span<const std::string_view> references;
  std::span<const std::string_view> tags;
  std::span<const std::string_view> mitre_attack;
  match::Language language = match::Language::kFilterPattern;
  std::string_view pattern;  // RuleSpec::pattern: an event_pattern mapping as compact JSON
  int line = 0;              // Rule::where in the file (1-based)
  int column = 0;
  int pattern_line = 0;  // Rule::pattern_where in the file (1-based)
  int pattern_column = 0;
  // RuleSpec::policy_json: the rule's policy keys as a compact JSON object; empty when none.
  std::string_view policy_json;
  // The pattern's IR tree as CompileMatcher made it at build time (match/ir_codec.h); empty when
  // the pattern is to be compiled at start-up (a tree the codec cannot hold, or a compile error,
  // which is then reported at its line).
  std::string_view ir;
};

// The generated table: every built-in rule, files sorted by name, rules in file order.
std::span<const PrecompiledRule> PrecompiledBuiltinRules();

// Builds the Rules of `table`, located in `builtin:rules/<file>`, without inline tests: each
// matcher is decoded from `ir`, or compiled from `pattern` when `ir` is empty. A pattern that does
// not compile is a diagnostic at its pattern_where (the excerpt is the embedded file's line there,
// or the front end's excerpt); a duplicate id is a diagnostic too. `rules` is empty when
// `diagnostics` is not.
LoadedRules BuildPrecompiledRules(std::span<const PrecompiledRule> table);

}  // namespace tw::rules::internal

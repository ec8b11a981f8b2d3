// The built-in rule pack: the YAML files under rules/*.yml, embedded in the binary at build time.
//
// The build (src/rules/embed_rules.cmake) turns each rules/<name>.yml into a raw string literal;
// it re-runs whenever a rule file is added, removed or edited. The pack is loaded like any rule
// file, with display names `builtin:rules/<name>.yml`, so a broken built-in rule is reported at
// its line. Built-in rules cannot use `event_file` (the example files are not embedded).
//
// The build also parses the YAML once (tools/compile_pack.cc, builtin_table.h): a rule file with
// a structural error fails the build with its diagnostics, and a scan's start-up only compiles
// the patterns.
//
// Thread-safety: the embedded texts are immutable; LoadBuiltinRules is reentrant.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/rule.h"

namespace tw::rules {

struct BuiltinRuleFile {
  std::string_view name;  // "cloudtrail-change.yml"
  std::string_view text;  // the file's bytes, valid for the life of the program
};

// The embedded files, sorted by name.
std::span<const BuiltinRuleFile> BuiltinRuleFiles();

enum class InlineTests { kLoad, kSkip };

// Loads and compiles every built-in rule. An error here is a trailwatch bug (the build embeds
// whatever rules/*.yml holds), reported like any rule file error (kInvalidArgument).
// kLoad parses the embedded YAML, inline tests included (`rules test`, `rules lint`). kSkip
// builds the same rules, without inline tests, from the table the build parsed out of that YAML:
// a scan does not need the tests, and YAML parsing would be most of its start-up time (the Lambda
// pays it per cold start). A pattern that does not compile is still reported at its line.
[[nodiscard]] Result<std::vector<Rule>> LoadBuiltinRules(InlineTests tests = InlineTests::kLoad);

}  // namespace tw::rules

// The built-in rule pack: the YAML files under rules/*.yml, embedded in the binary at build time.
//
// The build (src/rules/embed_rules.cmake) turns each rules/<name>.yml into a raw string literal;
// it re-runs whenever a rule file is added, removed or edited. The pack is loaded like any rule
// file, with display names `builtin:rules/<name>.yml`, so a broken built-in rule is reported at
// its line. Built-in rules cannot use `event_file` (the example files are not embedded).
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
// kSkip leaves out the inline tests, which are most of the pack's text: a scan does not need
// them, and parsing them would be most of its start-up time (the Lambda pays it per cold start).
[[nodiscard]] Result<std::vector<Rule>> LoadBuiltinRules(InlineTests tests = InlineTests::kLoad);

// `text` without its top-level `tests:` section, when that section is the last top-level key
// (as in every built-in file); otherwise `text` unchanged.
std::string_view WithoutInlineTests(std::string_view text);

}  // namespace tw::rules

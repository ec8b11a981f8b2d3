// RuleSpec: a rule as written, checked for structure but with its pattern not yet compiled
// (internal to tw::rules; the loader in loader.h is the public entry point).
//
// ParseRuleFile walks the YAML of one rule file, checks every key and value, reads event_file
// examples, validates example events as JSON objects, and records where each piece came from, so
// that the loader can compile the patterns and point a caret at a pattern error. It reports every
// problem it finds, not just the first: one broken rule never hides another.
//
// Thread-safety: ParseRuleFile is reentrant. It reads files named by `event_file` keys.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "match/matcher.h"
#include "rules/diagnostic.h"
#include "rules/policy.h"
#include "rules/rule.h"
#include "rules/yaml_adapter.h"

namespace tw::rules {

// Limits: a rule file, and an event_file, larger than this is rejected.
inline constexpr size_t kMaxRuleFileBytes = 8u << 20;
inline constexpr size_t kMaxEventFileBytes = 1u << 20;
// Rule ids longer than this are rejected.
inline constexpr size_t kMaxRuleIdLength = 128;

struct RuleSpec {
  std::string id;
  std::string title;
  std::string description;
  Severity severity = Severity::kInfo;
  std::vector<std::string> references;
  std::vector<std::string> tags;
  std::vector<std::string> mitre_attack;  // every id checked against attack.h
  match::Language language = match::Language::kFilterPattern;
  // The pattern to compile; empty when the rule has none (already reported). An event_pattern
  // written as a YAML mapping is here as compact JSON.
  std::string pattern;
  SourceLocation pattern_where;
  // For a pattern written as a single-line plain or quoted scalar: the file column (1-based) of
  // each byte of `pattern`, plus one entry for the position just past its end (a closing quote).
  // Empty otherwise: the pattern spans lines or was converted from YAML.
  std::vector<int> pattern_columns;
  std::string pattern_line;  // the file's line at pattern_where, for excerpts
  std::vector<RuleTest> tests;
  SourceLocation where;
  // The policy keys (policy_yaml.h) over the built-in defaults, which keys were given, and those
  // keys' values as one compact JSON object (empty when none), which the built-in table keeps.
  RulePolicy policy;
  PolicyKeys policy_keys;
  std::string policy_json;
};

struct ParsedRuleFile {
  std::vector<RuleSpec> rules;  // every rule mapping found, complete or not
  std::vector<Diagnostic> diagnostics;
};

// Parses the rule file `text`, reported as `display_name` in diagnostics. `base_dir` is the
// folder `event_file` paths are relative to; empty means event_file is not allowed (built-in
// rules, whose example files are not embedded).
ParsedRuleFile ParseRuleFile(std::string_view text, std::string_view display_name,
                             const std::string& base_dir);

// The same, for `documents`, the result of ParseYaml(text) that the caller already has (the
// loader parses once to tell a Sigma file from a trailwatch one).
ParsedRuleFile ParseRuleDocuments(
    std::string_view text, const tl::expected<std::vector<YamlNode>, YamlSyntaxError>& documents,
    std::string_view display_name, const std::string& base_dir);

// Converts a YAML value to compact JSON text, keeping mapping order. Quoted and block scalars are
// strings; plain scalars that YAML 1.2's core schema reads as booleans, null, integers (decimal,
// 0x, 0o) or floats become JSON literals; other plain scalars are strings. Reports mappings with
// non-scalar or duplicate keys and non-finite numbers in `diagnostics` (and returns what it
// could convert).
std::string YamlToJson(const YamlNode& node, std::string_view text, std::string_view display_name,
                       std::vector<Diagnostic>& diagnostics);

// The file column of each byte of a single-line plain, single- or double-quoted scalar's value,
// plus one for just past its end (see RuleSpec::pattern_columns); empty when `node` is not such a
// scalar or the text does not decode to its value.
std::vector<int> ScalarColumns(const YamlNode& node, std::string_view text);

// Reads a whole file. kNotFound when it does not exist, kIo when it cannot be read,
// kResourceExhausted when it is larger than `max_bytes`.
[[nodiscard]] Result<std::string> ReadTextFile(const std::string& path, size_t max_bytes);

// `s` without leading and trailing ASCII whitespace.
std::string_view TrimWhitespace(std::string_view s);

}  // namespace tw::rules

// Loading rule files: YAML in, compiled immutable Rules out, or every problem as a positioned
// diagnostic.
//
// A rule file holds one rule mapping or a list of them (several `---` documents are accepted
// too):
//
//   id: cloudtrail-change              # required; [a-z0-9][a-z0-9-]*, unique across loaded rules
//   title: CloudTrail trail changed    # required
//   severity: high                     # required: info | low | medium | high | critical
//   description: >                     # required
//     What happened and what to check.
//   references: ["https://...", "Security Hub CloudWatch.5"]   # optional list of strings
//   filter_pattern: '{ ($.eventName = StopLogging) }'          # exactly one of filter_pattern
//   event_pattern: {"source": ["aws.ec2"]}                     # and event_pattern
//   tests:                             # optional
//     - name: StopLogging by a user    # optional
//       expect: true                   # required: must the rule match?
//       event: '{"eventName": "StopLogging"}'   # JSON text or a YAML mapping, or instead:
//       event_file: events/stop.json            # a JSON file relative to the rule file
//   schedule: outside_business_hours   # optional processing policy: enabled, schedule, suppress,
//   dedupe: {window: 1h}               # dedupe, threshold (policy_yaml.h); Rule::policy holds it
//
// A Sigma rule file (a plain Sigma document, recognised by its `logsource` and `detection` keys,
// or a file with a `sigma:` key) is loaded by rules/sigma/sigma_rule.h instead: docs/sigma.md.
//
// Unknown keys are errors (with a did-you-mean hint). An event_pattern, or a test event, given as
// a YAML mapping is converted to compact JSON first, keeping key order: quoted scalars stay
// strings; plain true/false/null, integers and floats become JSON literals; other plain scalars
// are strings. A filter pattern should be quoted: a plain value starting with `{` is a YAML
// mapping.
//
// Errors: all diagnostics of all files, rendered and joined by newlines, in an Error with code
// kInvalidArgument. A file or folder that cannot be read is kNotFound/kIo and stops the load.
// Each diagnostic reads `file:line:col: error: <what>`, the offending line with a caret, and a
// hint. A pattern error points into the pattern when the pattern is a single-line plain or quoted
// scalar; otherwise at the start of the pattern value, with the pattern shown.
//
// Thread-safety: the functions are reentrant; they read the files they are given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/diagnostic.h"
#include "rules/rule.h"

namespace tw::rules {

// Loads the rules in the YAML `yaml`, reported as `display_name`. `base_dir` is the folder
// `event_file` paths are relative to; empty forbids relative event_file paths.
[[nodiscard]] Result<std::vector<Rule>> LoadRulesFromText(std::string_view yaml,
                                                          std::string_view display_name,
                                                          const std::string& base_dir);

// Loads one rule file; it is reported by `path` as given.
[[nodiscard]] Result<std::vector<Rule>> LoadRuleFile(const std::string& path);

// Loads files and folders: a folder contributes every `*.yml` / `*.yaml` file below it
// (recursively, sorted by path). A file named twice is loaded once. Rule ids must be unique across
// everything loaded; a duplicate is reported at its second definition, naming the first.
// kNotFound when a path does not exist or the paths hold no rule file.
[[nodiscard]] Result<std::vector<Rule>> LoadRulePaths(const std::vector<std::string>& paths);

}  // namespace tw::rules

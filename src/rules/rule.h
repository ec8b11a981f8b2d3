// Rule: a compiled matcher plus the metadata a person needs to act on an alert.
//
// A rule is written in YAML (docs in loader.h) with either a CloudWatch Logs filter pattern or an
// EventBridge event pattern, and carries its own positive and negative example events (inline
// tests, see inline_test.h). Rules are built only by the loader, are immutable afterwards and may
// be shared between threads; `matcher` is itself immutable and shared.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "match/matcher.h"
#include "rules/diagnostic.h"
#include "rules/policy.h"
#include "rules/severity.h"

namespace tw::rules {

// One inline example: an event and whether the rule must match it.
struct RuleTest {
  std::string name;        // may be empty; reports then say "test #<n>"
  bool expect = false;     // true: the rule must match the event
  std::string event_json;  // the event as JSON text (a CloudTrail record or EventBridge event)
  SourceLocation where;    // the test's mapping in the rule file
};

struct Rule {
  std::string id;  // [a-z0-9][a-z0-9-]*, unique in a loaded rule set
  std::string title;
  std::string description;
  Severity severity = Severity::kInfo;
  std::vector<std::string> references;  // URLs or benchmark control ids, as written
  std::vector<std::string> tags;        // themes, [a-z0-9-]+ each, as written (`tags:`)
  // MITRE ATT&CK Enterprise technique ids ("T1562.008"), each in the bundled list (attack.h).
  std::vector<std::string> mitre_attack;
  // The pack the rule belongs to: its file's name without the extension ("rds" for
  // rules/rds.yml, also for the built-in "builtin:rules/rds.yml"). Config `packs: {rds: false}`
  // switches a whole pack off.
  std::string pack;
  // The compiled pattern; matcher->language says which key it came from and matcher->text holds
  // the pattern (for an event_pattern written as YAML: its compact JSON form).
  std::shared_ptr<const match::Matcher> matcher;
  std::vector<RuleTest> tests;
  SourceLocation where;          // the rule's mapping
  SourceLocation pattern_where;  // the filter_pattern / event_pattern value
  // The processing policy the rule's YAML gives (`enabled`, `severity`, `schedule`, `suppress`,
  // `dedupe`, `threshold`) over the built-in defaults, and which of those keys it set: the
  // config's `defaults:` apply only to keys the rule leaves unset, its `overrides:` win over all
  // (ResolvePolicy in policy.h).
  RulePolicy policy;
  PolicyKeys policy_keys;
};

}  // namespace tw::rules

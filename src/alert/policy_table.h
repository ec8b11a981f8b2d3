// Policy resolution: the effective RulePolicy of every rule, from the layers the user wrote.
//
// Layers, each later one replacing the keys it sets (rules/policy.h PolicyPatch):
//   1. built-in defaults (RulePolicy{}: enabled, schedule always, no suppress, dedupe on with the
//      key "{rule_id}|{actor}|{account_id}|{event_name}" and a 15-minute window, no threshold);
//   2. the config's `defaults:`;
//   3. the rule's own YAML (`schedule:`, `suppress:`, `dedupe:`, `threshold:`);
//   4. the config's `overrides: {<rule id>: ...}`.
// Lists (suppress, group_by) are replaced whole by a later layer, never appended: what a user
// writes in `overrides` is the whole list in force, which is the easiest to read back.
//
// PolicyTable is immutable once built and shared by the stages (std::shared_ptr<const
// PolicyTable>); a reload builds a new one. Thread-safe for reading.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/policy.h"

namespace tw::alert {

// Applies `patch` onto `base`, key by key.
void ApplyPolicyPatch(rules::RulePolicy& base, const rules::PolicyPatch& patch);

// Layers 1-4 for one rule.
rules::RulePolicy ResolvePolicy(const rules::PolicyPatch& config_defaults,
                                const rules::PolicyPatch& rule_own,
                                const rules::PolicyPatch& override_patch);

class PolicyTable {
 public:
  // The effective policy of each rule in `rule_ids`. `rule_own` and `overrides` are keyed by rule
  // id; an id missing there contributes nothing. kInvalidArgument when `overrides` names a rule
  // id that is not in `rule_ids` (a typo would otherwise silently do nothing), or when a
  // resolved policy is invalid: a threshold count < 0, a threshold with count > 0 and no window,
  // a dedupe window <= 0 with dedupe on.
  [[nodiscard]] static Result<std::shared_ptr<const PolicyTable>> Build(
      const std::vector<std::string>& rule_ids, const rules::PolicyPatch& config_defaults,
      const std::map<std::string, rules::PolicyPatch>& rule_own,
      const std::map<std::string, rules::PolicyPatch>& overrides);

  // A table in which every rule has `policy` (tests, `scan` without a config).
  static std::shared_ptr<const PolicyTable> Uniform(rules::RulePolicy policy);

  // The policy of `rule_id`; for an id the table was not built with, the defaults-only policy
  // (layers 1-2).
  const rules::RulePolicy& For(std::string_view rule_id) const;

  // Every rule id with its own entry, and the fallback.
  const std::map<std::string, rules::RulePolicy, std::less<>>& per_rule() const { return per_rule_; }
  const rules::RulePolicy& fallback() const { return fallback_; }

 private:
  rules::RulePolicy fallback_;
  std::map<std::string, rules::RulePolicy, std::less<>> per_rule_;
};

}  // namespace tw::alert

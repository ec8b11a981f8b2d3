// PolicyTable: the effective processing policy of every rule, as the stages look it up.
//
// The policy of a rule is resolved from layers (built-in defaults, the config's `defaults:`, the
// rule's own YAML, the config's `overrides: {<rule id>: ...}`) by rules::ResolvePolicy
// (rules/policy.h, with the YAML side in rules/policy_yaml.h and config/); the pipeline hands
// the resolved policies to PolicyTable::Create and shares the table between the stages. A rule
// id the table does not know (a rule added at reload, a test) gets the fallback policy, which
// is the `defaults:`-only resolution.
//
// Immutable once built and shared as std::shared_ptr<const PolicyTable>; a reload builds a new
// one. Thread-safe for reading.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/error.h"
#include "rules/policy.h"

namespace tw::alert {

class PolicyTable {
 public:
  PolicyTable() = default;
  PolicyTable(const PolicyTable&) = delete;  // by_id_ points into per_rule_
  PolicyTable& operator=(const PolicyTable&) = delete;

  // kInvalidArgument (naming the rule) when a policy cannot run: a threshold count < 0, a
  // threshold count > 0 with no window, or dedupe on with a window <= 0.
  [[nodiscard]] static Result<std::shared_ptr<const PolicyTable>> Create(
      rules::RulePolicy fallback, std::map<std::string, rules::RulePolicy, std::less<>> per_rule);

  // A table in which every rule has `policy` (tests, `scan` without a config).
  static std::shared_ptr<const PolicyTable> Uniform(rules::RulePolicy policy);

  // The policy of `rule_id`, or the fallback.
  const rules::RulePolicy& For(std::string_view rule_id) const;

  const std::map<std::string, rules::RulePolicy, std::less<>>& per_rule() const {
    return per_rule_;
  }
  const rules::RulePolicy& fallback() const { return fallback_; }

 private:
  rules::RulePolicy fallback_;
  std::map<std::string, rules::RulePolicy, std::less<>> per_rule_;
  // per_rule_ by hash, for For(): each stage looks up every alert's rule (a map's string
  // compares down its tree cost more than the stage's own work).
  std::unordered_map<std::string_view, const rules::RulePolicy*> by_id_;
};

}  // namespace tw::alert

#include "rules/policy.h"

namespace tw::rules {

void ApplyPolicyLayer(const RulePolicy& values, const PolicyKeys& keys, RulePolicy& policy) {
  if (keys.enabled) policy.enabled = values.enabled;
  if (keys.severity) policy.severity = values.severity;
  if (keys.schedule) policy.schedule = values.schedule;
  if (keys.suppress) policy.suppress = values.suppress;
  if (keys.dedupe_enabled) policy.dedupe.enabled = values.dedupe.enabled;
  if (keys.dedupe_key) policy.dedupe.key = values.dedupe.key;
  if (keys.dedupe_window) policy.dedupe.window = values.dedupe.window;
  if (keys.threshold) policy.threshold = values.threshold;
}

RulePolicy ResolvePolicy(const PolicyLayer& defaults, const RulePolicy& rule_values,
                         const PolicyKeys& rule_keys, const PolicyLayer* override_layer) {
  RulePolicy policy;
  ApplyPolicyLayer(defaults.values, defaults.keys, policy);
  ApplyPolicyLayer(rule_values, rule_keys, policy);
  if (override_layer != nullptr)
    ApplyPolicyLayer(override_layer->values, override_layer->keys, policy);
  return policy;
}

}  // namespace tw::rules

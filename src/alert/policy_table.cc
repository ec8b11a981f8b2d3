#include "alert/policy_table.h"

namespace tw::alert {

void ApplyPolicyPatch(rules::RulePolicy& base, const rules::PolicyPatch& p) {
  if (p.enabled) base.enabled = *p.enabled;
  if (p.severity) base.severity = *p.severity;
  if (p.schedule) base.schedule = *p.schedule;
  if (p.suppress) base.suppress = *p.suppress;
  if (p.dedupe_enabled) base.dedupe.enabled = *p.dedupe_enabled;
  if (p.dedupe_key) base.dedupe.key = *p.dedupe_key;
  if (p.dedupe_window) base.dedupe.window = *p.dedupe_window;
  if (p.threshold_count) base.threshold.count = *p.threshold_count;
  if (p.threshold_window) base.threshold.window = *p.threshold_window;
  if (p.threshold_group_by) base.threshold.group_by = *p.threshold_group_by;
}

rules::RulePolicy ResolvePolicy(const rules::PolicyPatch& config_defaults,
                                const rules::PolicyPatch& rule_own,
                                const rules::PolicyPatch& override_patch) {
  rules::RulePolicy policy;
  ApplyPolicyPatch(policy, config_defaults);
  ApplyPolicyPatch(policy, rule_own);
  ApplyPolicyPatch(policy, override_patch);
  return policy;
}

namespace {

Result<void> Validate(const std::string& rule_id, const rules::RulePolicy& p) {
  auto bad = [&](const std::string& what) {
    return Fail(ErrorCode::kInvalidArgument, "rule " + rule_id + ": " + what);
  };
  if (p.threshold.count < 0) return bad("threshold count must be >= 0");
  if (p.threshold.count > 0 && p.threshold.window.count() <= 0) {
    return bad("a threshold needs a window > 0");
  }
  if (p.dedupe.enabled && p.dedupe.window.count() <= 0) {
    return bad("dedupe window must be > 0 (or turn dedupe off with `dedupe: false`)");
  }
  return Ok();
}

}  // namespace

Result<std::shared_ptr<const PolicyTable>> PolicyTable::Build(
    const std::vector<std::string>& rule_ids, const rules::PolicyPatch& config_defaults,
    const std::map<std::string, rules::PolicyPatch>& rule_own,
    const std::map<std::string, rules::PolicyPatch>& overrides) {
  for (const auto& [id, _] : overrides) {
    bool known = false;
    for (const auto& r : rule_ids) known = known || r == id;
    if (!known) {
      return Fail(ErrorCode::kInvalidArgument,
                  "overrides: no rule has the id \"" + id + "\"");
    }
  }
  auto table = std::make_shared<PolicyTable>();
  table->fallback_ = ResolvePolicy(config_defaults, {}, {});
  if (auto r = Validate("(defaults)", table->fallback_); !r) return tl::unexpected(r.error());
  static const rules::PolicyPatch kNone;
  for (const auto& id : rule_ids) {
    const auto own = rule_own.find(id);
    const auto over = overrides.find(id);
    rules::RulePolicy p = ResolvePolicy(config_defaults, own == rule_own.end() ? kNone : own->second,
                                        over == overrides.end() ? kNone : over->second);
    if (auto r = Validate(id, p); !r) return tl::unexpected(r.error());
    table->per_rule_[id] = std::move(p);
  }
  return std::shared_ptr<const PolicyTable>(std::move(table));
}

std::shared_ptr<const PolicyTable> PolicyTable::Uniform(rules::RulePolicy policy) {
  auto table = std::make_shared<PolicyTable>();
  table->fallback_ = std::move(policy);
  return table;
}

const rules::RulePolicy& PolicyTable::For(std::string_view rule_id) const {
  const auto it = per_rule_.find(rule_id);
  return it == per_rule_.end() ? fallback_ : it->second;
}

}  // namespace tw::alert

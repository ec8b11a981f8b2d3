#include "alert/policy_table.h"

namespace tw::alert {
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

Result<std::shared_ptr<const PolicyTable>> PolicyTable::Create(
    rules::RulePolicy fallback, std::map<std::string, rules::RulePolicy, std::less<>> per_rule) {
  if (auto r = Validate("(defaults)", fallback); !r) return tl::unexpected(r.error());
  for (const auto& [id, policy] : per_rule) {
    if (auto r = Validate(id, policy); !r) return tl::unexpected(r.error());
  }
  auto table = std::make_shared<PolicyTable>();
  table->fallback_ = std::move(fallback);
  table->per_rule_ = std::move(per_rule);
  table->by_id_.reserve(table->per_rule_.size());
  for (const auto& [id, policy] : table->per_rule_) table->by_id_.emplace(id, &policy);
  return std::shared_ptr<const PolicyTable>(std::move(table));
}

std::shared_ptr<const PolicyTable> PolicyTable::Uniform(rules::RulePolicy policy) {
  auto table = std::make_shared<PolicyTable>();
  table->fallback_ = std::move(policy);
  return table;
}

const rules::RulePolicy& PolicyTable::For(std::string_view rule_id) const {
  const auto it = by_id_.find(rule_id);
  return it == by_id_.end() ? fallback_ : *it->second;
}

}  // namespace tw::alert

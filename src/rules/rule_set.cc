#include "rules/rule_set.h"

#include "match/field_cache.h"

namespace tw::rules {

std::shared_ptr<const RuleSet> RuleSet::Create(std::vector<std::shared_ptr<const Rule>> rules) {
  return Create(std::move(rules), match::RuleIndex::BuildOptions{});
}

std::shared_ptr<const RuleSet> RuleSet::Create(std::vector<std::shared_ptr<const Rule>> rules,
                                               const match::RuleIndex::BuildOptions& options) {
  auto set = std::shared_ptr<RuleSet>(new RuleSet());
  set->rules_ = std::move(rules);
  std::vector<const match::Matcher*> matchers;
  matchers.reserve(set->rules_.size());
  for (const auto& r : set->rules_) {
    TW_CHECK(r != nullptr && r->matcher != nullptr);
    // Field ids are shared across rules of the same language (the root they see): see
    // match/field_cache.h. Assigned before the set is published to the engines.
    match::AssignFieldIds(*r->matcher->root, static_cast<uint32_t>(r->matcher->language));
    matchers.push_back(r->matcher.get());
  }
  set->index_ = match::RuleIndex::Build(matchers, options);
  return set;
}

std::shared_ptr<const RuleSet> RuleSet::Create(std::vector<Rule> rules) {
  std::vector<std::shared_ptr<const Rule>> shared;
  shared.reserve(rules.size());
  for (Rule& r : rules) shared.push_back(std::make_shared<const Rule>(std::move(r)));
  return Create(std::move(shared));
}

}  // namespace tw::rules

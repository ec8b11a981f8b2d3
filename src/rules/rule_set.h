// RuleSet: the rules a scan or a watch evaluates, with their index, immutable once built.
//
// Each rule is a `std::shared_ptr<const Rule>`: the same object goes from the loader through the
// engine (which copies its metadata into each alert) to whatever else needs it, with no second
// rule type on the way. The set is shared as `std::shared_ptr<const RuleSet>` by every engine
// (one per worker thread); a reload builds a new set and swaps the pointer, so engines holding
// the old one finish their batch with it.
//
// Create assigns the matchers' field ids (match/field_cache.h) and builds the RuleIndex
// (match/index.h) over the rules in order: candidate id i is rules()[i].
//
// Thread-safety: immutable after Create; every method is const and reentrant.
#pragma once

#include <memory>
#include <vector>

#include "match/index.h"
#include "rules/rule.h"

namespace tw::rules {

class RuleSet {
 public:
  // Builds the set over `rules` (order kept). Every rule has a matcher.
  static std::shared_ptr<const RuleSet> Create(std::vector<std::shared_ptr<const Rule>> rules);
  // The same, with the index built with `options` (the RE2::Set memory budget ...).
  static std::shared_ptr<const RuleSet> Create(std::vector<std::shared_ptr<const Rule>> rules,
                                               const match::RuleIndex::BuildOptions& options);
  // The same, taking loaded rules by value (rules/loader.h returns them so).
  static std::shared_ptr<const RuleSet> Create(std::vector<Rule> rules);

  const std::vector<std::shared_ptr<const Rule>>& rules() const { return rules_; }
  const match::RuleIndex& index() const { return *index_; }
  size_t size() const { return rules_.size(); }

 private:
  RuleSet() = default;

  std::vector<std::shared_ptr<const Rule>> rules_;
  std::unique_ptr<match::RuleIndex> index_;
};

}  // namespace tw::rules

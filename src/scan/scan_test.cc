// The index must never hide a match: scanning with the rule index gives exactly the alerts of
// evaluating every rule on every event, over the real corpus, with the built-in pack and with
// generated rules in both languages (bench/rules, a realistic mix of anchors).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include "rules/builtin.h"
#include "rules/loader.h"
#include "scan/scanner.h"

namespace tw::scan {
namespace {

using AlertKey = std::tuple<std::string, uint64_t, std::string>;  // file, record, rule

class Collect : public ScanListener {
 public:
  void OnFile(FileResult& r) override {
    for (const auto& a : r.alerts) alerts.insert({a.input_file, a.input_record, a.rule->id});
    events += r.events;
    errors += r.errors.size();
  }
  std::set<AlertKey> alerts;
  uint64_t events = 0;
  uint64_t errors = 0;
};

std::shared_ptr<const CompiledRuleSet> Compile(const std::vector<rules::Rule>& rules) {
  std::vector<ScanRule> out;
  for (const auto& r : rules) {
    out.push_back(ScanRule{{r.id, r.title, rules::SeverityName(r.severity)}, r.matcher});
  }
  return CompiledRuleSet::Create(std::move(out));
}

void ExpectIndexIsExact(const std::vector<rules::Rule>& rules, size_t min_alerts) {
  auto set = Compile(rules);
  std::vector<InputError> errors;
  const auto files = ExpandInputs(
      {std::string(TW_TEST_DATA) + "/corpus/real", std::string(TW_TEST_DATA) + "/corpus/files",
       std::string(TW_SOURCE_DIR) + "/samples",
       std::string(TW_SOURCE_DIR) + "/bench/gate/corpus.ndjson.gz"},
      errors);
  ASSERT_TRUE(errors.empty());
  ScanOptions indexed;
  ScanOptions exhaustive;
  exhaustive.use_index = false;
  Collect a, b;
  Scan(*set, files, indexed, a);
  Scan(*set, files, exhaustive, b);
  EXPECT_EQ(a.events, b.events);
  EXPECT_GE(a.alerts.size(), min_alerts);
  std::vector<AlertKey> missing, extra;
  std::set_difference(b.alerts.begin(), b.alerts.end(), a.alerts.begin(), a.alerts.end(),
                      std::back_inserter(missing));
  std::set_difference(a.alerts.begin(), a.alerts.end(), b.alerts.begin(), b.alerts.end(),
                      std::back_inserter(extra));
  for (const auto& [file, record, rule] : missing) {
    ADD_FAILURE() << "index dropped " << rule << " on " << file << " record " << record;
  }
  for (const auto& [file, record, rule] : extra) {
    ADD_FAILURE() << "index added " << rule << " on " << file << " record " << record;
  }
}

TEST(RuleIndex, BuiltinPackLosesNothingOverTheCorpus) {
  auto rules = rules::LoadBuiltinRules();
  ASSERT_TRUE(rules) << rules.error().message;
  ExpectIndexIsExact(*rules, 500);
}

TEST(RuleIndex, GeneratedFilterPatternRulesLoseNothing) {
  auto rules = rules::LoadRuleFile(std::string(TW_SOURCE_DIR) + "/bench/rules/gen-1000-cwl.yml");
  ASSERT_TRUE(rules) << rules.error().message;
  ExpectIndexIsExact(*rules, 50);
}

TEST(RuleIndex, GeneratedEventPatternRulesLoseNothing) {
  auto rules = rules::LoadRuleFile(std::string(TW_SOURCE_DIR) + "/bench/rules/gen-1000-eb.yml");
  ASSERT_TRUE(rules) << rules.error().message;
  ExpectIndexIsExact(*rules, 50);
}

}  // namespace
}  // namespace tw::scan

// The index must never hide a match: scanning with the rule index gives exactly the alerts of
// evaluating every rule on every event, over the real corpus, with the built-in pack and with
// generated rules in both languages (bench/rules, a realistic mix of anchors).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include "alert/testing/event_fields_text.h"
#include "common/clock.h"
#include "pipeline/pipeline.h"
#include "rules/builtin.h"
#include "rules/loader.h"
#include "sources/files/files_source.h"

namespace tw::pipeline {
namespace {

// file, record, rule, the alert's event fields and record text
using AlertKey = std::tuple<std::string, uint64_t, std::string, std::string>;

class Collect : public BatchListener {
 public:
  void OnBatch(BatchReport& r) override {
    for (const auto& a : r.alerts)
      alerts.insert({a.input_file, a.input_record, a.rule_id,
                     alert::testing::EventFieldsText(a) + " " + a.record_json});
    events += r.events;
    errors += r.errors.size();
  }
  std::set<AlertKey> alerts;
  uint64_t events = 0;
  uint64_t errors = 0;
};

// Scans `files` as `scan` does (the files source through the pipeline), into `listener`.
void Scan(std::shared_ptr<const rules::RuleSet> set, const std::vector<std::string>& files,
          bool use_index, BatchListener& listener) {
  SystemClock clock;
  PipelineParts parts;
  parts.rules = std::move(set);
  parts.sources.push_back(std::make_unique<sources::FilesSource>(files));
  parts.clock = &clock;
  parts.listener = &listener;
  PipelineOptions options;
  options.engine.use_index = use_index;
  auto pipe = Pipeline::Create(std::move(parts), options);
  ASSERT_TRUE(pipe) << pipe.error().message;
  const std::atomic<bool> stop{false};
  ASSERT_TRUE((*pipe)->Run(stop));
}

void ExpectIndexIsExact(const std::vector<rules::Rule>& rules, size_t min_alerts) {
  auto set = rules::RuleSet::Create(rules);
  std::vector<sources::ExpandError> errors;
  const auto files = sources::ExpandInputs(
      {std::string(TW_TEST_DATA) + "/corpus/real", std::string(TW_TEST_DATA) + "/corpus/files",
       std::string(TW_SOURCE_DIR) + "/samples",
       std::string(TW_SOURCE_DIR) + "/bench/gate/corpus.ndjson.gz"},
      errors);
  ASSERT_TRUE(errors.empty());
  Collect a, b;
  Scan(set, files, /*use_index=*/true, a);
  Scan(set, files, /*use_index=*/false, b);
  EXPECT_EQ(a.events, b.events);
  EXPECT_GE(a.alerts.size(), min_alerts);
  std::vector<AlertKey> missing, extra;
  std::set_difference(b.alerts.begin(), b.alerts.end(), a.alerts.begin(), a.alerts.end(),
                      std::back_inserter(missing));
  std::set_difference(a.alerts.begin(), a.alerts.end(), b.alerts.begin(), b.alerts.end(),
                      std::back_inserter(extra));
  for (const auto& [file, record, rule, fields] : missing) {
    ADD_FAILURE() << "index dropped " << rule << " on " << file << " record " << record << ": "
                  << fields;
  }
  for (const auto& [file, record, rule, fields] : extra) {
    ADD_FAILURE() << "index added " << rule << " on " << file << " record " << record << ": "
                  << fields;
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
}  // namespace tw::pipeline

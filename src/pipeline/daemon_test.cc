// The daemon's builders: policy applied per rule, the stage chain, the registries.
#include "pipeline/daemon.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "pipeline/scan_filter_stages.h"
#include "rules/builtin.h"

namespace tw::pipeline {
namespace {

config::Config Parse(const std::string& text) {
  auto cfg = config::ParseConfig(text, "test.yml",
                                 [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(cfg.has_value()) << (cfg ? "" : rules::FormatDiagnostics(cfg.error()));
  return cfg ? *cfg : config::Config{};
}

std::vector<rules::Rule> Builtin() {
  auto rules = rules::LoadBuiltinRules(rules::InlineTests::kSkip);
  EXPECT_TRUE(rules.has_value());
  return rules ? std::move(*rules) : std::vector<rules::Rule>{};
}

const rules::Rule* Find(const Processing& p, const std::string& id) {
  for (const auto& r : p.rules->rules()) {
    if (r->id == id) return r.get();
  }
  return nullptr;
}

std::vector<std::string> StageNames(const std::vector<std::unique_ptr<alert::Stage>>& stages) {
  std::vector<std::string> names;
  for (const auto& s : stages) names.emplace_back(s->name());
  return names;
}

TEST(BuildProcessing, RemovesDisabledRulesAndAppliesSeverityOverrides) {
  const std::vector<rules::Rule> all = Builtin();
  ASSERT_FALSE(all.empty());
  config::Config cfg = Parse(
      "overrides:\n"
      "  cloudtrail-change: {enabled: false}\n"
      "  iam-policy-change: {severity: low}\n");
  auto p = BuildProcessing(cfg, all);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->disabled_rules, 1u);
  EXPECT_EQ(p->rules->size(), all.size() - 1);
  EXPECT_EQ(Find(*p, "cloudtrail-change"), nullptr);
  const rules::Rule* iam = Find(*p, "iam-policy-change");
  ASSERT_NE(iam, nullptr);
  EXPECT_EQ(iam->severity, rules::Severity::kLow);  // rules/iam-policy-change.yml says medium
  EXPECT_EQ(StageNames(p->stages),
            (std::vector<std::string>{"enrich", "schedule", "suppress", "threshold", "dedupe"}));
}

TEST(BuildProcessing, ResolvesTheConfigLayersIntoThePolicyTable) {
  config::Config cfg = Parse(
      "defaults: {dedupe: {window: 1h}}\n"
      "overrides:\n"
      "  authorization-failure: {schedule: outside_business_hours}\n"
      "  console-login-failure: {suppress: [{field: sourceIPAddress, cidr: [10.0.0.0/8]}]}\n");
  auto p = BuildProcessing(cfg, Builtin());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->policies->For("authorization-failure").schedule,
            rules::Schedule::kOutsideBusinessHours);
  EXPECT_EQ(p->policies->For("authorization-failure").dedupe.window, std::chrono::hours(1));
  EXPECT_EQ(p->policies->For("console-login-failure").suppress.size(), 1u);
  // The rule's own YAML key stays when no layer above it sets the key.
  EXPECT_EQ(p->policies->For("console-login-after-hours").schedule,
            rules::Schedule::kOutsideBusinessHours);
  // A rule id the table does not know gets the `defaults:` resolution.
  EXPECT_EQ(p->policies->For("no-such-rule").dedupe.window, std::chrono::hours(1));
}

TEST(BuildProcessing, PacksSwitchedOffDropTheirRulesUnlessAnOverrideKeepsOne) {
  const std::vector<rules::Rule> all = Builtin();
  size_t cis = 0;
  for (const auto& r : all) cis += r.pack == "cis" ? 1 : 0;
  ASSERT_EQ(cis, 14u);  // docs/rules.md: the cis pack is CloudWatch.1-14
  auto p = BuildProcessing(Parse("packs: {cis: false, core: true}\n"
                                 "overrides: {cis-root-usage: {enabled: true}}\n"),
                           all);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->disabled_rules, 13u);
  EXPECT_EQ(p->rules->size(), all.size() - 13);
  EXPECT_EQ(Find(*p, "cis-config-changes"), nullptr);
  EXPECT_NE(Find(*p, "cis-root-usage"), nullptr);            // kept by its override
  EXPECT_NE(Find(*p, "cloudtrail-change"), nullptr);         // core: on
  EXPECT_NE(Find(*p, "rds-snapshot-made-public"), nullptr);  // not listed: on
}

TEST(BuildProcessing, EveryRuleDisabledIsAnError) {
  std::vector<rules::Rule> one;
  for (auto& r : Builtin()) {
    if (r.id == "cloudtrail-change") one.push_back(r);
  }
  ASSERT_EQ(one.size(), 1u);
  auto p = BuildProcessing(Parse("overrides: {cloudtrail-change: {enabled: false}}\n"), one);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
}

TEST(BuildPlainScanProcessing, KeepsTheRulesOwnScheduleWithoutDedupeOrEnrichment) {
  auto p = BuildPlainScanProcessing(Builtin());
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(StageNames(p->stages), (std::vector<std::string>{"schedule", "threshold"}));
  EXPECT_EQ(p->policies->For("console-login-after-hours").schedule,
            rules::Schedule::kOutsideBusinessHours);
  EXPECT_FALSE(p->policies->For("cloudtrail-change").dedupe.enabled);
}

TEST(Registries, KnowEveryTypeTheConfigAccepts) {
  EXPECT_EQ(SourceTypes(), (std::vector<std::string>{"dir", "stdin", "http", "s3", "sqs"}));
  EXPECT_EQ(SinkTypes(),
            (std::vector<std::string>{"slack", "slack_api", "webhook", "stdout", "file"}));
  config::SinkConfig bogus;
  bogus.type = "carrier-pigeon";
  SystemClock clock;
  auto sink = BuildSink(bogus, clock);
  ASSERT_FALSE(sink.has_value());
  EXPECT_EQ(sink.error().code, ErrorCode::kInvalidArgument);
}

TEST(ScanFilterStages, TimeBoundsTakeADateOrATime) {
  auto since = ParseTimeBound("2024-01-31", BoundKind::kLower);
  auto until = ParseTimeBound("2024-01-31", BoundKind::kUpper);
  ASSERT_TRUE(since && until);
  EXPECT_EQ(alert::FormatEventTime(*since), "2024-01-31T00:00:00Z");
  EXPECT_EQ(alert::FormatEventTime(*until), "2024-02-01T00:00:00Z");  // the whole 31st
  auto t = ParseTimeBound("2024-01-31T12:30:00Z", BoundKind::kUpper);
  ASSERT_TRUE(t);
  EXPECT_EQ(alert::FormatEventTime(*t), "2024-01-31T12:30:00Z");
  EXPECT_FALSE(ParseTimeBound("yesterday", BoundKind::kLower));
  EXPECT_FALSE(ParseTimeBound("2024-02-30", BoundKind::kLower));
}

TEST(ScanFilterStages, RangeIsHalfOpenAndDropsUnparseableTimes) {
  EventTimeRangeStage stage(*ParseTimeBound("2024-01-01T00:00:00Z", BoundKind::kLower),
                            *ParseTimeBound("2024-01-02T00:00:00Z", BoundKind::kUpper));
  std::vector<alert::Alert> alerts(5);
  alerts[0].event_time = "2023-12-31T23:59:59Z";  // before
  alerts[1].event_time = "2024-01-01T00:00:00Z";  // the lower bound: in
  alerts[2].event_time = "2024-01-01T23:59:59Z";  // in
  alerts[3].event_time = "2024-01-02T00:00:00Z";  // the upper bound: out
  alerts[4].event_time = "not a time";
  SystemClock clock;
  ASSERT_TRUE(stage.Process(alerts, alert::StageContext{clock, nullptr}));
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].event_time, "2024-01-01T00:00:00Z");
  EXPECT_EQ(alerts[1].event_time, "2024-01-01T23:59:59Z");
}

TEST(ScanFilterStages, MinSeverityKeepsThatLevelAndAbove) {
  MinSeverityStage stage(rules::Severity::kHigh);
  std::vector<alert::Alert> alerts(3);
  alerts[0].severity = rules::Severity::kMedium;
  alerts[1].severity = rules::Severity::kHigh;
  alerts[2].severity = rules::Severity::kCritical;
  SystemClock clock;
  ASSERT_TRUE(stage.Process(alerts, alert::StageContext{clock, nullptr}));
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].severity, rules::Severity::kHigh);
}

}  // namespace
}  // namespace tw::pipeline

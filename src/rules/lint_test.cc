#include "rules/lint.h"

#include <gtest/gtest.h>

#include "rules/loader.h"

namespace tw::rules {
namespace {

std::vector<Rule> Load(std::string_view yaml) {
  auto rules = LoadRulesFromText(yaml, "l.yml", "");
  EXPECT_TRUE(rules.has_value()) << rules.error().message;
  return rules.value_or(std::vector<Rule>{});
}

constexpr std::string_view kTests =
    "tests:\n"
    "  - {expect: true, event: '{\"eventName\": \"StopLogging\", \"n\": 1}'}\n"
    "  - {expect: true, event: '{\"eventName\": \"StopLogging\", \"n\": 2}'}\n"
    "  - {expect: false, event: '{\"eventName\": \"StartLogging\"}'}\n"
    "  - {expect: false, event: '{\"eventName\": \"DeleteTrail\"}'}\n";

TEST(LintTest, AWellFormedRuleHasNoWarnings) {
  const auto rules = Load(std::string("id: good\ntitle: CloudTrail logging stopped\n"
                                      "severity: high\n"
                                      "description: Someone stopped a trail from logging.\n"
                                      "references: [https://example.com]\n"
                                      "filter_pattern: '{ $.eventName = StopLogging }'\n") +
                          std::string(kTests));
  const auto warnings = LintRules(rules);
  EXPECT_TRUE(warnings.empty()) << FormatDiagnostics(warnings);
}

TEST(LintTest, EveryWarning) {
  const auto rules = Load(
      "id: sloppy\n"
      "title: " +
      std::string(81, 'T') +
      "\n"
      "severity: low\n"
      "description: short\n"
      "filter_pattern: StopLogging\n"
      "tests:\n"
      "  - {expect: true, event: '{\"eventName\": \"StopLogging\"}'}\n");
  const std::string all = FormatDiagnostics(LintRules(rules));
  EXPECT_NE(all.find("l.yml:1:1: warning: rule `sloppy` has 1 positive and 0 negative inline "
                     "tests\n  hint: add at least 2"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("l.yml:1:1: warning: rule `sloppy` has no references"), std::string::npos);
  EXPECT_NE(all.find("l.yml:1:1: warning: rule `sloppy` has a very short description"),
            std::string::npos);
  EXPECT_NE(all.find("l.yml:1:1: warning: rule `sloppy` has a title of 81 characters"),
            std::string::npos);
  EXPECT_NE(all.find("l.yml:5:17: warning: rule `sloppy` has a filter pattern that matches raw "
                     "text, not JSON fields"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("empty event"), std::string::npos) << all;
}

TEST(LintTest, PatternsThatMatchTheEmptyObject) {
  const auto rules = Load(
      "- id: everything\n  title: Everything\n  severity: low\n"
      "  description: A pattern that constrains nothing at all.\n"
      "  references: [x]\n"
      "  filter_pattern: '{ $.eventName NOT EXISTS }'\n"
      "- id: all-api-calls\n  title: All API calls\n  severity: low\n"
      "  description: Fires on every CloudTrail API call record.\n"
      "  references: [x]\n"
      "  event_pattern: {detail-type: [AWS API Call via CloudTrail]}\n");
  ASSERT_EQ(rules.size(), 2u);
  const std::string all = FormatDiagnostics(LintRules(rules));
  EXPECT_NE(all.find("l.yml:6:19: warning: rule `everything` matches the empty event `{}`"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("l.yml:12:18: warning: rule `all-api-calls` matches the empty event `{}`"),
            std::string::npos)
      << all;
}

}  // namespace
}  // namespace tw::rules

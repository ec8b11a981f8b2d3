#include "rules/loader.h"

#include <gtest/gtest.h>

#include "rules/inline_test.h"

namespace tw::rules {
namespace {

const std::string kData = TW_TEST_DATA "/rules";

std::string Header(std::string_view id = "r") {
  return "id: " + std::string(id) +
         "\ntitle: t\nseverity: low\ndescription: a description long enough\n";
}

std::string LoadError(std::string_view yaml) {
  auto rules = LoadRulesFromText(yaml, "t.yml", "");
  EXPECT_FALSE(rules.has_value());
  if (rules) return "";
  EXPECT_EQ(rules.error().code, ErrorCode::kInvalidArgument);
  return rules.error().message;
}

bool Matches(const Rule& rule, std::string_view event) {
  Result<bool> matched = MatchEventJson(rule, event);
  EXPECT_TRUE(matched.has_value()) << matched.error().message;
  return matched.value_or(false);
}

TEST(LoaderTest, LoadsOneRuleFile) {
  auto rules = LoadRuleFile(kData + "/one_rule.yml");
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 1u);
  const Rule& r = (*rules)[0];
  EXPECT_EQ(r.id, "stop-logging");
  EXPECT_EQ(r.title, "CloudTrail logging stopped");
  EXPECT_EQ(r.severity, Severity::kHigh);
  EXPECT_EQ(r.references.size(), 1u);
  ASSERT_NE(r.matcher, nullptr);
  EXPECT_EQ(r.matcher->language, match::Language::kFilterPattern);
  EXPECT_EQ(r.where.ToString(), kData + "/one_rule.yml:2:1");
  EXPECT_EQ(r.pattern_where.ToString(), kData + "/one_rule.yml:8:17");
  ASSERT_EQ(r.tests.size(), 4u);
  // event_file is read relative to the rule file.
  EXPECT_NE(r.tests[0].event_json.find("\"mallory\""), std::string::npos);
  EXPECT_EQ(r.tests[2].event_json,
            R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StartLogging"})");
  EXPECT_TRUE(RunInlineTests(*rules).empty());
}

TEST(LoaderTest, LoadsAListOfRules) {
  auto rules = LoadRuleFile(kData + "/list.yml");
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].id, "sg-ingress");
  EXPECT_EQ((*rules)[0].matcher->language, match::Language::kEventPattern);
  EXPECT_EQ((*rules)[0].where.ToString(), kData + "/list.yml:1:3");
  EXPECT_EQ((*rules)[1].id, "kms-disable");
  EXPECT_EQ((*rules)[1].severity, Severity::kCritical);
  EXPECT_EQ((*rules)[1].where.ToString(), kData + "/list.yml:19:3");
  EXPECT_TRUE(RunInlineTests(*rules).empty());
}

TEST(LoaderTest, MissingFileIsNotFound) {
  auto rules = LoadRuleFile(kData + "/does-not-exist.yml");
  ASSERT_FALSE(rules.has_value());
  EXPECT_EQ(rules.error().code, ErrorCode::kNotFound);
}

TEST(LoaderTest, BadFilterPatternPointsIntoTheSingleQuotedPattern) {
  // Line 5 is `filter_pattern: '{ $.eventName = }'`. The quote is at column 17, so pattern byte
  // i is at file column 18 + i. The front end reports column 17 (the `}`, byte 16) -> 34.
  const std::string message = LoadError(Header() + "filter_pattern: '{ $.eventName = }'\n");
  EXPECT_EQ(message,
            "t.yml:5:34: error: invalid filter pattern: expected a value after '=' (column 17 "
            "of the pattern)\n"
            "  filter_pattern: '{ $.eventName = }'\n"
            "                                   ^\n"
            "  hint: for example = \"ConsoleLogin\", = AccessDenied*, > 100 or = %regex%; use * "
            "to match any value");
}

TEST(LoaderTest, BadFilterPatternInADoubleQuotedScalarSkipsEscapes) {
  // `filter_pattern: "{ $.eventName = \"x\" && }"`: pattern `{ $.eventName = "x" && }`, error at
  // pattern column 24 (the `}`, byte 23). Bytes 0-15 are at columns 18-33; byte 16 (`"`) is the
  // escape at 34-35, 17 (`x`) at 36, 18 (`"`) at 37-38, 19-22 at 39-42, so byte 23 is at 43.
  const std::string message =
      LoadError(Header() + "filter_pattern: \"{ $.eventName = \\\"x\\\" && }\"\n");
  EXPECT_EQ(message.substr(0, message.find('\n')),
            "t.yml:5:43: error: invalid filter pattern: expected a comparison (column 24 of the "
            "pattern)");
  EXPECT_NE(message.find("\n  hint: a comparison is"), std::string::npos) << message;
}

TEST(LoaderTest, BadFilterPatternInAPlainScalar) {
  // Plain value at column 17; pattern column 7 (the quote) -> 17 + 6 = 23.
  const std::string message = LoadError(Header() + "filter_pattern: ERROR \"unclosed\n");
  EXPECT_EQ(message,
            "t.yml:5:23: error: invalid filter pattern: unterminated quoted string (column 7 of "
            "the pattern)\n"
            "  filter_pattern: ERROR \"unclosed\n"
            "                        ^\n"
            "  hint: close it with '\"'; write a double quote inside it as \\\"");
}

TEST(LoaderTest, BadFilterPatternInABlockScalarShowsThePattern) {
  const std::string message = LoadError(Header() +
                                        "filter_pattern: >-\n"
                                        "  { $.eventName = }\n");
  EXPECT_EQ(message,
            "t.yml:5:17: error: invalid filter pattern: expected a value after '=' (column 17 "
            "of the pattern)\n"
            "  { $.eventName = }\n"
            "                  ^\n"
            "  hint: for example = \"ConsoleLogin\", = AccessDenied*, > 100 or = %regex%; use * "
            "to match any value");
}

TEST(LoaderTest, BadEventPatternIsReportedAtThePattern) {
  const std::string message = LoadError(Header() +
                                        "event_pattern:\n"
                                        "  detail:\n"
                                        "    eventName: []\n");
  EXPECT_EQ(message.substr(0, message.find('\n')),
            "t.yml:6:3: error: Event pattern is not valid. Reason: Empty arrays are not allowed "
            "(at detail.eventName)");
  EXPECT_NE(message.find("hint: see the EventBridge event pattern reference"), std::string::npos);
}

TEST(LoaderTest, AllErrorsOfAFileAreReported) {
  // Two broken rules and a good one: both errors, and no rules.
  const std::string message = LoadError(
      "- id: good\n  title: t\n  severity: low\n  description: d\n  filter_pattern: x\n"
      "- id: bad-pattern\n  title: t\n  severity: low\n  description: d\n"
      "  filter_pattern: '{ $.a = }'\n"
      "- id: bad-severity\n  title: t\n  severity: urgent\n  description: d\n"
      "  filter_pattern: x\n");
  EXPECT_NE(message.find("t.yml:10:"), std::string::npos) << message;
  EXPECT_NE(message.find("t.yml:13:13: error: unknown severity `urgent`"), std::string::npos)
      << message;
}

TEST(LoaderTest, EventPatternMappingAndJsonStringBehaveTheSame) {
  auto as_yaml = LoadRulesFromText(Header("y") +
                                       "event_pattern:\n"
                                       "  source: [aws.ec2]\n"
                                       "  detail:\n"
                                       "    eventName: [AuthorizeSecurityGroupIngress]\n"
                                       "    requestParameters:\n"
                                       "      fromPort: [{numeric: ['<=', 22]}]\n",
                                   "y.yml", "");
  ASSERT_TRUE(as_yaml.has_value()) << as_yaml.error().message;
  auto as_json = LoadRulesFromText(
      Header("j") +
          "event_pattern: '{\"source\": [\"aws.ec2\"], \"detail\": {\"eventName\": "
          "[\"AuthorizeSecurityGroupIngress\"], \"requestParameters\": {\"fromPort\": "
          "[{\"numeric\": [\"<=\", 22]}]}}}'\n",
      "j.yml", "");
  ASSERT_TRUE(as_json.has_value()) << as_json.error().message;
  const Rule& y = (*as_yaml)[0];
  const Rule& j = (*as_json)[0];
  EXPECT_EQ(y.matcher->text,
            R"({"source":["aws.ec2"],"detail":{"eventName":["AuthorizeSecurityGroupIngress"],)"
            R"("requestParameters":{"fromPort":[{"numeric":["<=",22]}]}}})");
  EXPECT_EQ(match::DumpIr(*y.matcher->root), match::DumpIr(*j.matcher->root));
  const std::string events[] = {
      R"({"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress",)"
      R"("requestParameters":{"fromPort":22}})",
      R"({"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress",)"
      R"("requestParameters":{"fromPort":443}})",
      R"({"eventSource":"s3.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress",)"
      R"("requestParameters":{"fromPort":22}})",
  };
  const bool expected[] = {true, false, false};
  for (size_t i = 0; i < std::size(events); ++i) {
    EXPECT_EQ(Matches(y, events[i]), expected[i]) << events[i];
    EXPECT_EQ(Matches(j, events[i]), expected[i]) << events[i];
  }
}

TEST(LoaderTest, DuplicateIdsAcrossFilesNameBothPlaces) {
  auto rules = LoadRulePaths({kData + "/dup"});
  ASSERT_FALSE(rules.has_value());
  EXPECT_EQ(rules.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rules.error().message,
            kData +
                "/dup/second.yml:2:1: error: duplicate rule id `same-id`\n  hint: `same-id` "
                "is already defined at " +
                kData + "/dup/first.yml:1:1; ids must be unique across all loaded rules");
}

TEST(LoaderTest, LoadsADirectoryRecursivelyInPathOrder) {
  auto rules = LoadRulePaths({kData + "/dir"});
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].id, "dir-a");  // dir/a.yml
  EXPECT_EQ((*rules)[1].id, "dir-b");  // dir/nested/b.yaml
  EXPECT_EQ((*rules)[2].id, "dir-c");  // dir/nested/c.yml
  EXPECT_EQ((*rules)[2].matcher->text, R"({"detail":{"eventName":["C"]}})");
}

TEST(LoaderTest, AFileNamedTwiceIsLoadedOnce) {
  auto rules = LoadRulePaths({kData + "/dir", kData + "/dir/a.yml", kData + "/one_rule.yml"});
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  EXPECT_EQ(rules->size(), 4u);
}

TEST(LoaderTest, MissingPathOrEmptyFolder) {
  auto missing = LoadRulePaths({kData + "/nope"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto empty = LoadRulePaths({kData + "/events"});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);
}

// The wording of key problems in a rule (rules/policy_yaml.h CollectMembers, shared with the
// policy and config checkers, which say "in <what>" without the article).
TEST(LoaderTest, KeyProblemsInARuleAreWordedForARule) {
  const std::string base = Header() + "filter_pattern: ERROR\n";
  std::string message = LoadError(base + "severty: low\n");
  EXPECT_NE(message.find("unknown key `severty` in a rule"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean `severity`?"), std::string::npos) << message;
  message = LoadError(base + "zzzzzzzzzzzz: 1\n");
  EXPECT_NE(message.find("unknown key `zzzzzzzzzzzz` in a rule"), std::string::npos) << message;
  EXPECT_NE(message.find("hint: a rule has the keys `"), std::string::npos) << message;
  message = LoadError(base + "title: again\n");
  EXPECT_NE(message.find("duplicate key `title`"), std::string::npos) << message;
  EXPECT_NE(message.find("`title` is already given at line 2"), std::string::npos) << message;
  message = LoadError(base + "[a, b]: 1\n");
  EXPECT_NE(message.find("a rule key must be a name, not a list"), std::string::npos) << message;
}

}  // namespace
}  // namespace tw::rules

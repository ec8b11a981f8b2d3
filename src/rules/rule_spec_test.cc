#include "rules/rule_spec.h"

#include <gtest/gtest.h>

namespace tw::rules {
namespace {

constexpr std::string_view kGoodRule =
    "id: cloudtrail-change\n"
    "title: CloudTrail trail changed\n"
    "severity: high\n"
    "description: A trail was stopped or deleted.\n"
    "references: [\"https://example.com/a\", Security Hub CloudWatch.5]\n"
    "filter_pattern: '{ ($.eventName = StopLogging) }'\n"
    "tests:\n"
    "  - name: stop\n"
    "    expect: true\n"
    "    event: |\n"
    "      {\"eventName\": \"StopLogging\"}\n"
    "  - expect: false\n"
    "    event:\n"
    "      eventName: StartLogging\n";

ParsedRuleFile Parse(std::string_view text) { return ParseRuleFile(text, "t.yml", ""); }

std::string All(const ParsedRuleFile& parsed) { return FormatDiagnostics(parsed.diagnostics); }

TEST(RuleSpecTest, ParsesAllFields) {
  ParsedRuleFile parsed = Parse(kGoodRule);
  ASSERT_TRUE(parsed.diagnostics.empty()) << All(parsed);
  ASSERT_EQ(parsed.rules.size(), 1u);
  const RuleSpec& r = parsed.rules[0];
  EXPECT_EQ(r.id, "cloudtrail-change");
  EXPECT_EQ(r.title, "CloudTrail trail changed");
  EXPECT_EQ(r.severity, Severity::kHigh);
  EXPECT_EQ(r.description, "A trail was stopped or deleted.");
  EXPECT_EQ(r.references,
            (std::vector<std::string>{"https://example.com/a", "Security Hub CloudWatch.5"}));
  EXPECT_EQ(r.language, match::Language::kFilterPattern);
  EXPECT_EQ(r.pattern, "{ ($.eventName = StopLogging) }");
  EXPECT_EQ(r.pattern_where.ToString(), "t.yml:6:17");
  EXPECT_EQ(r.where.ToString(), "t.yml:1:1");
  ASSERT_EQ(r.tests.size(), 2u);
  EXPECT_EQ(r.tests[0].name, "stop");
  EXPECT_TRUE(r.tests[0].expect);
  EXPECT_EQ(r.tests[0].event_json, "{\"eventName\": \"StopLogging\"}");
  EXPECT_EQ(r.tests[0].where.ToString(), "t.yml:8:5");
  EXPECT_FALSE(r.tests[1].expect);
  EXPECT_EQ(r.tests[1].event_json, "{\"eventName\":\"StartLogging\"}");
}

TEST(RuleSpecTest, EveryMissingRequiredKeyIsReportedAtTheRule) {
  ParsedRuleFile parsed = Parse(
      "- id: ok-rule\n"
      "  title: t\n"
      "  severity: low\n"
      "  description: d\n"
      "  filter_pattern: '{ $.a = 1 }'\n"
      "- references: []\n");
  const std::string all = All(parsed);
  for (const char* key : {"id", "title", "severity", "description"}) {
    EXPECT_NE(all.find(std::string("t.yml:6:3: error: rule is missing required key `") + key + "`"),
              std::string::npos)
        << all;
  }
  EXPECT_NE(all.find("t.yml:6:3: error: rule is missing a pattern"), std::string::npos) << all;
  EXPECT_EQ(parsed.diagnostics.size(), 5u) << all;
  EXPECT_EQ(parsed.rules.size(), 2u);
}

TEST(RuleSpecTest, UnknownKeySuggestsTheClosest) {
  ParsedRuleFile parsed = Parse(
      "id: x\n"
      "title: t\n"
      "severty: high\n"
      "description: d\n"
      "filter_pattern: '{ $.a = 1 }'\n"
      "bogus: 1\n");
  const std::string all = All(parsed);
  EXPECT_NE(all.find("t.yml:3:1: error: unknown key `severty` in a rule\n"
                     "  severty: high\n"
                     "  ^\n"
                     "  hint: did you mean `severity`?"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yml:6:1: error: unknown key `bogus` in a rule"), std::string::npos);
  EXPECT_NE(all.find("hint: a rule has the keys `id`, `title`"), std::string::npos) << all;
  // severity is also reported missing: the typo'd key does not count.
  EXPECT_NE(all.find("missing required key `severity`"), std::string::npos) << all;
}

TEST(RuleSpecTest, BadSeverityListsTheAllowedValues) {
  ParsedRuleFile parsed =
      Parse("id: x\ntitle: t\nseverity: hihg\ndescription: d\nfilter_pattern: '{ $.a = 1 }'\n");
  ASSERT_EQ(parsed.diagnostics.size(), 1u);
  EXPECT_EQ(parsed.diagnostics[0].ToString(),
            "t.yml:3:11: error: unknown severity `hihg`\n"
            "  severity: hihg\n"
            "            ^\n"
            "  hint: did you mean `high`? severity is one of `info`, `low`, `medium`, `high`, "
            "`critical`");
}

TEST(RuleSpecTest, BothOrNeitherPattern) {
  ParsedRuleFile both = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\n"
      "filter_pattern: '{ $.a = 1 }'\n"
      "event_pattern: {source: [aws.ec2]}\n");
  ASSERT_EQ(both.diagnostics.size(), 1u) << All(both);
  EXPECT_EQ(both.diagnostics[0].where.ToString(), "t.yml:6:1");
  EXPECT_NE(both.diagnostics[0].message.find("not both"), std::string::npos);

  ParsedRuleFile neither = Parse("id: x\ntitle: t\nseverity: low\ndescription: d\n");
  ASSERT_EQ(neither.diagnostics.size(), 1u) << All(neither);
  EXPECT_EQ(neither.diagnostics[0].where.ToString(), "t.yml:1:1");
  EXPECT_EQ(neither.diagnostics[0].message, "rule is missing a pattern");
}

TEST(RuleSpecTest, UnquotedFilterPatternGetsAQuotingHint) {
  ParsedRuleFile parsed = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\n"
      "filter_pattern: { $.eventName = X }\n");
  ASSERT_FALSE(parsed.diagnostics.empty());
  EXPECT_NE(All(parsed).find("hint: quote the pattern"), std::string::npos) << All(parsed);
}

TEST(RuleSpecTest, InvalidIdAndDuplicateIdInAFile) {
  ParsedRuleFile parsed = Parse(
      "- {id: Bad_Id, title: t, severity: low, description: d, filter_pattern: x}\n"
      "- {id: same, title: t, severity: low, description: d, filter_pattern: x}\n"
      "- {id: same, title: t, severity: low, description: d, filter_pattern: x}\n");
  const std::string all = All(parsed);
  EXPECT_NE(all.find("t.yml:1:8: error: invalid rule id `Bad_Id`"), std::string::npos) << all;
  EXPECT_NE(all.find("t.yml:3:8: error: duplicate rule id `same`\n"), std::string::npos) << all;
  EXPECT_NE(all.find("hint: the id is already used at t.yml:2"), std::string::npos) << all;
  EXPECT_EQ(parsed.diagnostics.size(), 2u) << all;
}

TEST(RuleSpecTest, TestErrors) {
  ParsedRuleFile parsed = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: x\n"
      "tests:\n"
      "  - expect: yes\n"  // 7: not a YAML 1.2 boolean
      "    event: '{}'\n"
      "  - expect: true\n"  // 9: no event
      "  - expect: true\n"  // 10: both
      "    event: '{}'\n"
      "    event_file: a.json\n"
      "  - expect: false\n"  // 13: bad JSON
      "    event: '{\"a\": }'\n"
      "  - expect: false\n"  // 15: not an object
      "    event: '[1]'\n"
      "  - expct: false\n"  // 17: typo
      "    event: '{}'\n"
      "  - expect: 'true'\n"  // 19: quoted
      "    event: '{}'\n"
      "  - expect: true\n"  // 21: relative event_file without a base dir
      "    event_file: e.json\n");
  const std::string all = All(parsed);
  EXPECT_NE(all.find("t.yml:7:13: error: `expect` must be true or false"), std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yml:9:5: error: test is missing its event"), std::string::npos) << all;
  EXPECT_NE(all.find("t.yml:12:5: error: a test has `event` or `event_file`, not both"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yml:14:12: error: test event is not valid JSON"), std::string::npos) << all;
  EXPECT_NE(all.find("t.yml:16:12: error: test event must be a JSON object"), std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yml:17:5: error: unknown key `expct` in a test\n"), std::string::npos)
      << all;
  EXPECT_NE(all.find("hint: did you mean `expect`?"), std::string::npos) << all;
  EXPECT_NE(all.find("t.yml:17:5: error: test is missing required key `expect`"), std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yml:19:13: error: `expect` must be true or false\n"
                     "    - expect: 'true'\n"
                     "              ^\n"
                     "  hint: write it without quotes"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("t.yml:22:17: error: `event_file` cannot be used here"), std::string::npos)
      << all;
  EXPECT_TRUE(parsed.rules[0].tests.empty());
}

// Issue 8: a test event is read as scan reads a record (match::DomParser, docs/json-input.md):
// 1e999 (RFC 8259 §6 allows any exponent), a 30-digit integer and an unpaired surrogate
// escape (§7's grammar allows it) are JSON, so the test is kept. A bad escape still is not.
TEST(RuleSpecTest, TestEventsAreReadAsScanReadsRecords) {
  ParsedRuleFile parsed = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: '{ $.n > 1000 }'\n"
      "tests:\n"
      "  - expect: true\n"
      "    event: '{\"n\": 1e999}'\n"
      "  - expect: true\n"
      "    event: '{\"n\": 123456789012345678901234567890}'\n"
      "  - expect: false\n"
      "    event: '{\"n\": 5, \"userAgent\": \"\\ud800x\"}'\n"
      "  - expect: false\n"  // 13: not JSON
      "    event: '{\"n\": 5, \"userAgent\": \"\\q\"}'\n");
  const std::string all = All(parsed);
  ASSERT_EQ(parsed.rules.size(), 1u) << all;
  EXPECT_EQ(parsed.rules[0].tests.size(), 3u) << all;
  // `{"n": 5, "userAgent": "` is 23 bytes: the backslash is byte 24. (Diagnostics show a
  // backslash as \\, as every message for a terminal does.)
  EXPECT_NE(all.find("t.yml:14:12: error: test event is not valid JSON: invalid escape \\\\q in a "
                     "string at byte 24"),
            std::string::npos)
      << all;
  EXPECT_EQ(parsed.diagnostics.size(), 1u) << all;
}

TEST(RuleSpecTest, EventFileIsRelativeToTheRuleFile) {
  ParsedRuleFile parsed = ParseRuleFile(
      "id: x\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: x\n"
      "tests:\n"
      "  - expect: true\n"
      "    event_file: events/stop_logging.json\n"
      "  - expect: true\n"
      "    event_file: events/missing.json\n",
      "t.yml", TW_TEST_DATA "/rules");
  ASSERT_EQ(parsed.diagnostics.size(), 1u) << All(parsed);
  EXPECT_NE(All(parsed).find("t.yml:10:17: error: cannot read event_file: "), std::string::npos)
      << All(parsed);
  ASSERT_EQ(parsed.rules[0].tests.size(), 1u);
  EXPECT_NE(parsed.rules[0].tests[0].event_json.find("\"StopLogging\""), std::string::npos);
}

TEST(RuleSpecTest, EventPatternMappingBecomesCompactJson) {
  ParsedRuleFile parsed = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\n"
      "event_pattern:\n"
      "  source: [aws.ec2]\n"
      "  detail:\n"
      "    eventName: [AuthorizeSecurityGroupIngress, 'true']\n"
      "    n: [1, -2.50, +3, 0x1F, 1e3, .5, true, null, ~, \"12\", 1.2.3, yes]\n"
      "    s: \"quote \\\" and \\\\ \"\n");
  ASSERT_TRUE(parsed.diagnostics.empty()) << All(parsed);
  EXPECT_EQ(parsed.rules[0].language, match::Language::kEventPattern);
  EXPECT_EQ(parsed.rules[0].pattern,
            R"({"source":["aws.ec2"],"detail":{"eventName":["AuthorizeSecurityGroupIngress",)"
            R"("true"],"n":[1,-2.50,3,31,1e3,0.5,true,null,null,"12","1.2.3","yes"],)"
            R"("s":"quote \" and \\ "}})");
  EXPECT_EQ(parsed.rules[0].pattern_where.ToString(), "t.yml:6:3");
}

TEST(RuleSpecTest, EventPatternAsJsonString) {
  ParsedRuleFile parsed = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\n"
      "event_pattern: |\n"
      "  {\"source\": [\"aws.ec2\"]}\n");
  ASSERT_TRUE(parsed.diagnostics.empty()) << All(parsed);
  EXPECT_EQ(parsed.rules[0].pattern, "{\"source\": [\"aws.ec2\"]}");
}

TEST(RuleSpecTest, EventPatternDuplicateKeyAndNonFinite) {
  ParsedRuleFile parsed = Parse(
      "id: x\ntitle: t\nseverity: low\ndescription: d\n"
      "event_pattern:\n"
      "  source: [aws.ec2]\n"
      "  source: [aws.s3]\n"
      "  n: [.inf]\n");
  const std::string all = All(parsed);
  EXPECT_NE(all.find("t.yml:7:3: error: duplicate key `source`"), std::string::npos) << all;
  EXPECT_NE(all.find("t.yml:8:7: error: `.inf` is not a JSON number"), std::string::npos) << all;
  EXPECT_TRUE(parsed.rules[0].pattern.empty());
}

TEST(RuleSpecTest, YamlSyntaxErrorIsPositioned) {
  ParsedRuleFile parsed = Parse("id: x\ntitle: [oops\nseverity: low\n");
  ASSERT_EQ(parsed.diagnostics.size(), 1u);
  EXPECT_NE(parsed.diagnostics[0].ToString().find("t.yml:"), std::string::npos);
  EXPECT_NE(parsed.diagnostics[0].message.find("invalid YAML"), std::string::npos);
}

TEST(RuleSpecTest, NotARule) {
  EXPECT_EQ(Parse("just text\n").diagnostics.size(), 1u);
  ParsedRuleFile list = Parse("- 1\n- [a]\n");
  EXPECT_EQ(list.diagnostics.size(), 2u) << All(list);
  EXPECT_TRUE(Parse("# nothing\n").diagnostics.empty());
  EXPECT_TRUE(Parse("").diagnostics.empty());
}

// ---- ScalarColumns -----------------------------------------------------------------------------

std::vector<int> ColumnsOf(std::string_view text) {
  auto docs = ParseYaml(text);
  EXPECT_TRUE(docs.has_value());
  return ScalarColumns((*docs)[0].members[0].second, text);
}

TEST(ScalarColumnsTest, Plain) {
  // p: { a }   would be a mapping; a plain pattern here: "ab c" at column 4.
  EXPECT_EQ(ColumnsOf("p: ab c\n"), (std::vector<int>{4, 5, 6, 7, 8}));
}

TEST(ScalarColumnsTest, SingleQuotedWithDoubledQuote) {
  // p: 'a''b'   -> value a'b ; a at col 5, ' at col 6 (the first of the pair), b at col 8,
  // closing quote at col 9.
  EXPECT_EQ(ColumnsOf("p: 'a''b'\n"), (std::vector<int>{5, 6, 8, 9}));
}

TEST(ScalarColumnsTest, DoubleQuotedWithEscapes) {
  // p: "a\"b\u00e9c"  -> a(5) "(6) b(8) e-acute: 2 bytes at the backslash (9) c(15) end(16)
  EXPECT_EQ(ColumnsOf("p: \"a\\\"b\\u00e9c\"\n"), (std::vector<int>{5, 6, 8, 9, 9, 15, 16}));
}

TEST(ScalarColumnsTest, MultiLineAndBlockScalarsHaveNone) {
  EXPECT_TRUE(ColumnsOf("p: 'a\n  b'\n").empty());
  EXPECT_TRUE(ColumnsOf("p: a\n  b\n").empty());
  EXPECT_TRUE(ColumnsOf("p: |\n  a\n").empty());
}

}  // namespace
}  // namespace tw::rules

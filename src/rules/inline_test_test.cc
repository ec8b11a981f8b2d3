#include "rules/inline_test.h"

#include <gtest/gtest.h>

#include "rules/loader.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

const std::string kData = TW_TEST_DATA "/rules";

std::vector<Rule> Load(std::string_view yaml) {
  auto rules = LoadRulesFromText(yaml, "rules/x.yml", kData);
  EXPECT_TRUE(rules.has_value()) << rules.error().message;
  return rules.value_or(std::vector<Rule>{});
}

// "match", "no match" or the error, for readable failures.
std::string Outcome(const Rule& rule, std::string_view event) {
  Result<bool> matched = MatchEventJson(rule, event);
  if (!matched) return "error: " + matched.error().message;
  return *matched ? "match" : "no match";
}

constexpr std::string_view kWrongExpectation =
    "id: stop-logging\n"
    "title: t\n"
    "severity: high\n"
    "description: d\n"
    "filter_pattern: '{ $.eventName = StopLogging }'\n"
    "tests:\n"
    "  - name: StopLogging by an IAM user\n"
    "    expect: true\n"
    "    event_file: events/stop_logging.json\n"
    "  - name: StartLogging, deliberately wrong\n"
    "    expect: true\n"
    "    event: '{\"eventName\": \"StartLogging\"}'\n"
    "  - expect: false\n"
    "    event: '{\"eventName\": \"StartLogging\"}'\n"
    "  - expect: false\n"
    "    event: '{\"eventName\": \"StopLogging\"}'\n";

TEST(InlineTestTest, ReportsExactlyTheFailingTests) {
  const std::vector<Rule> rules = Load(kWrongExpectation);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(CountInlineTests(rules), 4u);
  const std::vector<TestFailure> failures = RunInlineTests(rules);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].rule, &rules[0]);
  EXPECT_EQ(failures[0].test, &rules[0].tests[1]);
  EXPECT_EQ(failures[0].message,
            "rules/x.yml:10:5: test \"StartLogging, deliberately wrong\" expected match, got no "
            "match");
  EXPECT_EQ(failures[1].test, &rules[0].tests[3]);
  EXPECT_EQ(failures[1].message, "rules/x.yml:15:5: test #4 expected no match, got match");
}

// Issue 7's bug: scan evaluates a filter pattern on an EventBridge event's `detail` (the
// CloudTrail record), so the rule's inline test must too. Before the fix the inline test
// evaluated the envelope, which has no top-level eventName, and failed.
TEST(InlineTestTest, FilterPatternSeesTheDetailOfAnEventBridgeEvent) {
  const std::vector<Rule> rules = Load(
      "id: r\ntitle: t\nseverity: high\ndescription: d\n"
      "filter_pattern: '{ $.eventName = \"StopLogging\" }'\n"
      "tests:\n"
      "  - expect: true\n"
      "    event: '{\"version\": \"0\", \"id\": \"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\n"
      "      \"detail-type\": \"AWS API Call via CloudTrail\", \"source\": \"aws.cloudtrail\",\n"
      "      \"account\": \"111122223333\", \"time\": \"2024-03-01T12:00:00Z\",\n"
      "      \"region\": \"us-east-1\", \"resources\": [],\n"
      "      \"detail\": {\"eventVersion\": \"1.08\",\n"
      "      \"eventSource\": \"cloudtrail.amazonaws.com\", \"eventName\": \"StopLogging\",\n"
      "      \"awsRegion\": \"us-east-1\"}}'\n");
  ASSERT_EQ(rules.size(), 1u);
  ASSERT_EQ(rules[0].tests.size(), 1u);
  EXPECT_EQ(Outcome(rules[0], rules[0].tests[0].event_json), "match");
  EXPECT_TRUE(RunInlineTests(rules).empty());
  // Only a CloudTrail detail-type makes an envelope: another event is evaluated as given.
  constexpr std::string_view kOtherEvent =
      "{\"detail-type\": \"x\", \"detail\": {\"eventName\": \"StopLogging\"}}";
  EXPECT_EQ(Outcome(rules[0], kOtherEvent), "no match");
}

TEST(InlineTestTest, AllPassingGivesNoFailures) {
  const std::vector<Rule> rules = Load(
      "id: r\ntitle: t\nseverity: low\ndescription: d\n"
      "filter_pattern: '{ $.eventName = StopLogging }'\n"
      "tests:\n"
      "  - {expect: true, event_file: events/stop_logging.json}\n"
      "  - {expect: false, event: '{\"eventName\": \"StartLogging\"}'}\n");
  EXPECT_TRUE(RunInlineTests(rules).empty());
}

TEST(InlineTestTest, MatchEventJsonRejectsNonObjects) {
  const std::vector<Rule> rules =
      Load("id: r\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: '{ $.a = 1 }'\n");
  ASSERT_EQ(rules.size(), 1u);
  auto not_json = MatchEventJson(rules[0], "{oops");
  ASSERT_FALSE(not_json.has_value());
  EXPECT_EQ(not_json.error().code, ErrorCode::kParse);
  auto array = MatchEventJson(rules[0], "[1]");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error().code, ErrorCode::kParse);
  EXPECT_EQ(Outcome(rules[0], "  {\"a\": 1}\n"), "match");
}

TEST(InlineTestTest, FilterPatternSeesTheRecordText) {
  // A term pattern searches the trimmed event text.
  const std::vector<Rule> rules =
      Load("id: r\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: StopLogging\n");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(Outcome(rules[0], R"({"eventName": "StopLogging"})"), "match");
  EXPECT_EQ(Outcome(rules[0], R"({"eventName": "StartLogging"})"), "no match");
}

// Issue 8: an inline test evaluates its event as scan does (match::DomParser): 1e999 is
// +infinity and a 30-digit integer about 1.2e29, both above 1000 (docs/json-input.md,
// "Numbers"); an unpaired surrogate escape is U+FFFD, EF BF BD in UTF-8, for field and term
// patterns alike ("String escapes").
TEST(InlineTestTest, EventsAreReadAsScanReadsRecords) {
  const std::vector<Rule> numeric =
      Load("id: r\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: '{ $.n > 1000 }'\n");
  ASSERT_EQ(numeric.size(), 1u);
  EXPECT_EQ(Outcome(numeric[0], R"({"n": 1e999})"), "match");
  EXPECT_EQ(Outcome(numeric[0], R"({"n": 123456789012345678901234567890})"), "match");
  EXPECT_EQ(Outcome(numeric[0], R"({"n": -1e999})"), "no match");
  const std::vector<Rule> agent = Load(
      "id: r\ntitle: t\nseverity: low\ndescription: d\n"
      "filter_pattern: '{ $.userAgent = \"\xEF\xBF\xBDx\" }'\n");
  ASSERT_EQ(agent.size(), 1u);
  EXPECT_EQ(Outcome(agent[0], R"({"userAgent": "\ud800x"})"), "match");
  EXPECT_EQ(Outcome(agent[0], R"({"userAgent": "\udc00x"})"), "match");
  EXPECT_EQ(Outcome(agent[0], R"({"userAgent": "x"})"), "no match");
  // A term pattern sees the text as read: the escape rewritten as \ufffd.
  const std::vector<Rule> term =
      Load("id: r\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: '\"ufffdx\"'\n");
  ASSERT_EQ(term.size(), 1u);
  EXPECT_EQ(Outcome(term[0], R"({"userAgent": "\ud800x"})"), "match");
  EXPECT_EQ(Outcome(agent[0], R"({"userAgent": "\q"})").substr(0, 6), "error:");
}

constexpr std::string_view kEventPatternRule =
    "id: sg-ingress\ntitle: t\nseverity: low\ndescription: d\n"
    "event_pattern:\n"
    "  source: [aws.ec2]\n"
    "  detail-type: [AWS API Call via CloudTrail]\n"
    "  account: ['111122223333']\n"
    "  detail:\n"
    "    eventName: [AuthorizeSecurityGroupIngress]\n";

TEST(InlineTestTest, EventPatternOnAPlainRecordBuildsTheEnvelope) {
  const std::vector<Rule> rules = Load(kEventPatternRule);
  ASSERT_EQ(rules.size(), 1u);
  const Rule& rule = rules[0];
  // source from eventSource, detail-type from eventType, account from recipientAccountId.
  EXPECT_EQ(Outcome(rule, R"({"eventSource":"ec2.amazonaws.com","eventType":"AwsApiCall",)"
                          R"("recipientAccountId":"111122223333",)"
                          R"("eventName":"AuthorizeSecurityGroupIngress"})"),
            "match");
  // account falls back to userIdentity.accountId.
  EXPECT_EQ(Outcome(rule, R"({"eventSource":"ec2.amazonaws.com",)"
                          R"("userIdentity":{"accountId":"111122223333"},)"
                          R"("eventName":"AuthorizeSecurityGroupIngress"})"),
            "match");
  EXPECT_EQ(Outcome(rule, R"({"eventSource":"ec2.amazonaws.com",)"
                          R"("recipientAccountId":"999999999999",)"
                          R"("eventName":"AuthorizeSecurityGroupIngress"})"),
            "no match");
  EXPECT_EQ(Outcome(rule, R"({"eventSource":"ec2.amazonaws.com",)"
                          R"("eventType":"AwsConsoleSignIn",)"
                          R"("recipientAccountId":"111122223333",)"
                          R"("eventName":"AuthorizeSecurityGroupIngress"})"),
            "no match");
}

TEST(InlineTestTest, EventPatternOnAnEnvelopeUsesItAsIs) {
  const std::vector<Rule> rules = Load(kEventPatternRule);
  ASSERT_EQ(rules.size(), 1u);
  Result<std::string> envelope =
      ReadTextFile(kData + "/events/sg_ingress_envelope.json", kMaxEventFileBytes);
  ASSERT_TRUE(envelope.has_value());
  EXPECT_EQ(Outcome(rules[0], *envelope), "match");

  // The envelope's own fields count, not ones derived from the record: here the envelope says
  // another account than the record does.
  std::string other_account = *envelope;
  other_account.replace(other_account.find("\"account\": \"111122223333\""),
                        std::string_view("\"account\": \"111122223333\"").size(),
                        "\"account\": \"444455556666\"");
  EXPECT_EQ(Outcome(rules[0], other_account), "no match");

  // A document with a non-CloudTrail detail-type is not an envelope: it is wrapped as a record,
  // and as a record it has no eventName, so it does not match.
  std::string not_cloudtrail = *envelope;
  not_cloudtrail.replace(not_cloudtrail.find("AWS API Call via CloudTrail"),
                         std::string_view("AWS API Call via CloudTrail").size(),
                         "EC2 Instance State-change Notification");
  EXPECT_EQ(Outcome(rules[0], not_cloudtrail), "no match");
}

TEST(InlineTestTest, EnvelopeAndRecordInlineTestsInOneRule) {
  const std::vector<Rule> rules = Load(std::string(kEventPatternRule) +
                                       "tests:\n"
                                       "  - name: envelope\n"
                                       "    expect: true\n"
                                       "    event_file: events/sg_ingress_envelope.json\n"
                                       "  - name: record\n"
                                       "    expect: true\n"
                                       "    event:\n"
                                       "      eventSource: ec2.amazonaws.com\n"
                                       "      eventName: AuthorizeSecurityGroupIngress\n"
                                       "      recipientAccountId: '111122223333'\n");
  const auto failures = RunInlineTests(rules);
  EXPECT_TRUE(failures.empty()) << failures[0].message;
}

}  // namespace
}  // namespace tw::rules

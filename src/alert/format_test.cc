// The alert formats: `scan --format json` keys (documented in alert/format.h), null for missing
// fields, the id only when set, and escaping of attacker-controlled text.
#include "alert/format.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

Alert Sample() {
  Alert a;
  a.rule_id = "root-login";
  a.rule_title = "Root sign-in";
  a.severity = rules::Severity::kHigh;
  a.event_id = "e1";
  a.event_name = "ConsoleLogin";
  a.event_source = "signin.amazonaws.com";
  a.event_time = "2024-03-01T12:00:00Z";
  a.aws_region = "us-east-1";
  a.account_id = "111122223333";
  a.actor = "root";
  a.source_ip = "198.51.100.7";
  a.input_file = "logs/a.json";
  a.input_record = 3;
  a.present_fields = kFieldEventId | kFieldEventName | kFieldEventSource | kFieldEventTime |
                     kFieldAwsRegion | kFieldAccountId | kFieldActor | kFieldSourceIp;
  return a;
}

TEST(AlertFormat, JsonHasTheScanKeysAndNullForMissingFields) {
  std::string out;
  AppendAlertJson(Sample(), out);
  EXPECT_EQ(out,
            "{\"rule_id\":\"root-login\",\"severity\":\"high\",\"title\":\"Root sign-in\","
            "\"event_id\":\"e1\",\"event_name\":\"ConsoleLogin\","
            "\"event_source\":\"signin.amazonaws.com\",\"event_time\":\"2024-03-01T12:00:00Z\","
            "\"aws_region\":\"us-east-1\",\"account_id\":\"111122223333\",\"actor\":\"root\","
            "\"source_ip\":\"198.51.100.7\",\"user_agent\":null,\"error_code\":null,"
            "\"error_message\":null,\"input\":{\"file\":\"logs/a.json\",\"record\":4}}\n");
}

// Issue 8, defect 13: one rule for absent fields (always written, null) -- error_code and
// error_message included -- and input.record 1-based like "record N" in the text format.
TEST(AlertFormat, JsonWritesEveryAbsentFieldAsNullAndCountsRecordsFromOne) {
  Alert a = Sample();
  a.present_fields = 0;
  a.input_record = 0;
  std::string out;
  AppendAlertJson(a, out);
  for (const char* key :
       {"event_id", "event_name", "event_source", "event_time", "aws_region", "account_id", "actor",
        "source_ip", "user_agent", "error_code", "error_message"}) {
    EXPECT_NE(out.find(std::string("\"") + key + "\":null"), std::string::npos) << key << out;
  }
  EXPECT_NE(out.find("\"record\":1}"), std::string::npos) << out;
  std::string text;
  AppendAlertText(a, false, text);
  EXPECT_NE(text.find("logs/a.json record 1"), std::string::npos) << text;
}

// Issue 8, defect 14: a field the record holds as "" is "", not null.
TEST(AlertFormat, JsonWritesAPresentEmptyStringAsEmptyString) {
  Alert a = Sample();
  a.user_agent = "";
  a.error_code = "";
  a.present_fields |= kFieldUserAgent | kFieldErrorCode;
  std::string out;
  AppendAlertJson(a, out);
  EXPECT_NE(out.find("\"user_agent\":\"\","), std::string::npos) << out;
  EXPECT_NE(out.find("\"error_code\":\"\","), std::string::npos) << out;
  EXPECT_NE(out.find("\"error_message\":null"), std::string::npos) << out;
}

TEST(AlertFormat, JsonStartsWithTheIdWhenSetAndKeepsErrors) {
  Alert a = Sample();
  a.id = "abc123";
  a.error_code = "AccessDenied";
  a.present_fields |= kFieldErrorCode;
  std::string out;
  AppendAlertJson(a, out);
  EXPECT_EQ(out.rfind("{\"id\":\"abc123\",\"rule_id\":\"root-login\",", 0), 0u) << out;
  EXPECT_NE(out.find(",\"error_code\":\"AccessDenied\","), std::string::npos) << out;
  EXPECT_NE(out.find(",\"error_message\":null,"), std::string::npos) << out;
}

TEST(AlertFormat, JsonCarriesTheProcessingResultsOnceTheAlertHasAnId) {
  Alert a = Sample();
  std::string plain;
  AppendAlertJson(a, plain);
  EXPECT_EQ(plain.find("processing"), std::string::npos) << plain;
  a.id = "abc123";
  a.dedupe_count = 3;
  a.dedupe_parent_id = "first";
  a.suppressed = true;
  a.suppressed_by = "sourceIPAddress cidr 10.0.0.0/8";
  a.threshold_count = 5;
  std::string out;
  AppendAlertJson(a, out);
  EXPECT_NE(out.find(",\"processing\":{\"dedupe_count\":3,\"threshold_count\":5,"
                     "\"suppressed\":true,\"suppressed_by\":\"sourceIPAddress cidr 10.0.0.0/8\","
                     "\"dedupe_parent_id\":\"first\"},\"input\":"),
            std::string::npos)
      << out;
}

TEST(AlertFormat, JsonEscapesEventText) {
  Alert a = Sample();
  a.user_agent = "x\"}\n{\"rule_id\":\"forged";
  a.present_fields |= kFieldUserAgent;
  std::string out;
  AppendAlertJson(a, out);
  EXPECT_NE(out.find("\"user_agent\":\"x\\\"}\\n{\\\"rule_id\\\":\\\"forged\""), std::string::npos)
      << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1);  // one line
}

TEST(AlertFormat, TextNamesTheLineOneBasedForLineInputs) {
  Alert a = Sample();
  a.input_is_line = true;
  std::string out;
  AppendAlertText(a, /*color=*/false, out);
  EXPECT_EQ(out,
            "HIGH     2024-03-01T12:00:00Z Root sign-in\n"
            "         ConsoleLogin by root from 198.51.100.7 in 111122223333 (us-east-1)\n"
            "         rule root-login · event e1 · logs/a.json line 4\n");
}

}  // namespace
}  // namespace tw::alert

// FillAlertFromRecord: the event fields of an alert, read in one pass over the record's members.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "engine/engine.h"

namespace tw::engine {
namespace {

alert::Alert FillFrom(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(json);
  alert::Alert alert;
  FillAlertFromRecord(root, alert);
  return alert;
}

TEST(FillAlertFromRecord, ReadsTheStringMembersAndMarksThemPresent) {
  const auto a = FillFrom(
      R"({"eventID":"e-1","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com",)"
      R"("eventTime":"2024-01-01T00:00:00Z","awsRegion":"eu-west-1","recipientAccountId":"111",)"
      R"("userIdentity":{"type":"IAMUser","userName":"alice","accountId":"222"},)"
      R"("sourceIPAddress":"198.51.100.1","userAgent":"aws-cli/2","errorCode":"AccessDenied",)"
      R"("errorMessage":"no"})");
  EXPECT_EQ(a.event_id, "e-1");
  EXPECT_EQ(a.event_name, "StopLogging");
  EXPECT_EQ(a.event_source, "cloudtrail.amazonaws.com");
  EXPECT_EQ(a.event_time, "2024-01-01T00:00:00Z");
  EXPECT_EQ(a.aws_region, "eu-west-1");
  EXPECT_EQ(a.account_id, "111");  // recipientAccountId before userIdentity.accountId
  EXPECT_EQ(a.actor, "alice");
  EXPECT_EQ(a.source_ip, "198.51.100.1");
  EXPECT_EQ(a.user_agent, "aws-cli/2");
  EXPECT_EQ(a.error_code, "AccessDenied");
  EXPECT_EQ(a.error_message, "no");
  const uint32_t all = alert::kFieldEventId | alert::kFieldEventName | alert::kFieldEventSource |
                       alert::kFieldEventTime | alert::kFieldAwsRegion | alert::kFieldAccountId |
                       alert::kFieldActor | alert::kFieldSourceIp | alert::kFieldUserAgent |
                       alert::kFieldErrorCode | alert::kFieldErrorMessage;
  EXPECT_EQ(a.present_fields, all);
}

TEST(FillAlertFromRecord, FirstDuplicateWinsAndWrongTypesAreAbsent) {
  // A later duplicate never replaces the first occurrence, even when the first is not a string.
  const auto a = FillFrom(
      R"({"eventName":"First","eventName":"Second","errorCode":7,"errorCode":"Late",)"
      R"("userIdentity":{"type":"Root"},"userIdentity":{"type":"IAMUser","userName":"bob"},)"
      R"("eventID":""})");
  EXPECT_EQ(a.event_name, "First");
  EXPECT_EQ(a.error_code, "");
  EXPECT_EQ(a.present_fields & alert::kFieldErrorCode, 0u);
  EXPECT_EQ(a.actor, "root");
  // An empty string is still a string: present.
  EXPECT_EQ(a.event_id, "");
  EXPECT_NE(a.present_fields & alert::kFieldEventId, 0u);
  EXPECT_EQ(a.present_fields & alert::kFieldEventSource, 0u);
}

TEST(FillAlertFromRecord, AccountFallsBackToTheIdentity) {
  auto a = FillFrom(R"({"userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com",)"
                    R"("accountId":"333"}})");
  EXPECT_EQ(a.account_id, "333");
  EXPECT_EQ(a.actor, "s3.amazonaws.com");
  EXPECT_NE(a.present_fields & alert::kFieldAccountId, 0u);
  a = FillFrom(R"({"userIdentity":"not an object","recipientAccountId":5})");
  EXPECT_EQ(a.account_id, "");
  EXPECT_EQ(a.actor, "");
  EXPECT_EQ(a.present_fields, 0u);
  a = FillFrom(R"(["not","an","object"])");
  EXPECT_EQ(a.present_fields, 0u);
}

}  // namespace
}  // namespace tw::engine

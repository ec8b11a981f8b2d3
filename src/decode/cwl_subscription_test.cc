#include "decode/cwl_subscription.h"

#include <gtest/gtest.h>

#include <string>

#include "decode/input_kind.h"
#include "decode/test_helpers.h"

namespace tw::decode {
namespace {

using testing::Base64Encode;
using testing::GzipMember;

// Shape of the decoded payload as documented in the CloudWatch Logs User Guide ("Subscription
// filters"); the messages are CloudTrail records as CloudTrail writes them to a log group.
constexpr char kDataMessage[] = R"({
  "messageType": "DATA_MESSAGE",
  "owner": "111122223333",
  "logGroup": "aws-cloudtrail-logs-111122223333",
  "logStream": "111122223333_CloudTrail_us-east-1",
  "subscriptionFilters": ["trailwatch"],
  "logEvents": [
    {"id": "37909208425590813290941549006463423830932461312163790848", "timestamp": 1699999999000,
     "message": "{\"eventVersion\":\"1.08\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\"}"},
    {"id": "37909208425590813290941549006463423830932461312163790849", "timestamp": 1700000000123,
     "message": "{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\"}"}
  ]
})";

constexpr char kControlMessage[] =
    R"({"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",)"
    R"("subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1432826855000,)"
    R"("message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]})";

std::string LambdaEvent(std::string_view payload) {
  return R"({"awslogs":{"data":")" + Base64Encode(GzipMember(payload)) + R"("}})";
}

void ExpectDataMessage(const CwlSubscription& s) {
  EXPECT_EQ(s.message_type, CwlMessageType::kData);
  EXPECT_EQ(s.owner, "111122223333");
  EXPECT_EQ(s.log_group, "aws-cloudtrail-logs-111122223333");
  EXPECT_EQ(s.log_stream, "111122223333_CloudTrail_us-east-1");
  ASSERT_EQ(s.subscription_filters.size(), 1u);
  EXPECT_EQ(s.subscription_filters[0], "trailwatch");
  ASSERT_EQ(s.log_events.size(), 2u);
  EXPECT_EQ(s.log_events[0].id, "37909208425590813290941549006463423830932461312163790848");
  EXPECT_EQ(s.log_events[0].timestamp_ms, 1699999999000);
  EXPECT_EQ(
      s.log_events[0].message,
      R"({"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"})");
  EXPECT_EQ(s.log_events[1].timestamp_ms, 1700000000123);
  EXPECT_EQ(ClassifyInput(s.log_events[1].message), InputKind::kSingleEvent);
}

TEST(ParseCwlSubscription, DecodedDataMessage) {
  EXPECT_EQ(ClassifyInput(kDataMessage), InputKind::kCwlSubscription);
  Result<CwlSubscription> r = ParseCwlSubscription(kDataMessage);
  ASSERT_TRUE(r) << r.error().ToString();
  ExpectDataMessage(*r);
}

TEST(ParseCwlSubscription, ControlMessageIsDistinct) {
  Result<CwlSubscription> r = ParseCwlSubscription(kControlMessage);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->message_type, CwlMessageType::kControl);
  EXPECT_EQ(r->owner, "CloudwatchLogs");
}

TEST(DecodeCwlLambdaEvent, LambdaForm) {
  const std::string event = LambdaEvent(kDataMessage);
  EXPECT_EQ(ClassifyInput(event), InputKind::kCwlSubscriptionLambda);
  Result<CwlSubscription> r = DecodeCwlLambdaEvent(event);
  ASSERT_TRUE(r) << r.error().ToString();
  ExpectDataMessage(*r);

  Result<CwlSubscription> control = DecodeCwlLambdaEvent(LambdaEvent(kControlMessage));
  ASSERT_TRUE(control) << control.error().ToString();
  EXPECT_EQ(control->message_type, CwlMessageType::kControl);
}

// Issue 8, defect 8: a malformed logEvents[i] costs that entry only. (These cases used to fail
// the whole payload; their messages are unchanged and now sit on the entry.)
TEST(ParseCwlSubscription, ABadEntryCostsOnlyThatEntry) {
  struct Case {
    const char* json;
    size_t bad;
    const char* message;
  };
  const Case kCases[] = {
      {R"({"messageType":"DATA_MESSAGE","logEvents":[{"id":"a","timestamp":1,"message":"{}"},)"
       R"({"id":"b","timestamp":2,"message":"{}"},{"id":"c","timestamp":3,"message":"{}"},)"
       R"({"id":"d","timestamp":4,"message":{"eventName":"x"}}]})",
       3, "logEvents[3].message: expected a string"},
      {R"({"messageType":"DATA_MESSAGE","logEvents":[{"id":"a","timestamp":"1","message":"{}"},)"
       R"({"id":"b","timestamp":2,"message":"{}"}]})",
       0, "logEvents[0].timestamp: expected an integer (milliseconds)"},
      {R"({"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":1,"message":"{}"},)"
       R"({"id":"b","timestamp":2,"message":"{}"}]})",
       0, "logEvents[0].id: expected a string"},
      {R"({"messageType":"DATA_MESSAGE","logEvents":[{"id":"a","timestamp":1,"message":"{}"},)"
       R"({"id":7,"timestamp":2,"message":"{}"}]})",
       1, "logEvents[1].id: expected a string"},
      {R"({"messageType":"DATA_MESSAGE","logEvents":[7,{"id":"b","timestamp":2,"message":"{}"}]})",
       0, "logEvents[0]: expected an object"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.json);
    Result<CwlSubscription> r = ParseCwlSubscription(c.json);
    ASSERT_TRUE(r) << r.error().message;
    size_t good = 0;
    for (size_t i = 0; i < r->log_events.size(); ++i) {
      if (i == c.bad) {
        ASSERT_TRUE(r->log_events[i].error.has_value());
        EXPECT_EQ(r->log_events[i].error->message, c.message);
      } else {
        EXPECT_FALSE(r->log_events[i].error.has_value());
        EXPECT_EQ(r->log_events[i].message, "{}");
        ++good;
      }
    }
    EXPECT_EQ(good, r->log_events.size() - 1);
  }
}

TEST(ParseCwlSubscription, BadFieldsAreNamed) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case kCases[] = {
      {R"({"messageType":"DATA_MESSAGE"})", "logEvents: expected an array"},
      {R"({"logEvents":[]})", "messageType: expected a string"},
      {R"({"messageType":"HELLO","logEvents":[]})",
       "messageType: unknown value \"HELLO\" (expected DATA_MESSAGE or CONTROL_MESSAGE)"},
      {R"({"messageType":"DATA_MESSAGE","owner":1,"logEvents":[]})", "owner: expected a string"},
      {R"({"messageType":"DATA_MESSAGE","subscriptionFilters":["a",2],"logEvents":[]})",
       "subscriptionFilters[1]: expected a string"},
      {R"([1,2])", "cwl subscription: expected a JSON object"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.json);
    Result<CwlSubscription> r = ParseCwlSubscription(c.json);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(ParseCwlSubscription, InvalidJson) {
  Result<CwlSubscription> r = ParseCwlSubscription(R"({"messageType":"DATA_MESSAGE",)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().message.rfind("cwl subscription: invalid JSON: ", 0), 0u);
}

TEST(DecodeCwlLambdaEvent, ErrorsNameTheField) {
  Result<CwlSubscription> r = DecodeCwlLambdaEvent(R"({"awslogs":{"data":42}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "awslogs.data: expected a string");

  r = DecodeCwlLambdaEvent(R"({"records":[]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "awslogs: expected an object");

  r = DecodeCwlLambdaEvent(R"({"awslogs":{"data":"H4sI!AAA"}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().message.rfind("awslogs.data: base64: ", 0), 0u) << r.error().message;

  std::string gz = GzipMember(kDataMessage);
  gz.resize(gz.size() - 10);
  r = DecodeCwlLambdaEvent(R"({"awslogs":{"data":")" + Base64Encode(gz) + R"("}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(r.error().message.rfind("awslogs.data: gzip: ", 0), 0u) << r.error().message;

  // A bad entry inside the payload is the entry's problem, not the payload's (defect 8).
  r = DecodeCwlLambdaEvent(
      LambdaEvent(R"({"messageType":"DATA_MESSAGE","logEvents":[{"id":"a","timestamp":1}]})"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->log_events.size(), 1u);
  ASSERT_TRUE(r->log_events[0].error.has_value());
  EXPECT_EQ(r->log_events[0].error->message, "logEvents[0].message: expected a string");

  r = DecodeCwlLambdaEvent(LambdaEvent("not json"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace tw::decode

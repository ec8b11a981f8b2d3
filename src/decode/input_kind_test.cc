#include "decode/input_kind.h"

#include <gtest/gtest.h>

#include <string>

namespace tw::decode {
namespace {

constexpr char kRecord[] =
    R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333"},)"
    R"("eventTime":"2024-01-01T00:00:00Z","eventSource":"ec2.amazonaws.com",)"
    R"("eventName":"RunInstances","awsRegion":"us-east-1","eventType":"AwsApiCall"})";

constexpr char kPrettyRecord[] = R"({
  "eventVersion": "1.08",
  "userIdentity": {
    "type": "Root",
    "accountId": "111122223333"
  },
  "eventTime": "2024-01-01T00:00:00Z",
  "eventSource": "signin.amazonaws.com",
  "eventName": "ConsoleLogin",
  "eventType": "AwsConsoleSignIn"
}
)";

constexpr char kEventBridge[] =
    R"({"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718",)"
    R"("detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"111122223333",)"
    R"("time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],)"
    R"("detail":{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com"}})";

TEST(ClassifyInput, CloudTrailFile) {
  EXPECT_EQ(ClassifyInput(std::string(R"({"Records":[)") + kRecord + "]}"),
            InputKind::kCloudTrailFile);
  EXPECT_EQ(ClassifyInput("{\n  \"Records\": [\n  ]\n}\n"), InputKind::kCloudTrailFile);
}

// Issue 8, defect 4: by content only (these tests used to check classification by name too,
// which let any file named like a digest or Insights file be skipped unread).
TEST(ClassifyInput, InsightByItsOwnFields) {
  EXPECT_EQ(
      ClassifyInput(R"({"Records":[{"eventVersion":"1.07","eventTime":"2024-01-01T00:00:00Z",)"
                    R"("awsRegion":"us-east-1","eventID":"x","eventType":"AwsCloudTrailInsight",)"
                    R"("insightDetails":{"state":"Start"}}]})"),
      InputKind::kInsight);
  // The Insights eventType without insightDetails is not an Insights event: read it.
  EXPECT_EQ(ClassifyInput(R"({"Records":[{"eventType":"AwsCloudTrailInsight","eventName":"x"}]})"),
            InputKind::kCloudTrailFile);
}

TEST(ClassifyInput, DigestByAllItsFields) {
  EXPECT_EQ(
      ClassifyInput(R"({"awsAccountId":"111122223333","digestStartTime":"2024-01-01T00:00:00Z",)"
                    R"("digestEndTime":"2024-01-01T01:00:00Z","digestS3Bucket":"b",)"
                    R"("logFiles":[]})"),
      InputKind::kDigest);
  // One digest-looking key, or a first key starting with "digest", is not enough.
  EXPECT_EQ(ClassifyInput(R"({"digestPublicKeyFingerprint":"abc"})"), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput(R"({"digestStartTime":"a","eventName":"DeleteTrail"})"),
            InputKind::kSingleEvent);
  EXPECT_EQ(ClassifyInput(R"({"digestX":"a","digestStartTime":"a","eventName":"DeleteTrail"})"),
            InputKind::kSingleEvent);
  // A digest that holds records is read for them.
  EXPECT_EQ(ClassifyInput(R"({"digestStartTime":"a","digestEndTime":"b","logFiles":[],)"
                          R"("Records":[{"eventName":"DeleteTrail"}]})"),
            InputKind::kCloudTrailFile);
}

TEST(ClassifyInput, RecordsKeyIsFoundWhereverItLies) {
  std::string doc = "{";
  for (int i = 0; i < 100; ++i) doc += "\"k" + std::to_string(i) + "\":[1,{\"a\":\"}\"}],";
  doc += "\"pad\":\"" + std::string(100 * 1024, 'a') + "\",\"Records\":[]}";
  EXPECT_EQ(ClassifyInput(doc), InputKind::kCloudTrailFile);
}

TEST(ClassifyInput, RecordArrayAndLookupEvents) {
  EXPECT_EQ(ClassifyInput(std::string("[") + kRecord + "]"), InputKind::kRecordArray);
  EXPECT_EQ(ClassifyInput(" [\n ]"), InputKind::kRecordArray);
  EXPECT_EQ(ClassifyInput(R"({"Events":[{"EventId":"1","CloudTrailEvent":"{}"}],"NextToken":"x"})"),
            InputKind::kLookupEvents);
}

// Keys are found past string values with escaped quotes and runs of backslashes in them (a
// quote after an odd run is part of the string, after an even run it ends it).
TEST(ClassifyInput, SkipsStringsWithEscapes) {
  EXPECT_EQ(ClassifyInput(R"({"note":"a\"b\\","x\\\"y":"\\\\","awslogs":{"data":""}})"),
            InputKind::kCwlSubscriptionLambda);
  // An escaped quote does not end the string: "awslogs" here is inside a value, not a key.
  EXPECT_EQ(ClassifyInput(R"({"note":"\",\"awslogs\":1","eventName":"x","eventSource":"y"})"),
            InputKind::kSingleEvent);
  // A string cut short by the end of the input.
  EXPECT_EQ(ClassifyInput(R"({"note":"abc\")"), InputKind::kUnknown);
}

TEST(ClassifyInput, CloudWatchLogsSubscriptionForms) {
  EXPECT_EQ(ClassifyInput(R"({"awslogs":{"data":"H4sIAAAAAAAAAA=="}})"),
            InputKind::kCwlSubscriptionLambda);
  EXPECT_EQ(ClassifyInput(R"({"messageType":"DATA_MESSAGE","owner":"111122223333",)"
                          R"("logGroup":"CloudTrail/logs","logEvents":[]})"),
            InputKind::kCwlSubscription);
  EXPECT_EQ(ClassifyInput(R"({"owner":"111122223333","logEvents":[]})"),
            InputKind::kCwlSubscription);
}

TEST(ClassifyInput, EventBridgeSingleAndNdjson) {
  EXPECT_EQ(ClassifyInput(kEventBridge), InputKind::kEventBridge);
  EXPECT_EQ(ClassifyInput(std::string(kEventBridge) + "\n"), InputKind::kEventBridge);
  EXPECT_EQ(ClassifyInput(std::string(kEventBridge) + "\n" + kEventBridge + "\n"),
            InputKind::kNdjson);
  const std::string pretty = R"({
  "version": "0",
  "detail-type": "AWS Console Sign In via CloudTrail",
  "source": "aws.signin",
  "detail": {"eventName": "ConsoleLogin"}
})";
  EXPECT_EQ(ClassifyInput(pretty), InputKind::kEventBridge);
}

TEST(ClassifyInput, PrettyPrintedRecordIsOneEventNotNdjson) {
  EXPECT_EQ(ClassifyInput(kPrettyRecord), InputKind::kSingleEvent);
}

TEST(ClassifyInput, CompactRecordLinesAreNdjson) {
  EXPECT_EQ(ClassifyInput(kRecord), InputKind::kSingleEvent);
  EXPECT_EQ(ClassifyInput(std::string(kRecord) + "\n"), InputKind::kSingleEvent);
  EXPECT_EQ(ClassifyInput(std::string(kRecord) + "\n" + kRecord + "\n"), InputKind::kNdjson);
  EXPECT_EQ(ClassifyInput(std::string(kRecord) + "\r\n" + kRecord + "\r\n"), InputKind::kNdjson);
  EXPECT_EQ(ClassifyInput(std::string(kRecord) + "\n\n" + kRecord), InputKind::kNdjson);
}

TEST(ClassifyInput, BracesAndQuotesInsideStringsDoNotConfuse) {
  const std::string tricky =
      R"({"eventVersion":"1.08","requestParameters":{"policy":"{\"a\":[\"}\"]} \\"},"x":"]"})";
  EXPECT_EQ(ClassifyInput(tricky + "\n" + kRecord + "\n"), InputKind::kNdjson);
  EXPECT_EQ(ClassifyInput(tricky), InputKind::kSingleEvent);
}

TEST(ClassifyInput, SkipsUntellingKeysBomAndWhitespace) {
  EXPECT_EQ(ClassifyInput(R"({"@version":"1","@timestamp":"2020","p_any":{"a":[1,2,{"b":null}]},)"
                          R"("eventID":"e"})"),
            InputKind::kSingleEvent);
  EXPECT_EQ(ClassifyInput(std::string("\xEF\xBB\xBF \n\t") + kRecord), InputKind::kSingleEvent);
}

TEST(ClassifyInput, Unknown) {
  EXPECT_EQ(ClassifyInput(""), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput("   "), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput("[1,2]"), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput("hello"), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput(R"({"foo":1,"bar":[true,false]})"), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput(R"({"foo":1,)"), InputKind::kUnknown);
  EXPECT_EQ(ClassifyInput("{"), InputKind::kUnknown);
}

TEST(ClassifyInput, LooksBeyondSixtyFourKilobytes) {
  // The deciding key sits after a value longer than the old 64 KiB prefix: found.
  const std::string doc =
      R"({"foo":")" + std::string(100 * 1024, 'a') + R"(","eventVersion":"1.08"})";
  EXPECT_EQ(ClassifyInput(doc), InputKind::kSingleEvent);
}

TEST(InputKindName, IsStable) {
  EXPECT_STREQ(InputKindName(InputKind::kCloudTrailFile), "cloudtrail-file");
  EXPECT_STREQ(InputKindName(InputKind::kCwlSubscriptionLambda), "cwl-subscription-lambda");
  EXPECT_STREQ(InputKindName(InputKind::kUnknown), "unknown");
}

}  // namespace
}  // namespace tw::decode

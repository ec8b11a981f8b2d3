// Event shapes as the AWS docs show them (S3 User Guide "Event message structure", Lambda
// Developer Guide "Using Lambda with Amazon SQS / SNS / CloudWatch Logs").
#include "sources/lambda/invocation_event.h"

#include <gtest/gtest.h>

namespace tw::sources {
namespace {

constexpr std::string_view kS3Record =
    R"({"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",)"
    R"("eventTime":"2024-01-01T00:00:00.000Z","eventName":"ObjectCreated:Put",)"
    R"("s3":{"s3SchemaVersion":"1.0","configurationId":"ct",)"
    R"("bucket":{"name":"ct-bucket","arn":"arn:aws:s3:::ct-bucket"},)"
    R"("object":{"key":"AWSLogs/1/CloudTrail/red+flower%3A1.json.gz","size":10}}})";

std::string S3Event() { return std::string(R"({"Records":[)") + std::string(kS3Record) + "]}"; }

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

TEST(InvocationEventTest, CloudWatchLogsIsOneDocument) {
  const std::string body = R"({"awslogs":{"data":"H4sI"}})";
  auto event = ParseInvocationEvent(body);
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->shape, EventShape::kCloudWatchLogs);
  ASSERT_EQ(event->items.size(), 1u);
  EXPECT_EQ(event->items[0].documents, std::vector<std::string>{body});
}

TEST(InvocationEventTest, EventBridgeIsOneDocument) {
  const std::string body =
      R"({"version":"0","id":"1","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2",)"
      R"("detail":{"eventName":"RunInstances"}})";
  auto event = ParseInvocationEvent(body);
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->shape, EventShape::kEventBridge);
  EXPECT_EQ(event->items[0].documents[0], body);
}

TEST(InvocationEventTest, S3KeysAreFormDecoded) {
  auto event = ParseInvocationEvent(S3Event());
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->shape, EventShape::kS3);
  ASSERT_EQ(event->items[0].objects.size(), 1u);
  EXPECT_EQ(event->items[0].objects[0].bucket, "ct-bucket");
  EXPECT_EQ(event->items[0].objects[0].key, "AWSLogs/1/CloudTrail/red flower:1.json.gz");
}

TEST(InvocationEventTest, S3RemovalsAreNotFetched) {
  std::string body = S3Event();
  body.replace(body.find("ObjectCreated:Put"), 17, "ObjectRemoved:Delete");
  auto event = ParseInvocationEvent(body);
  ASSERT_TRUE(event);
  EXPECT_TRUE(event->items[0].objects.empty());
}

TEST(InvocationEventTest, SnsWrappedS3) {
  const std::string body =
      R"({"Records":[{"EventSource":"aws:sns","EventVersion":"1.0","Sns":{"Type":"Notification",)"
      R"("MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":)" +
      JsonString(S3Event()) + "}}]}";
  auto event = ParseInvocationEvent(body);
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->shape, EventShape::kSns);
  ASSERT_EQ(event->items[0].objects.size(), 1u);
  EXPECT_EQ(event->items[0].objects[0].bucket, "ct-bucket");
}

TEST(InvocationEventTest, SqsItemsFailAlone) {
  const std::string eventbridge =
      R"({"detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{}})";
  const std::string sns =
      R"({"Type":"Notification","MessageId":"x","Message":)" + JsonString(S3Event()) + "}";
  const std::string body =
      R"({"Records":[)"
      R"({"messageId":"a","eventSource":"aws:sqs","body":)" +
      JsonString(eventbridge) + "}," +
      R"({"messageId":"b","eventSource":"aws:sqs","body":"not json"},)" +
      R"({"messageId":"c","eventSource":"aws:sqs","body":)" + JsonString(S3Event()) + "}," +
      R"({"messageId":"d","eventSource":"aws:sqs","body":)" + JsonString(sns) + "}," +
      R"({"messageId":"e","eventSource":"aws:sqs","body":"{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\"}"}]})";
  auto event = ParseInvocationEvent(body);
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->shape, EventShape::kSqs);
  ASSERT_EQ(event->items.size(), 5u);
  EXPECT_EQ(event->items[0].id, "a");
  EXPECT_EQ(event->items[0].documents, std::vector<std::string>{eventbridge});
  EXPECT_EQ(event->items[1].id, "b");
  ASSERT_TRUE(event->items[1].error);
  EXPECT_EQ(event->items[1].error->code, ErrorCode::kParse);
  EXPECT_FALSE(event->items[2].error);
  EXPECT_EQ(event->items[2].objects.size(), 1u);
  EXPECT_EQ(event->items[3].objects.size(), 1u);
  EXPECT_EQ(event->items[4].skipped, "s3:TestEvent");
}

TEST(InvocationEventTest, UnknownShapeNamesWhatWasSeen) {
  auto event = ParseInvocationEvent(R"({"hello":"world","fail":true})");
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(event.error().message.find("{hello, fail}"), std::string::npos)
      << event.error().message;
  auto kinesis = ParseInvocationEvent(R"({"Records":[{"eventSource":"aws:kinesis"}]})");
  ASSERT_FALSE(kinesis);
  EXPECT_NE(kinesis.error().message.find("aws:kinesis"), std::string::npos);
  EXPECT_FALSE(ParseInvocationEvent("[1,2]"));
  auto bad = ParseInvocationEvent("{not json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

TEST(InvocationEventTest, SqsRecordWithoutMessageIdFailsTheBatch) {
  auto event = ParseInvocationEvent(R"({"Records":[{"eventSource":"aws:sqs","body":"{}"}]})");
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace tw::sources

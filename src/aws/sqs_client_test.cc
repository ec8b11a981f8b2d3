#include "aws/sqs_client.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "aws/testing/scripted_json.h"

namespace tw::aws {
namespace {

constexpr char kQueue[] = "https://sqs.us-east-1.amazonaws.com/177715257436/MyQueue";

class SqsClientTest : public ::testing::Test {
 protected:
  SqsClient Make() { return SqsClient(fake_.Client(SqsJsonOptions(RetryOptions{}), clock_)); }
  // The last request's body as a parsed document (kept alive by parser_).
  simdjson::dom::element LastBody() { return parser_.parse(fake_.requests.back().body).value(); }
  FakeClock clock_;
  testing::ScriptedJson fake_;
  simdjson::dom::parser parser_;
};

TEST_F(SqsClientTest, ReceiveMessageLongPollsAndReadsTheReceiveCount) {
  // The shape of the ReceiveMessage example in the SQS API Reference (JSON protocol).
  fake_.On("ReceiveMessage", 200, R"({"Messages":[{"Attributes":{"ApproximateReceiveCount":"3",
    "SentTimestamp":"1677112427387"},"Body":"This is a test message","MD5OfBody":
    "fafb00f5732ab283681e124bf8747ed1","MessageId":"219f8380-5770-4cc2-8c3e-5c715e145f5e",
    "ReceiptHandle":"AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXqemmIG6shMHCO6fV20JrQYg/AiZ8JELwLwOu5U61W+aIX5Qzu7GGofxJuvzymr4Ph53RiR0mudj4InLSgpSspYeTRDteBye5tV/txbZDdNZxsi+qqZA9xPnmMscKQqF6pGhnGIKrnkYGl45Nl6GPIZv62LrIRb6mSqOn1fn0yqrvmWuuY3w2UzQbaYunJWGxpzZze21EOBtywknU3Je/g7G9is+c6K9hGniddzGLkK1YHVVDbwnQtw1GYmbCOcfJgHq6rQs8T0Wc7SdbXDdcF0RNsWuO5HomlFGcOMm+7ArYGGn4HnNOsYqIqkVZ+vjWcAtXkn5ltz9l/qQSmHv6cKeMXWGEcSIXlsV6LcJ4mW3Kv/kIyp8FlB3zcO7pnvYO2akbgEK/uTpg=="}]})");
  SqsClient sqs = Make();
  auto messages = sqs.ReceiveMessage(kQueue, ReceiveParams{10, std::chrono::seconds(20), {}});
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].message_id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
  EXPECT_EQ((*messages)[0].body, "This is a test message");
  EXPECT_EQ((*messages)[0].receive_count, 3);
  EXPECT_EQ((*messages)[0].receipt_handle.substr(0, 10), "AQEBaZ+j5q");

  const HttpRequest& r = fake_.requests.back();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:4566/");
  EXPECT_EQ(*FindHeader(r.headers, "X-Amz-Target"), "AmazonSQS.ReceiveMessage");
  EXPECT_EQ(*FindHeader(r.headers, "Content-Type"), "application/x-amz-json-1.0");
  const std::string* auth = FindHeader(r.headers, "Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_NE(auth->find("/us-east-1/sqs/aws4_request"), std::string::npos);
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(30000));  // 20 s poll + 10 s
  simdjson::dom::element body = LastBody();
  EXPECT_EQ(std::string_view(body["QueueUrl"].get_string().value()), kQueue);
  EXPECT_EQ(int64_t(body["MaxNumberOfMessages"].get_int64().value()), 10);
  EXPECT_EQ(int64_t(body["WaitTimeSeconds"].get_int64().value()), 20);
  EXPECT_EQ(std::string_view(body["MessageSystemAttributeNames"].at(0).get_string().value()),
            "ApproximateReceiveCount");
  EXPECT_TRUE(body["VisibilityTimeout"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_F(SqsClientTest, EmptyAnswerIsNoMessagesAndVisibilityIsSentWhenGiven) {
  fake_.On("ReceiveMessage", 200, "{}");
  SqsClient sqs = Make();
  auto messages = sqs.ReceiveMessage(
      kQueue, ReceiveParams{1, std::chrono::seconds(0), std::chrono::seconds(0)});
  ASSERT_TRUE(messages) << messages.error().message;
  EXPECT_TRUE(messages->empty());
  EXPECT_EQ(int64_t(LastBody()["VisibilityTimeout"].get_int64().value()), 0);
}

TEST_F(SqsClientTest, ParametersOutOfRangeAreRefusedWithoutACall) {
  SqsClient sqs = Make();
  EXPECT_EQ(sqs.ReceiveMessage(kQueue, ReceiveParams{11, std::chrono::seconds(1), {}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sqs.ReceiveMessage(kQueue, ReceiveParams{1, std::chrono::seconds(21), {}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sqs.ChangeMessageVisibility(kQueue, "h", std::chrono::seconds(43201)).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(sqs.DeleteMessageBatch(kQueue, {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fake_.requests.empty());
}

TEST_F(SqsClientTest, ErrorsCarryTheQueryCompatibleCode) {
  fake_.On(
      "DeleteMessage", 400,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
      {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  SqsClient sqs = Make();
  auto r = sqs.DeleteMessage(kQueue, "handle");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "SQS DeleteMessage: AWS.SimpleQueueService.NonExistentQueue: The specified queue "
            "does not exist.");
  EXPECT_EQ(*FindHeader(fake_.requests.back().headers, "X-Amz-Target"), "AmazonSQS.DeleteMessage");
}

TEST_F(SqsClientTest, DeleteBatchReportsFailedEntriesById) {
  fake_.On("DeleteMessageBatch", 200,
           R"({"Successful":[{"Id":"0"}],"Failed":[{"Id":"1","SenderFault":true,
               "Code":"ReceiptHandleIsInvalid","Message":"The input receipt handle is invalid."}]})");
  SqsClient sqs = Make();
  auto failed = sqs.DeleteMessageBatch(kQueue, {"h0", "h\"1"});
  ASSERT_TRUE(failed) << failed.error().message;
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].id, "1");
  EXPECT_EQ((*failed)[0].code, "ReceiptHandleIsInvalid");
  simdjson::dom::element body = LastBody();
  EXPECT_EQ(std::string_view(body["Entries"].at(1)["ReceiptHandle"].get_string().value()), "h\"1");
  EXPECT_EQ(std::string_view(body["Entries"].at(1)["Id"].get_string().value()), "1");
}

TEST_F(SqsClientTest, ChangeVisibilityAndRetryOn503) {
  fake_.On("ChangeMessageVisibility", 503, R"({"__type":"ServiceUnavailable","message":"x"})");
  fake_.On("ChangeMessageVisibility", 200, "{}");
  SqsClient sqs = Make();
  auto r = sqs.ChangeMessageVisibility(kQueue, "handle", std::chrono::seconds(90));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(fake_.requests.size(), 2u);
  // First retry: 0.5 * min(2^0, 20) s (retry.h).
  ASSERT_EQ(fake_.waits.size(), 1u);
  EXPECT_EQ(fake_.waits[0], std::chrono::milliseconds(500));
  EXPECT_EQ(int64_t(LastBody()["VisibilityTimeout"].get_int64().value()), 90);
}

}  // namespace
}  // namespace tw::aws

#include "aws/service_clients.h"

namespace tw::aws {
namespace {

TEST(RegionOfQueueUrlTest, FromTheHost) {
  EXPECT_EQ(RegionOfQueueUrl("https://sqs.eu-west-3.amazonaws.com/123456789012/q"), "eu-west-3");
  EXPECT_EQ(RegionOfQueueUrl("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q"),
            "cn-north-1");
  EXPECT_EQ(RegionOfQueueUrl("https://us-west-2.queue.amazonaws.com/123456789012/q"), "us-west-2");
  EXPECT_EQ(RegionOfQueueUrl("http://127.0.0.1:5000/123456789012/q"), "");
  EXPECT_EQ(RegionOfQueueUrl("not a url"), "");
}

}  // namespace
}  // namespace tw::aws

#include "sources/sqs/sqs_source.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "aws/testing/fake_http.h"
#include "aws/testing/scripted_json.h"
#include "state/memory/memory_state_store.h"

namespace tw::sources {
namespace {

using namespace std::chrono_literals;

constexpr char kQueue[] = "http://127.0.0.1:4566/123456789012/ct-events";

std::string S3Event(std::string_view encoded_key) {
  return std::string(
             R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"ct-bucket"},"object":{"key":")") +
         std::string(encoded_key) + R"(","size":3}}}]})";
}

// SQS messages as ReceiveMessage returns them: body, receipt handle, receive count.
std::string Messages(std::vector<std::tuple<std::string, std::string, int>> ms) {
  std::string out = R"({"Messages":[)";
  for (size_t i = 0; i < ms.size(); ++i) {
    if (i > 0) out += ",";
    out += R"({"MessageId":"m)" + std::to_string(i) + R"(","ReceiptHandle":)" +
           aws::JsonText(std::get<1>(ms[i])) + R"(,"Body":)" + aws::JsonText(std::get<0>(ms[i])) +
           R"(,"Attributes":{"ApproximateReceiveCount":")" + std::to_string(std::get<2>(ms[i])) +
           R"("}})";
  }
  return out + "]}";
}

class SqsSourceTest : public ::testing::Test {
 protected:
  // S3 GETs go to s3_ (by URL), SQS calls to sqs_ (by X-Amz-Target).
  std::unique_ptr<SqsSource> Make(SqsOptions options = {}) {
    options.queue_url = kQueue;
    options.start_threads = false;
    options.visibility_timeout = 60s;
    options.log = [this](const char* level, const std::string& m) {
      logs_.push_back(std::string(level) + ": " + m);
      ++log_count_;
    };
    aws::HttpFetch s3_fetch = s3_.Fetch();
    aws::RetryOptions no_retry;
    no_retry.max_attempts = 1;
    auto sqs = std::make_unique<aws::SqsClient>(sqs_.Client(aws::SqsJsonOptions(no_retry), clock_));
    aws::S3ClientOptions s3_options;
    s3_options.endpoint = aws::Endpoint{"http://127.0.0.1:4566", "us-east-1", true};
    s3_options.max_attempts = 1;
    auto s3 = std::make_unique<aws::S3Client>(
        s3_fetch,
        [] {
          aws::Credentials c;
          c.access_key_id = "AKIDEXAMPLE";
          c.secret_access_key = "secret";
          return Result<aws::Credentials>(c);
        },
        s3_options, clock_);
    auto made =
        SqsSource::Create(std::move(options), std::move(sqs), std::move(s3), &store_, clock_);
    EXPECT_TRUE(made) << made.error().message;
    return std::move(*made);
  }

  std::vector<std::string> Ops() {
    std::vector<std::string> out;
    for (const auto& r : sqs_.requests) {
      const std::string* t = aws::FindHeader(r.headers, "X-Amz-Target");
      out.push_back(t == nullptr ? "?" : t->substr(t->find('.') + 1));
    }
    return out;
  }
  std::string BodyField(size_t request, const char* field) {
    simdjson::dom::parser p;
    auto doc = p.parse(sqs_.requests.at(request).body).value();
    std::string_view s;
    int64_t n = 0;
    if (doc[field].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    if (doc[field].get_int64().get(n) == simdjson::SUCCESS) return std::to_string(n);
    return "";
  }

  FakeClock clock_;
  aws::testing::ScriptedJson sqs_;
  aws::testing::FakeHttp s3_;
  state::MemoryStateStore store_{clock_};
  std::vector<std::string> logs_;
  std::atomic<int> log_count_{0};
  std::atomic<bool> stop_{false};
};

TEST_F(SqsSourceTest, S3NotificationBecomesABatchOfTheDecodedObjectAndAckDeletes) {
  sqs_.On("ReceiveMessage", 200, Messages({{S3Event("AWSLogs%2Fa+b%2Bc.json"), "r1", 1}}));
  sqs_.On("DeleteMessage", 200, "{}");
  // The key "AWSLogs/a b+c.json", encoded once for the URL (space %20, '+' %2B).
  s3_.On("GET", "http://127.0.0.1:4566/ct-bucket/AWSLogs/a%20b%2Bc.json", 200, R"({"Records":[]})");
  auto source = Make();
  ASSERT_EQ(source->Poll().value(), 1u);
  auto batch = source->Next(stop_);
  ASSERT_TRUE(batch && *batch) << (batch ? "" : batch.error().message);
  EXPECT_EQ((*batch)->input, "s3://ct-bucket/AWSLogs/a b+c.json");
  ASSERT_EQ((*batch)->documents.size(), 1u);
  EXPECT_EQ((*batch)->documents[0], R"({"Records":[]})");
  EXPECT_EQ((*batch)->checkpoint.key, "s3://ct-bucket/AWSLogs/a b+c.json");
  EXPECT_EQ((*batch)->checkpoint.value, "done");
  // Received with the long poll and the visibility asked for.
  EXPECT_EQ(BodyField(0, "WaitTimeSeconds"), "20");
  EXPECT_EQ(BodyField(0, "VisibilityTimeout"), "60");
  EXPECT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage"}));  // not deleted before Ack
  source->Ack(**batch);
  EXPECT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage", "DeleteMessage"}));
  EXPECT_EQ(BodyField(1, "ReceiptHandle"), "r1");
  EXPECT_EQ(source->deleted(), 1u);
}

TEST_F(SqsSourceTest, TestEventIsDeletedAndNeverHandedOut) {
  sqs_.On("ReceiveMessage", 200,
          Messages({{R"({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"})", "t1", 1},
                    {S3Event("k"), "r2", 1}}));
  sqs_.On("DeleteMessage", 200, "{}");
  s3_.On("GET", "http://127.0.0.1:4566/ct-bucket/k", 200, "{}");
  auto source = Make();
  ASSERT_EQ(source->Poll().value(), 2u);
  auto batch = source->Next(stop_);
  ASSERT_TRUE(batch && *batch);
  EXPECT_EQ((*batch)->input, "s3://ct-bucket/k");
  EXPECT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage", "DeleteMessage"}));
  EXPECT_EQ(BodyField(1, "ReceiptHandle"), "t1");
}

TEST_F(SqsSourceTest, UnreadableObjectAndPoisonMessageAreLeftWithTheirReceiveCount) {
  sqs_.On("ReceiveMessage", 200,
          Messages({{"not json at all", "p1", 4}, {S3Event("missing"), "r2", 2}}));
  sqs_.On("ChangeMessageVisibility", 200, "{}");
  s3_.On(
      "GET", "http://127.0.0.1:4566/ct-bucket/missing", 404,
      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
  SqsOptions options;
  options.retry_delay = 7s;
  auto source = Make(options);
  ASSERT_EQ(source->Poll().value(), 2u);
  stop_ = false;
  // Both are left; with nothing else waiting, Next keeps waiting until stop.
  std::thread stopper([this] {
    while (log_count_ < 2) std::this_thread::yield();
    stop_ = true;
  });
  auto batch = source->Next(stop_);
  stopper.join();
  ASSERT_TRUE(batch);
  EXPECT_FALSE(batch->has_value());
  EXPECT_EQ(source->left_for_redelivery(), 2u);
  ASSERT_EQ(logs_.size(), 2u);
  EXPECT_NE(logs_[0].find("(receive count 4) left for redelivery"), std::string::npos) << logs_[0];
  EXPECT_NE(logs_[1].find("(receive count 2) left for redelivery"), std::string::npos) << logs_[1];
  EXPECT_NE(logs_[1].find("NoSuchKey"), std::string::npos) << logs_[1];
  // Never deleted; made visible again after retry_delay.
  EXPECT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage", "ChangeMessageVisibility",
                                             "ChangeMessageVisibility"}));
  EXPECT_EQ(BodyField(1, "VisibilityTimeout"), "7");
}

TEST_F(SqsSourceTest, NackLeavesTheMessage) {
  sqs_.On("ReceiveMessage", 200, Messages({{S3Event("k"), "r1", 3}}));
  s3_.On("GET", "http://127.0.0.1:4566/ct-bucket/k", 200, "{}");
  auto source = Make();
  ASSERT_TRUE(source->Poll());
  auto batch = source->Next(stop_);
  ASSERT_TRUE(batch && *batch);
  source->Nack(**batch, Error{ErrorCode::kUnavailable, "claim held by another worker"});
  EXPECT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage"}));  // no delete, no change
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_NE(logs_[0].find("(receive count 3) left for redelivery: s3://ct-bucket/k: claim held"),
            std::string::npos)
      << logs_[0];
}

TEST_F(SqsSourceTest, HeartbeatExtendsHeldMessagesOnceHalfTheTimeoutIsGone) {
  sqs_.On("ReceiveMessage", 200, Messages({{S3Event("k"), "r1", 1}, {S3Event("k2"), "r2", 1}}));
  sqs_.On("ChangeMessageVisibility", 200, "{}");
  s3_.On("GET", "http://127.0.0.1:4566/ct-bucket/k", 200, "{}");
  auto source = Make();
  ASSERT_TRUE(source->Poll());
  auto batch = source->Next(stop_);  // r1 handed out, r2 waiting: both held
  ASSERT_TRUE(batch && *batch);
  clock_.Advance(29s);
  source->Heartbeat();
  EXPECT_EQ(Ops().size(), 1u);  // 31 s of 60 left: nothing yet
  clock_.Advance(2s);
  source->Heartbeat();
  ASSERT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage", "ChangeMessageVisibility",
                                             "ChangeMessageVisibility"}));
  EXPECT_EQ(BodyField(1, "VisibilityTimeout"), "60");
  clock_.Advance(10s);
  source->Heartbeat();  // renewed 10 s ago: nothing
  EXPECT_EQ(Ops().size(), 3u);
  sqs_.On("DeleteMessage", 200, "{}");
  source->Ack(**batch);
  clock_.Advance(25s);
  source->Heartbeat();  // only r2 is still held
  ASSERT_EQ(Ops().size(), 5u);
  EXPECT_EQ(BodyField(4, "ReceiptHandle"), "r2");
}

TEST_F(SqsSourceTest, AnObjectAlreadyCommittedByThisWorkerIsDeletedWithoutReading) {
  ASSERT_TRUE(store_.Commit({}, {state::Checkpoint{"sqs", "s3://ct-bucket/k", "done"}}));
  sqs_.On("ReceiveMessage", 200, Messages({{S3Event("k"), "r1", 2}}));
  sqs_.On("DeleteMessage", 200, "{}");
  auto source = Make();
  ASSERT_TRUE(source->Poll());
  std::thread stopper([this] {
    while (log_count_ < 1) std::this_thread::yield();
    stop_ = true;
  });
  auto batch = source->Next(stop_);
  stopper.join();
  ASSERT_TRUE(batch);
  EXPECT_FALSE(batch->has_value());
  EXPECT_TRUE(s3_.requests.empty());
  EXPECT_EQ(Ops(), (std::vector<std::string>{"ReceiveMessage", "DeleteMessage"}));
}

TEST_F(SqsSourceTest, CloudTrailEventFromEventBridgeIsTheDocument) {
  const std::string event =
      R"({"detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"eventName":"CreateUser"}})";
  sqs_.On("ReceiveMessage", 200, Messages({{event, "r1", 1}}));
  auto source = Make();
  ASSERT_TRUE(source->Poll());
  auto batch = source->Next(stop_);
  ASSERT_TRUE(batch && *batch);
  EXPECT_EQ((*batch)->input, "sqs:m0");
  ASSERT_EQ((*batch)->documents.size(), 1u);
  EXPECT_EQ((*batch)->documents[0], event);
  EXPECT_TRUE((*batch)->checkpoint.key.empty());
}

TEST_F(SqsSourceTest, OptionsAreChecked) {
  auto sqs = std::make_unique<aws::SqsClient>(sqs_.Client(aws::SqsJsonOptions({}), clock_));
  SqsOptions options;
  EXPECT_EQ(SqsSource::Create(options, std::move(sqs), nullptr, nullptr, clock_).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tw::sources

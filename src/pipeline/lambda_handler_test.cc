// LambdaHandler with the built-in rules and the `watch` stage chain, a scripted sink and a
// FakeClock (waits advance it; nothing sleeps). One StopLogging event matches the rule
// cloudtrail-stopped-or-deleted (rules/cloudtrail.yml: eventName StopLogging or DeleteTrail);
// the test sink accepts that rule only, so each event is exactly one delivery.
#include "pipeline/lambda_handler.h"

#include <gtest/gtest.h>

#include <deque>

#include "rules/builtin.h"
#include "state/memory/memory_state_store.h"

namespace tw::pipeline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kRule[] = "cloudtrail-stopped-or-deleted";

std::string Record(const std::string& event_id) {
  return R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA",)"
         R"("arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333",)"
         R"("userName":"mallory"},"eventTime":"2026-11-30T03:00:00Z",)"
         R"("eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",)"
         R"("awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2",)"
         R"("requestParameters":{"name":"main-trail"},"responseElements":null,)"
         R"("requestID":"r1","eventID":")" +
         event_id +
         R"(","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,)"
         R"("recipientAccountId":"111122223333","eventCategory":"Management"})";
}

std::string EventBridge(const std::string& event_id) {
  return R"({"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail",)"
         R"("source":"aws.cloudtrail","account":"111122223333","time":"2026-11-30T03:00:00Z",)"
         R"("region":"us-east-1","resources":[],"detail":)" +
         Record(event_id) + "}";
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

class ScriptedSink final : public sinks::Sink {
 public:
  const std::string& name() const override { return name_; }
  bool Accepts(const alert::Alert& alert) const override { return alert.rule_id == kRule; }
  sinks::DeliveryResult Deliver(const alert::Alert& alert, const std::string&) override {
    received.push_back(alert);
    if (script.empty()) return {};
    sinks::DeliveryResult r = script.front();
    script.pop_front();
    return r;
  }
  std::deque<sinks::DeliveryResult> script;  // empty: delivered
  std::vector<alert::Alert> received;

 private:
  std::string name_ = "slack";
};

sinks::DeliveryResult Retry(std::optional<milliseconds> after) {
  sinks::DeliveryResult r;
  r.status = sinks::DeliveryStatus::kRetry;
  r.retry_after = after;
  r.error = "HTTP 429";
  return r;
}

sinks::DeliveryResult Permanent() {
  sinks::DeliveryResult r;
  r.status = sinks::DeliveryStatus::kPermanent;
  r.error = "HTTP 404 channel_not_found";
  return r;
}

class LambdaHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { handler_ = Make(nullptr); }

  std::unique_ptr<LambdaHandler> Make(ObjectFetcher fetch) {
    auto cfg = config::ParseConfig("sinks: [{type: stdout}]\n", "t.yml",
                                   [](const std::string&) { return std::optional<std::string>(); });
    EXPECT_TRUE(cfg);
    auto rules = rules::LoadBuiltinRules(rules::InlineTests::kSkip);
    EXPECT_TRUE(rules);
    auto processing = BuildProcessing(*cfg, std::move(*rules));
    EXPECT_TRUE(processing) << processing.error().message;
    LambdaParts parts;
    parts.processing = std::move(*processing);
    parts.sinks = {&sink_};
    parts.windows = &windows_;
    parts.clock = &clock_;
    parts.fetch = std::move(fetch);
    parts.wait = [this](Clock::MonoTime until) {
      waits_.push_back(until - clock_.Monotonic());
      if (until > clock_.Monotonic()) clock_.Advance(until - clock_.Monotonic());
    };
    LambdaHandlerOptions options;
    options.reserve = seconds(1);
    options.jitter_seed = 7;
    auto h = LambdaHandler::Create(std::move(parts), options);
    EXPECT_TRUE(h);
    return std::move(*h);
  }

  InvocationOutcome Run(const std::string& body, milliseconds time_left = seconds(30)) {
    auto event = sources::ParseInvocationEvent(body);
    EXPECT_TRUE(event) << event.error().ToString();
    return handler_->Handle(*event, "lambda:test", clock_.Monotonic() + time_left);
  }

  FakeClock clock_;
  state::MemoryStateStore windows_{clock_};
  ScriptedSink sink_;
  std::vector<Clock::MonoTime::duration> waits_;
  std::unique_ptr<LambdaHandler> handler_;
};

TEST_F(LambdaHandlerTest, DeliversBeforeAnsweringSuccess) {
  InvocationOutcome out = Run(EventBridge("e1"));
  EXPECT_FALSE(out.error) << out.error->message;
  EXPECT_EQ(out.response, "{}");
  EXPECT_EQ(out.events, 1u);
  EXPECT_EQ(out.delivered, 1u);
  ASSERT_EQ(sink_.received.size(), 1u);
  EXPECT_EQ(sink_.received[0].rule_id, kRule);
}

TEST_F(LambdaHandlerTest, PermanentSinkFailureFailsTheInvocationAndLeavesNoDedupeTrace) {
  sink_.script = {Permanent()};
  InvocationOutcome failed = Run(EventBridge("e1"));
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->type, kErrorDelivery);
  EXPECT_NE(failed.error->message.find("channel_not_found"), std::string::npos);
  // Lambda retries the same event: it must alert as a first alert, not as a dedupe repeat.
  InvocationOutcome retried = Run(EventBridge("e1"));
  EXPECT_FALSE(retried.error);
  ASSERT_EQ(sink_.received.size(), 2u);
  EXPECT_EQ(sink_.received[1].dedupe_count, 1u);
  EXPECT_TRUE(sink_.received[1].dedupe_parent_id.empty());
  // After a success the window is kept: the next same-key event is a repeat of the first.
  InvocationOutcome repeat = Run(EventBridge("e2"));
  EXPECT_FALSE(repeat.error);
  ASSERT_EQ(sink_.received.size(), 3u);
  EXPECT_EQ(sink_.received[2].dedupe_count, 2u);
  EXPECT_EQ(sink_.received[2].dedupe_parent_id, sink_.received[1].id);
}

TEST_F(LambdaHandlerTest, RetryAfterIsHonouredWithinTheDeadline) {
  sink_.script = {Retry(seconds(2))};
  InvocationOutcome out = Run(EventBridge("e1"), seconds(10));
  EXPECT_FALSE(out.error);
  ASSERT_EQ(waits_.size(), 1u);
  EXPECT_EQ(waits_[0], seconds(2));
  EXPECT_EQ(sink_.received.size(), 2u);
  EXPECT_EQ(out.delivered, 1u);
}

TEST_F(LambdaHandlerTest, StopsRetryingWhenTheWaitWouldPassTheReserve) {
  // 3 s left, 1 s reserve: a 5 s Retry-After cannot be waited for.
  sink_.script = {Retry(seconds(5))};
  InvocationOutcome out = Run(EventBridge("e1"), seconds(3));
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->type, kErrorDelivery);
  EXPECT_TRUE(waits_.empty());
  EXPECT_EQ(sink_.received.size(), 1u);
}

TEST_F(LambdaHandlerTest, DeadlineAlreadyPassedFailsWithoutDelivering) {
  InvocationOutcome out = Run(EventBridge("e1"), milliseconds(-5));
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->type, kErrorDeadline);
  EXPECT_TRUE(sink_.received.empty());
}

TEST_F(LambdaHandlerTest, SqsFailuresAreReportedPerMessage) {
  const std::string body = R"({"Records":[)"
                           R"({"messageId":"m-a","eventSource":"aws:sqs","body":)" +
                           Quote(EventBridge("a")) + "}," +
                           R"({"messageId":"m-b","eventSource":"aws:sqs","body":"garbage"},)" +
                           R"({"messageId":"m-c","eventSource":"aws:sqs","body":)" +
                           Quote(EventBridge("c")) + "}]}";
  sink_.script = {sinks::DeliveryResult{}, Permanent()};  // m-a delivered, m-c refused
  InvocationOutcome out = Run(body);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.response,
            R"({"batchItemFailures":[{"itemIdentifier":"m-b"},{"itemIdentifier":"m-c"}]})");
  EXPECT_EQ(out.items, 3u);
  EXPECT_EQ(out.delivered, 1u);
}

TEST_F(LambdaHandlerTest, SqsAllDeliveredAnswersAnEmptyFailureList) {
  const std::string body = R"({"Records":[{"messageId":"m-a","eventSource":"aws:sqs","body":)" +
                           Quote(EventBridge("a")) + "}]}";
  InvocationOutcome out = Run(body);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.response, R"({"batchItemFailures":[]})");
}

TEST_F(LambdaHandlerTest, S3ObjectsAreFetchedAndScanned) {
  const std::string s3 =
      R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
      R"("s3":{"bucket":{"name":"ct"},"object":{"key":"AWSLogs/a+b.json"}}}]})";
  // Without a fetcher the S3 shape cannot be served: an error, not a silent success.
  InvocationOutcome unconfigured = Run(s3);
  ASSERT_TRUE(unconfigured.error);
  EXPECT_EQ(unconfigured.error->type, kErrorFetch);

  std::vector<sources::S3Object> asked;
  handler_ = Make([&](const sources::S3Object& o) -> Result<std::string> {
    asked.push_back(o);
    return R"({"Records":[)" + Record("s3-1") + "]}";
  });
  InvocationOutcome out = Run(s3);
  EXPECT_FALSE(out.error);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].bucket, "ct");
  EXPECT_EQ(asked[0].key, "AWSLogs/a b.json");
  EXPECT_EQ(out.delivered, 1u);
  ASSERT_EQ(sink_.received.size(), 1u);
  EXPECT_EQ(sink_.received[0].input_file, "s3://ct/AWSLogs/a b.json");
}

TEST_F(LambdaHandlerTest, FetchFailureFailsTheInvocation) {
  handler_ = Make([](const sources::S3Object&) -> Result<std::string> {
    return Fail(ErrorCode::kNotFound, "NoSuchKey");
  });
  InvocationOutcome out =
      Run(R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
          R"("s3":{"bucket":{"name":"ct"},"object":{"key":"k"}}}]})");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->type, kErrorFetch);
  EXPECT_NE(out.error->message.find("NoSuchKey"), std::string::npos);
}

}  // namespace
}  // namespace tw::pipeline

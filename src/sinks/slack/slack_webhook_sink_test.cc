#include "sinks/slack/slack_webhook_sink.h"

#include <gtest/gtest.h>

#include "sinks/fake_http_client.h"
#include "sinks/slack/block_kit.h"
#include "sinks/slack/test_alert.h"

namespace tw::sinks::slack {
namespace {

using testing::FakeHttpClient;
using testing::MakeResponse;
using testing::SampleAlert;

struct Fixture {
  FakeClock clock;
  FakeHttpClient::State http;
  std::unique_ptr<SlackWebhookSink> sink;
  Fixture() {
    SlackWebhookOptions options;
    options.webhook_url = "https://hooks.slack.com/services/T0/B0/secret";
    auto created =
        SlackWebhookSink::Create(options, std::make_unique<FakeHttpClient>(&http), clock);
    EXPECT_TRUE(created);
    sink = std::move(*created);
  }
};

TEST(SlackWebhookSinkTest, PostsTheBlockKitMessage) {
  Fixture f;
  const DeliveryResult r = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(r.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(r.sink_ref, "");
  ASSERT_EQ(f.http.requests.size(), 1u);
  const http::Request& req = f.http.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://hooks.slack.com/services/T0/B0/secret");
  EXPECT_EQ(req.body, SlackMessageJson(BuildSlackMessage(SampleAlert())));
  ASSERT_EQ(req.headers.size(), 1u);
  EXPECT_EQ(req.headers[0].name, "Content-Type");
  EXPECT_EQ(req.headers[0].value, "application/json; charset=utf-8");
}

TEST(SlackWebhookSinkTest, StatusClassification) {
  Fixture f;
  f.http.answers.push_back(MakeResponse(429, "rate_limited", {{"Retry-After", "2"}}));
  f.http.answers.push_back(MakeResponse(500, "rollup_error"));
  f.http.answers.push_back(Result<http::Response>(Fail(ErrorCode::kUnavailable, "timed out")));
  f.http.answers.push_back(MakeResponse(404, "channel_not_found"));
  f.http.answers.push_back(MakeResponse(410, "channel_is_archived"));
  auto r429 = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(r429.status, DeliveryStatus::kRetry);
  EXPECT_EQ(r429.retry_after, std::chrono::milliseconds(2000));
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kRetry);
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kRetry);
  auto r404 = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(r404.status, DeliveryStatus::kPermanent);
  EXPECT_EQ(r404.error, "HTTP 404: channel_not_found");
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kPermanent);
}

TEST(SlackWebhookSinkTest, RejectsBadConfig) {
  FakeClock clock;
  FakeHttpClient::State http;
  SlackWebhookOptions options;
  options.webhook_url = "hooks.slack.com/services/x";
  auto created = SlackWebhookSink::Create(options, std::make_unique<FakeHttpClient>(&http), clock);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(created.error().message.find("hooks.slack.com"), std::string::npos);  // no secret
}

TEST(SlackWebhookSinkTest, FilterDecidesAccepts) {
  FakeClock clock;
  FakeHttpClient::State http;
  SlackWebhookOptions options;
  options.webhook_url = "https://hooks.slack.com/services/x";
  options.filter.min_severity = rules::Severity::kCritical;
  auto sink = SlackWebhookSink::Create(options, std::make_unique<FakeHttpClient>(&http), clock);
  ASSERT_TRUE(sink);
  EXPECT_FALSE((*sink)->Accepts(SampleAlert()));  // high < critical
}

}  // namespace
}  // namespace tw::sinks::slack

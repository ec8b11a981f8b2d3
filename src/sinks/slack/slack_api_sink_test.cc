#include "sinks/slack/slack_api_sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "sinks/fake_http_client.h"
#include "sinks/slack/test_alert.h"

namespace tw::sinks::slack {
namespace {

using testing::FakeHttpClient;
using testing::MakeResponse;
using testing::SampleAlert;

struct Fixture {
  FakeClock clock;
  FakeHttpClient::State http;
  std::unique_ptr<SlackApiSink> sink;
  explicit Fixture(std::vector<std::string> dm_rules = {}) {
    SlackApiOptions options;
    options.token = "xoxb-test";
    options.channel = "#security-alerts";
    options.api_url = "http://127.0.0.1:9/api/";
    options.dm_rules = std::move(dm_rules);
    auto created = SlackApiSink::Create(options, std::make_unique<FakeHttpClient>(&http), clock);
    EXPECT_TRUE(created) << created.error().ToString();
    sink = std::move(*created);
  }
};

std::string Member(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return "<bad json>";
  std::string_view v;
  if (doc[name].get(v) != simdjson::SUCCESS) return "<missing>";
  return std::string(v);
}

TEST(SlackApiSinkTest, PostsToTheChannelAndReturnsChannelAndTs) {
  Fixture f;
  f.http.answers.push_back(
      MakeResponse(200, R"({"ok":true,"channel":"C024BE91L","ts":"1700000000.000100"})"));
  const DeliveryResult r = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(r.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(r.sink_ref, "C024BE91L 1700000000.000100");
  ASSERT_EQ(f.http.requests.size(), 1u);
  const http::Request& req = f.http.requests[0];
  EXPECT_EQ(req.url, "http://127.0.0.1:9/api/chat.postMessage");
  http::Response as_response;
  as_response.headers = req.headers;
  ASSERT_NE(as_response.FindHeader("Authorization"), nullptr);
  EXPECT_EQ(*as_response.FindHeader("Authorization"), "Bearer xoxb-test");
  EXPECT_EQ(Member(req.body, "channel"), "#security-alerts");
  EXPECT_EQ(Member(req.body, "thread_ts"), "<missing>");
  EXPECT_NE(Member(req.body, "text"), "<missing>");
}

TEST(SlackApiSinkTest, OkFalseErrorsByKind) {
  Fixture f;
  f.http.answers.push_back(
      MakeResponse(429, R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "30"}}));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"ratelimited"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"internal_error"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"channel_not_found"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"not_in_channel"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"invalid_auth"})"));
  f.http.answers.push_back(MakeResponse(200, "<html>proxy</html>"));
  auto limited = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(limited.status, DeliveryStatus::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::milliseconds(30'000));
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kRetry);
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kRetry);
  auto not_found = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(not_found.status, DeliveryStatus::kPermanent);
  EXPECT_NE(not_found.error.find("channel_not_found"), std::string::npos);
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kPermanent);
  auto auth = f.sink->Deliver(SampleAlert(), "");
  EXPECT_EQ(auth.status, DeliveryStatus::kPermanent);
  EXPECT_EQ(auth.error.find("xoxb-test"), std::string::npos);  // the token is never echoed
  EXPECT_EQ(f.sink->Deliver(SampleAlert(), "").status, DeliveryStatus::kRetry);
}

TEST(SlackApiSinkTest, RepeatGoesToTheThreadAndUpdatesTheParent) {
  Fixture f;
  f.http.answers.push_back(
      MakeResponse(200, R"({"ok":true,"channel":"C024BE91L","ts":"1700000001.000200"})"));
  f.http.answers.push_back(
      MakeResponse(200, R"({"ok":true,"channel":"C024BE91L","ts":"1700000000.000100"})"));
  alert::Alert repeat = SampleAlert();
  repeat.dedupe_count = 4;
  const DeliveryResult r = f.sink->Deliver(repeat, "C024BE91L 1700000000.000100");
  EXPECT_EQ(r.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(r.sink_ref, "C024BE91L 1700000001.000200");
  ASSERT_EQ(f.http.requests.size(), 2u);
  EXPECT_EQ(f.http.requests[0].url, "http://127.0.0.1:9/api/chat.postMessage");
  EXPECT_EQ(Member(f.http.requests[0].body, "channel"), "C024BE91L");
  EXPECT_EQ(Member(f.http.requests[0].body, "thread_ts"), "1700000000.000100");
  EXPECT_EQ(f.http.requests[1].url, "http://127.0.0.1:9/api/chat.update");
  EXPECT_EQ(Member(f.http.requests[1].body, "channel"), "C024BE91L");
  EXPECT_EQ(Member(f.http.requests[1].body, "ts"), "1700000000.000100");
  EXPECT_NE(f.http.requests[1].body.find("4 events"), std::string::npos);
}

TEST(SlackApiSinkTest, FailedUpdateDoesNotFailTheRepeat) {
  Fixture f;
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"C1","ts":"2.0"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"cant_update_message"})"));
  alert::Alert repeat = SampleAlert();
  repeat.dedupe_count = 2;
  const DeliveryResult r = f.sink->Deliver(repeat, "C1 1.0");
  EXPECT_EQ(r.status, DeliveryStatus::kDelivered);
  EXPECT_TRUE(r.sink_ref.starts_with("C1 2.0\tchat.update failed: "));
}

TEST(SlackApiSinkTest, RepeatWithoutParentIsANewMessage) {
  Fixture f;
  alert::Alert repeat = SampleAlert();
  repeat.dedupe_count = 3;
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"C1","ts":"1.0"})"));
  EXPECT_EQ(f.sink->Deliver(repeat, "").status, DeliveryStatus::kDelivered);
  ASSERT_EQ(f.http.requests.size(), 1u);
  EXPECT_EQ(Member(f.http.requests[0].body, "thread_ts"), "<missing>");
}

TEST(SlackApiSinkTest, DirectMessageToTheActorByEmail) {
  Fixture f({"console-login-failure"});
  alert::Alert a = SampleAlert();
  a.actor_email = "alice+sec@example.com";
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"C1","ts":"1.0"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"user":{"id":"U0ALICE"}})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":{"id":"D0ALICE"}})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"D0ALICE","ts":"1.1"})"));
  const DeliveryResult r = f.sink->Deliver(a, "");
  EXPECT_EQ(r.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(r.sink_ref, "C1 1.0");
  ASSERT_EQ(f.http.requests.size(), 4u);
  EXPECT_EQ(f.http.requests[1].method, "GET");
  EXPECT_EQ(f.http.requests[1].url,
            "http://127.0.0.1:9/api/users.lookupByEmail?email=alice%2Bsec%40example.com");
  EXPECT_EQ(f.http.requests[2].url, "http://127.0.0.1:9/api/conversations.open");
  EXPECT_EQ(Member(f.http.requests[2].body, "users"), "U0ALICE");
  EXPECT_EQ(f.http.requests[3].url, "http://127.0.0.1:9/api/chat.postMessage");
  EXPECT_EQ(Member(f.http.requests[3].body, "channel"), "D0ALICE");

  // The DM channel is cached: the next alert for the same email posts twice, no lookups.
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"C1","ts":"2.0"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"D0ALICE","ts":"2.1"})"));
  EXPECT_EQ(f.sink->Deliver(a, "").status, DeliveryStatus::kDelivered);
  ASSERT_EQ(f.http.requests.size(), 6u);
  EXPECT_EQ(Member(f.http.requests[5].body, "channel"), "D0ALICE");
}

TEST(SlackApiSinkTest, FailedLookupIsNotedButTheAlertIsDelivered) {
  Fixture f({"console-login-failure"});
  alert::Alert a = SampleAlert();
  a.actor_email = "nobody@example.com";
  f.http.answers.push_back(MakeResponse(200, R"({"ok":true,"channel":"C1","ts":"1.0"})"));
  f.http.answers.push_back(MakeResponse(200, R"({"ok":false,"error":"users_not_found"})"));
  const DeliveryResult r = f.sink->Deliver(a, "");
  EXPECT_EQ(r.status, DeliveryStatus::kDelivered);
  EXPECT_TRUE(r.sink_ref.starts_with("C1 1.0\tdm failed: slack users_not_found"));
}

TEST(SlackApiSinkTest, NoDirectMessageForOtherRulesOrWithoutEmail) {
  Fixture f({"some-other-rule"});
  alert::Alert a = SampleAlert();
  a.actor_email = "alice@example.com";
  EXPECT_EQ(f.sink->Deliver(a, "").status,
            DeliveryStatus::kRetry);  // default answer "ok" is not JSON
  EXPECT_EQ(f.http.requests.size(), 1u);
}

TEST(SlackApiSinkTest, PercentEncoding) {
  EXPECT_EQ(PercentEncode("a.b-c_d~e"), "a.b-c_d~e");
  EXPECT_EQ(PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

}  // namespace
}  // namespace tw::sinks::slack

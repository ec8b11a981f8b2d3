#include "sinks/webhook/webhook_sink.h"

#include <gtest/gtest.h>

#include "sinks/fake_http_client.h"
#include "sinks/http_outcome.h"
#include "sinks/slack/test_alert.h"

namespace tw::sinks::webhook {
namespace {

using testing::FakeHttpClient;
using testing::MakeResponse;
using testing::SampleAlert;

// Until alert/format.h is on main, a stand-in formatter.
void TinyJson(const alert::Alert& a, std::string& out) { out += "{\"id\":\"" + a.id + "\"}"; }

std::string HeaderOf(const http::Request& r, std::string_view name) {
  for (const http::Header& h : r.headers) {
    if (http::EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return "<missing>";
}

TEST(HmacTest, KnownVectors) {
  // `printf '%s' 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac key`
  EXPECT_EQ(HmacSha256Hex("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(WebhookSinkTest, SignsTimestampDotBodyAndSendsIdempotencyKey) {
  FakeClock clock;  // starts at Unix time 1790000000
  FakeHttpClient::State http;
  WebhookOptions options;
  options.url = "https://example.com/hook";
  options.hmac_secret = "s3cr3t";
  options.headers = {{"X-Team", "sec"}};
  auto sink =
      WebhookSink::Create(options, TinyJson, std::make_unique<FakeHttpClient>(&http), clock);
  ASSERT_TRUE(sink) << sink.error().ToString();
  EXPECT_EQ((*sink)->Deliver(SampleAlert(), "").status, DeliveryStatus::kDelivered);
  ASSERT_EQ(http.requests.size(), 1u);
  const http::Request& r = http.requests[0];
  EXPECT_EQ(r.url, "https://example.com/hook");
  EXPECT_EQ(r.body, R"({"id":"a1b2c3d4e5f60718"})");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(r, "Idempotency-Key"), "a1b2c3d4e5f60718");
  EXPECT_EQ(HeaderOf(r, "X-Trailwatch-Timestamp"), "1790000000");
  // printf '%s' '1790000000.{"id":"a1b2c3d4e5f60718"}' | openssl dgst -sha256 -hmac s3cr3t
  EXPECT_EQ(HeaderOf(r, "X-Trailwatch-Signature"),
            "sha256=0bc8159834ad238af1ce0b51f8c8fcc8af8140c07b4fbc462c84f9c5738a61b7");
  EXPECT_EQ(HeaderOf(r, "X-Team"), "sec");
}

TEST(WebhookSinkTest, NoSignatureWithoutSecretAndSameKeyOnRetry) {
  FakeClock clock;
  FakeHttpClient::State http;
  http.answers.push_back(MakeResponse(503, "busy"));
  WebhookOptions options;
  options.url = "http://127.0.0.1:9/x";
  auto sink =
      WebhookSink::Create(options, TinyJson, std::make_unique<FakeHttpClient>(&http), clock);
  ASSERT_TRUE(sink);
  EXPECT_EQ((*sink)->Deliver(SampleAlert(), "").status, DeliveryStatus::kRetry);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ((*sink)->Deliver(SampleAlert(), "").status, DeliveryStatus::kDelivered);
  ASSERT_EQ(http.requests.size(), 2u);
  for (const http::Request& r : http.requests) {
    EXPECT_EQ(HeaderOf(r, "Idempotency-Key"), "a1b2c3d4e5f60718");
    EXPECT_EQ(HeaderOf(r, "X-Trailwatch-Signature"), "<missing>");
  }
  auto bad = ClassifyHttp(MakeResponse(422, "unprocessable"), clock.Now());
  EXPECT_EQ(bad.status, DeliveryStatus::kPermanent);
}

TEST(WebhookSinkTest, RejectsHeaderInjectionAndOwnedHeaders) {
  FakeClock clock;
  FakeHttpClient::State http;
  for (http::Header h : std::vector<http::Header>{{"X-A", "v\r\nX-Evil: 1"},
                                                  {"X\nB", "v"},
                                                  {"idempotency-key", "mine"},
                                                  {"X-Trailwatch-Signature", "x"}}) {
    WebhookOptions options;
    options.url = "https://example.com/hook";
    options.headers = {h};
    auto sink =
        WebhookSink::Create(options, TinyJson, std::make_unique<FakeHttpClient>(&http), clock);
    ASSERT_FALSE(sink) << h.name;
    EXPECT_EQ(sink.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace tw::sinks::webhook

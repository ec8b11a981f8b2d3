#include "sinks/http_outcome.h"

#include <gtest/gtest.h>

#include "sinks/fake_http_client.h"

namespace tw::sinks {
namespace {

using std::chrono::milliseconds;
using testing::MakeResponse;

const Clock::WallTime kNow{std::chrono::seconds(784111777)};  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpOutcomeTest, TwoHundredsAreDelivered) {
  EXPECT_EQ(ClassifyHttp(MakeResponse(200, "ok"), kNow).status, DeliveryStatus::kDelivered);
  EXPECT_EQ(ClassifyHttp(MakeResponse(204, ""), kNow).status, DeliveryStatus::kDelivered);
}

TEST(HttpOutcomeTest, TooManyRequestsRetriesAfterTheHeader) {
  auto r = ClassifyHttp(MakeResponse(429, "rate_limited", {{"Retry-After", "7"}}), kNow);
  EXPECT_EQ(r.status, DeliveryStatus::kRetry);
  EXPECT_EQ(r.retry_after, milliseconds(7'000));
  auto dated =
      ClassifyHttp(MakeResponse(429, "", {{"retry-after", "Sun, 06 Nov 1994 08:50:37 GMT"}}), kNow);
  EXPECT_EQ(dated.retry_after, milliseconds(60'000));
}

TEST(HttpOutcomeTest, TooManyRequestsFallsBackToTheBodysRetryAfter) {
  // Slack's webhook 429 body (prometheus/alertmanager#2111).
  auto r = ClassifyHttp(MakeResponse(429, R"({"retry_after":1,"ok":false,"error":"rate_limited"})"),
                        kNow);
  EXPECT_EQ(r.status, DeliveryStatus::kRetry);
  EXPECT_EQ(r.retry_after, milliseconds(1'000));
  auto none = ClassifyHttp(MakeResponse(429, "rate_limited"), kNow);
  EXPECT_EQ(none.status, DeliveryStatus::kRetry);
  EXPECT_EQ(none.retry_after, std::nullopt);
}

TEST(HttpOutcomeTest, ServerErrorsAndTimeoutsRetry) {
  for (long status : {500L, 502L, 503L, 504L, 408L}) {
    EXPECT_EQ(ClassifyHttp(MakeResponse(status, "rollup_error"), kNow).status,
              DeliveryStatus::kRetry)
        << status;
  }
  auto unavailable =
      ClassifyHttp(Result<http::Response>(Fail(ErrorCode::kUnavailable, "refused")), kNow);
  EXPECT_EQ(unavailable.status, DeliveryStatus::kRetry);
  EXPECT_NE(unavailable.error.find("refused"), std::string::npos);
}

TEST(HttpOutcomeTest, OtherClientErrorsAreDeadLetteredWithTheBody) {
  // Slack's incoming-webhook errors (api.slack.com changelog 2016-05-17).
  for (auto [status, body] :
       std::vector<std::pair<long, std::string>>{{400, "invalid_payload"},
                                                 {403, "action_prohibited"},
                                                 {404, "channel_not_found"},
                                                 {410, "channel_is_archived"}}) {
    auto r = ClassifyHttp(MakeResponse(status, body), kNow);
    EXPECT_EQ(r.status, DeliveryStatus::kPermanent) << status;
    EXPECT_EQ(r.error, "HTTP " + std::to_string(status) + ": " + body);
  }
  EXPECT_EQ(ClassifyHttp(MakeResponse(302, ""), kNow).status, DeliveryStatus::kPermanent);
  auto bad_url =
      ClassifyHttp(Result<http::Response>(Fail(ErrorCode::kInvalidArgument, "url")), kNow);
  EXPECT_EQ(bad_url.status, DeliveryStatus::kPermanent);
}

TEST(HttpOutcomeTest, KeptBodyIsBounded) {
  auto r = ClassifyHttp(MakeResponse(400, std::string(10'000, 'x')), kNow);
  EXPECT_LE(r.error.size(), kMaxErrorBody + 40);
  EXPECT_NE(r.error.find("(truncated)"), std::string::npos);
}

TEST(HttpOutcomeTest, HttpUrls) {
  EXPECT_TRUE(IsHttpUrl("https://hooks.slack.com/services/T/B/X"));
  EXPECT_TRUE(IsHttpUrl("http://127.0.0.1:8080/x"));
  EXPECT_FALSE(IsHttpUrl("ftp://x"));
  EXPECT_FALSE(IsHttpUrl("https://"));
  EXPECT_FALSE(IsHttpUrl("https:///path"));
  EXPECT_FALSE(IsHttpUrl("https://a b"));
}

}  // namespace
}  // namespace tw::sinks

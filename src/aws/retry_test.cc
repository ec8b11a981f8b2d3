// RunWithRetries: the standard retry mode's loop (retry.h), with recorded waits instead of sleep.
#include "aws/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace tw::aws {
namespace {

using namespace std::chrono_literals;

struct Script {
  explicit Script(std::vector<Result<HttpResponse>> a) : answers(std::move(a)) {}

  std::vector<Result<HttpResponse>> answers;
  size_t next = 0;
  std::vector<std::chrono::milliseconds> waits;

  RetryOptions Options(RetryQuota* quota = nullptr) {
    RetryOptions o;
    o.quota = quota;
    o.wait = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    o.random01 = [] { return 0.5; };
    return o;
  }
  std::function<Result<HttpResponse>()> Attempt() {
    return [this]() -> Result<HttpResponse> { return answers.at(next++); };
  }
};

HttpResponse Status(int status, std::string body = "") { return HttpResponse{status, {}, body}; }

TEST(RunWithRetriesTest, RetriesServerErrorsWithBackoff) {
  Script s({Status(503), Status(500), Status(200, "ok")});
  auto r = RunWithRetries(s.Attempt(), s.Options());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(s.next, 3u);
  EXPECT_EQ(s.waits, (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST(RunWithRetriesTest, StopsAfterThreeAttempts) {
  Script s({Status(503), Status(503), Status(503), Status(200)});
  auto r = RunWithRetries(s.Attempt(), s.Options());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(s.next, 3u);
}

TEST(RunWithRetriesTest, ThrottlingAndTransportErrorsRetriedClientErrorsNot) {
  Script throttled({Status(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"),
                    Result<HttpResponse>(Fail(ErrorCode::kUnavailable, "connection reset")),
                    Status(200)});
  EXPECT_EQ(RunWithRetries(throttled.Attempt(), throttled.Options())->status, 200);
  EXPECT_EQ(throttled.next, 3u);

  Script denied({Status(403, "<Error><Code>AccessDenied</Code></Error>"), Status(200)});
  EXPECT_EQ(RunWithRetries(denied.Attempt(), denied.Options())->status, 403);
  EXPECT_EQ(denied.next, 1u);
  EXPECT_TRUE(denied.waits.empty());

  Script bad({Result<HttpResponse>(Fail(ErrorCode::kInvalidArgument, "bad URL")), Status(200)});
  EXPECT_FALSE(RunWithRetries(bad.Attempt(), bad.Options()).has_value());
  EXPECT_EQ(bad.next, 1u);
}

TEST(RunWithRetriesTest, QuotaIsSpentAndRefunded) {
  RetryQuota quota;
  Script s({Status(503), Status(200)});
  ASSERT_TRUE(RunWithRetries(s.Attempt(), s.Options(&quota)).has_value());
  EXPECT_EQ(quota.Available(), 500);  // took 5, gave the 5 back on success
  while (quota.AcquireRetry(false)) {
  }
  Script empty({Status(503), Status(200)});
  EXPECT_EQ(RunWithRetries(empty.Attempt(), empty.Options(&quota))->status, 503);
  EXPECT_EQ(empty.next, 1u);  // no tokens, no retry
}

}  // namespace
}  // namespace tw::aws

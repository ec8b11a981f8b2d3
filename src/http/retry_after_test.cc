#include "http/retry_after.h"

#include <gtest/gtest.h>

namespace tw::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// RFC 9110's example date, "Sun, 06 Nov 1994 08:49:37 GMT", is Unix time 784111777
// (`date -u -d "Sun, 06 Nov 1994 08:49:37 GMT" +%s`).
const Clock::WallTime kRfcExample{seconds(784111777)};

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kRfcExample), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter("0", kRfcExample), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter(" 5 ", kRfcExample), milliseconds(5'000));
}

TEST(RetryAfterTest, HugeSecondsAreCappedAtOneDay) {
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", kRfcExample), milliseconds(86'400'000));
}

TEST(RetryAfterTest, InvalidValues) {
  EXPECT_EQ(ParseRetryAfter("", kRfcExample), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1", kRfcExample), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", kRfcExample), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kRfcExample), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 UTC", kRfcExample), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Foo 1994 08:49:37 GMT", kRfcExample), std::nullopt);
  // The obsolete RFC 850 and asctime forms are not accepted.
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kRfcExample), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kRfcExample), std::nullopt);
}

TEST(RetryAfterTest, HttpDateRelativeToNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", kRfcExample), milliseconds(30'000));
  // One day and one hour later (crosses a month? no: Nov 7).
  EXPECT_EQ(ParseRetryAfter("Mon, 07 Nov 1994 09:49:37 GMT", kRfcExample),
            milliseconds(86'400'000));  // 25 h, capped at one day
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExample), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Sat, 05 Nov 1994 08:49:37 GMT", kRfcExample), milliseconds(0));
}

TEST(RetryAfterTest, HttpDateAcrossYearAndLeapDay) {
  // 2024-02-29 00:00:00 UTC is 1709164800; 2025-01-01 00:00:00 UTC is 1735689600.
  EXPECT_EQ(ParseRetryAfter("Thu, 29 Feb 2024 00:00:10 GMT", Clock::WallTime(seconds(1709164800))),
            milliseconds(10'000));
  EXPECT_EQ(
      ParseRetryAfter("Wed, 01 Jan 2025 00:01:00 GMT", Clock::WallTime(seconds(1735689600 - 60))),
      milliseconds(120'000));
}

}  // namespace
}  // namespace tw::http

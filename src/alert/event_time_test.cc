#include "alert/event_time.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

int64_t Unix(const std::string& s) {
  auto t = ParseEventTime(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t ? t->time_since_epoch().count() : -1;
}

TEST(ParseEventTime, CloudTrailForm) {
  EXPECT_EQ(Unix("1970-01-01T00:00:00Z"), 0);
  // 2026-12-05T03:00:00Z = 1796439600 (date -u -d 2026-12-05T03:00:00Z +%s).
  EXPECT_EQ(Unix("2026-12-05T03:00:00Z"), 1796439600);
  EXPECT_EQ(Unix("2024-02-29T23:59:59Z"), 1709251199);
  EXPECT_EQ(Unix("2026-12-05T03:00:00.123Z"), 1796439600);
  EXPECT_EQ(Unix("2026-12-05T12:00:00+09:00"), 1796439600);
  EXPECT_EQ(Unix("2026-12-04T22:00:00-05:00"), 1796439600);
  EXPECT_EQ(FormatEventTime(*ParseEventTime("2026-12-05T12:00:00+09:00")), "2026-12-05T03:00:00Z");
}

TEST(ParseEventTime, Rejects) {
  for (const char* bad :
       {"", "2026-12-05", "2026-12-05T03:00:00", "2026-12-05 03:00:00Z", "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-12-05T24:00:00Z", "2026-12-05T03:00:00Zjunk",
        "2024-06-02 19:41:40.000000000", "2026-12-05T03:00:00.Z", "２026-12-05T03:00:00Z"}) {
    auto t = ParseEventTime(bad);
    EXPECT_FALSE(t.has_value()) << bad;
    if (!t) {
      EXPECT_EQ(t.error().code, ErrorCode::kParse);
    }
  }
}

TEST(TimeZone, SeoulIsUtcPlusNine) {
  auto zone = TimeZone::Create("Asia/Seoul");
  ASSERT_TRUE(zone.has_value());
  // Mon 2026-11-30 23:00:00 UTC = Tue 2026-12-01 08:00:00 KST.
  const LocalTime t = zone->ToLocal(*ParseEventTime("2026-11-30T23:00:00Z"));
  EXPECT_EQ(t.date, "2026-12-01");
  EXPECT_EQ(t.iso_weekday, 2);
  EXPECT_EQ(t.minute_of_day, 8 * 60);
  EXPECT_EQ(t.previous_date, "2026-11-30");
  EXPECT_EQ(t.previous_iso_weekday, 1);
  EXPECT_EQ(zone->Format(*ParseEventTime("2026-12-01T09:41:10Z")), "2026-12-01 18:41:10 KST");
}

TEST(TimeZone, DaylightSavingTime) {
  auto zone = TimeZone::Create("America/New_York");
  ASSERT_TRUE(zone.has_value());
  // EST (UTC-5) in January, EDT (UTC-4) in July.
  EXPECT_EQ(zone->Format(*ParseEventTime("2026-01-15T17:00:00Z")), "2026-01-15 12:00:00 EST");
  EXPECT_EQ(zone->Format(*ParseEventTime("2026-07-15T17:00:00Z")), "2026-07-15 13:00:00 EDT");
}

TEST(TimeZone, UtcWithoutTheDatabase) {
  // "UTC" and "Etc/UTC" take a path that reads no tz file; they must see what the database's
  // own UTC zone (here its alias Etc/Universal, which goes through the database) sees.
  // Mon 2026-11-30 23:00:00 UTC; 2024-02-29 is a leap day, the day before is the 28th.
  for (const char* name : {"UTC", "Etc/UTC", "Etc/Universal"}) {
    auto zone = TimeZone::Create(name);
    ASSERT_TRUE(zone.has_value()) << name;
    EXPECT_EQ(zone->name(), name);
    const LocalTime t = zone->ToLocal(*ParseEventTime("2026-11-30T23:00:00Z"));
    EXPECT_EQ(t.year, 2026);
    EXPECT_EQ(t.month, 11);
    EXPECT_EQ(t.day, 30);
    EXPECT_EQ(t.date, "2026-11-30");
    EXPECT_EQ(t.iso_weekday, 1) << name;
    EXPECT_EQ(t.minute_of_day, 23 * 60);
    EXPECT_EQ(t.previous_date, "2026-11-29");
    EXPECT_EQ(t.previous_iso_weekday, 7);
    const LocalTime leap = zone->ToLocal(*ParseEventTime("2024-03-01T00:00:05Z"));
    EXPECT_EQ(leap.previous_date, "2024-02-29");
    EXPECT_EQ(leap.second, 5);
    EXPECT_EQ(zone->Format(*ParseEventTime("2026-12-01T09:41:10Z")), "2026-12-01 09:41:10 UTC")
        << name;
    EXPECT_EQ(zone->Format(*ParseEventTime("2024-02-29T23:59:59Z")), "2024-02-29 23:59:59 UTC");
    EXPECT_EQ(zone->Format(*ParseEventTime("2027-01-01T00:00:00Z")), "2027-01-01 00:00:00 UTC");
    EXPECT_EQ(zone->Format(*ParseEventTime("0999-03-04T05:06:07Z")), "0999-03-04 05:06:07 UTC");
  }
}

TEST(TimeZone, Unknown) {
  EXPECT_EQ(TimeZone::Create("Asia/Atlantis").error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(TimeZone::Create("").has_value());
}

}  // namespace
}  // namespace tw::alert

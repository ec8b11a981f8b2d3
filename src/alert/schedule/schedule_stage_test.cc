#include "alert/schedule/schedule_stage.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

// The seed's working hours: Mon-Fri 08:00 up to 22:00, Asia/Seoul (UTC+9, no DST), with
// 2026-12-25 (a Friday) a holiday. Expected values are computed by hand: local = UTC + 9 h.
rules::GlobalPolicy Seoul() {
  rules::GlobalPolicy g;
  g.timezone = "Asia/Seoul";
  g.business_hours.holidays = {"2026-12-25"};
  return g;
}

Alert At(const std::string& event_time, const std::string& rule = "r") {
  Alert a;
  a.rule_id = rule;
  a.event_time = event_time;
  a.event_id = event_time;
  return a;
}

// Runs one alert through a stage with `schedule` and says whether it was kept.
bool Kept(const rules::GlobalPolicy& g, rules::Schedule schedule, const std::string& t) {
  rules::RulePolicy p;
  p.schedule = schedule;
  auto stage = ScheduleStage::Create(g, PolicyTable::Uniform(p));
  EXPECT_TRUE(stage.has_value());
  std::vector<Alert> alerts{At(t)};
  FakeClock clock;
  EXPECT_TRUE((*stage)->Process(alerts, StageContext{clock, nullptr}).has_value());
  return alerts.size() == 1;
}

bool Outside(const std::string& t) {
  return Kept(Seoul(), rules::Schedule::kOutsideBusinessHours, t);
}
bool Inside(const std::string& t) {
  return Kept(Seoul(), rules::Schedule::kInsideBusinessHours, t);
}

TEST(ScheduleStage, MorningBoundaryInSeoul) {
  // Tue 2026-12-01 07:59:59 KST = Mon 2026-11-30 22:59:59 UTC: before opening.
  EXPECT_TRUE(Outside("2026-11-30T22:59:59Z"));
  EXPECT_FALSE(Inside("2026-11-30T22:59:59Z"));
  // Tue 08:00:00 KST = Mon 23:00:00 UTC: open (start is inclusive).
  EXPECT_FALSE(Outside("2026-11-30T23:00:00Z"));
  EXPECT_TRUE(Inside("2026-11-30T23:00:00Z"));
}

TEST(ScheduleStage, EveningBoundaryInSeoul) {
  // Tue 21:59:59 KST = 12:59:59 UTC: still open.
  EXPECT_FALSE(Outside("2026-12-01T12:59:59Z"));
  EXPECT_TRUE(Inside("2026-12-01T12:59:59Z"));
  // Tue 22:00:00 KST = 13:00:00 UTC: closed (end is exclusive).
  EXPECT_TRUE(Outside("2026-12-01T13:00:00Z"));
  EXPECT_FALSE(Inside("2026-12-01T13:00:00Z"));
}

TEST(ScheduleStage, UsesTheLocalDateNotTheUtcDate) {
  // Fri 2026-12-04 15:30 UTC is Sat 00:30 KST: outside, although 15:30 on a Friday would be
  // inside in UTC.
  EXPECT_TRUE(Outside("2026-12-04T15:30:00Z"));
  // Mon 2026-11-30 23:30 UTC is Tue 08:30 KST: inside, although 23:30 UTC is late evening.
  EXPECT_TRUE(Inside("2026-11-30T23:30:00Z"));
}

TEST(ScheduleStage, Weekend) {
  // Sat 2026-12-05 10:00 KST = 01:00 UTC; Sun 2026-12-06 15:00 KST = 06:00 UTC.
  EXPECT_TRUE(Outside("2026-12-05T01:00:00Z"));
  EXPECT_TRUE(Outside("2026-12-06T06:00:00Z"));
  // Fri 2026-12-04 21:00 KST = 12:00 UTC: a working Friday evening.
  EXPECT_TRUE(Inside("2026-12-04T12:00:00Z"));
}

TEST(ScheduleStage, Holiday) {
  // Fri 2026-12-25 10:00 KST = 01:00 UTC: a holiday, so outside.
  EXPECT_TRUE(Outside("2026-12-25T01:00:00Z"));
  // Thu 2026-12-24 10:00 KST: a normal day.
  EXPECT_TRUE(Inside("2026-12-24T01:00:00Z"));
  // The holiday is a local date: 2026-12-24T20:00Z is already Fri 05:00 KST on the 25th,
  // outside anyway; 2026-12-25T14:59:59Z is Fri 23:59:59 KST, still the holiday.
  EXPECT_TRUE(Outside("2026-12-25T14:59:59Z"));
}

TEST(ScheduleStage, PeriodAcrossMidnight) {
  // A night shift: Mon-Fri 22:00 up to 06:00 the next morning, Seoul.
  rules::GlobalPolicy g = Seoul();
  g.business_hours.start_minute = 22 * 60;
  g.business_hours.end_minute = 6 * 60;
  auto inside = [&](const std::string& t) {
    return Kept(g, rules::Schedule::kInsideBusinessHours, t);
  };
  EXPECT_FALSE(inside("2026-12-04T12:59:59Z"));  // Fri 21:59:59 KST
  EXPECT_TRUE(inside("2026-12-04T13:00:00Z"));   // Fri 22:00:00 KST
  EXPECT_TRUE(inside("2026-12-04T14:30:00Z"));   // Fri 23:30 KST
  EXPECT_TRUE(inside("2026-12-04T20:59:59Z"));   // Sat 05:59:59 KST: Friday's shift
  EXPECT_FALSE(inside("2026-12-04T21:00:00Z"));  // Sat 06:00:00 KST
  EXPECT_FALSE(inside("2026-12-05T14:00:00Z"));  // Sat 23:00 KST: no shift starts Saturday
  EXPECT_FALSE(inside("2026-11-29T16:00:00Z"));  // Mon 01:00 KST: Sunday started no shift
  EXPECT_TRUE(inside("2026-11-30T16:00:00Z"));   // Tue 01:00 KST: Monday's shift
  // Thu 2026-12-24 22:00 KST starts a shift; the 25th (holiday) starts none.
  EXPECT_TRUE(inside("2026-12-24T19:00:00Z"));   // Fri 25th 04:00 KST: Thursday's shift
  EXPECT_FALSE(inside("2026-12-25T13:30:00Z"));  // Fri 25th 22:30 KST: holiday, no shift
  EXPECT_FALSE(inside("2026-12-25T16:00:00Z"));  // Sat 26th 01:00 KST: the holiday's shift
}

TEST(ScheduleStage, AlwaysPassesEverything) {
  EXPECT_TRUE(Kept(Seoul(), rules::Schedule::kAlways, "2026-12-01T03:00:00Z"));
  EXPECT_TRUE(Kept(Seoul(), rules::Schedule::kAlways, "not a time"));
}

TEST(ScheduleStage, UnparseableEventTimeIsKeptAndFlagged) {
  rules::RulePolicy p;
  p.schedule = rules::Schedule::kOutsideBusinessHours;
  auto stage = ScheduleStage::Create(Seoul(), PolicyTable::Uniform(p));
  ASSERT_TRUE(stage.has_value());
  std::vector<Alert> alerts{At("yesterday"), At("2026-12-01T03:00:00Z"), At("")};
  FakeClock clock;
  ASSERT_TRUE((*stage)->Process(alerts, StageContext{clock, nullptr}).has_value());
  ASSERT_EQ(alerts.size(), 2u);  // 12:00 KST Tuesday is inside: dropped
  EXPECT_EQ(alerts[0].event_time, "yesterday");
  ASSERT_EQ(alerts[0].notes.size(), 1u);
  EXPECT_NE(alerts[0].notes[0].find("fail open"), std::string::npos);
  EXPECT_EQ(alerts[1].event_time, "");
  EXPECT_EQ((*stage)->dropped(), 1u);
}

TEST(ScheduleStage, NeverLooksAtTheClock) {
  // The clock says Saturday 03:00 UTC; the event is Tuesday 10:00 KST (01:00 UTC).
  rules::RulePolicy p;
  p.schedule = rules::Schedule::kOutsideBusinessHours;
  auto stage = ScheduleStage::Create(Seoul(), PolicyTable::Uniform(p));
  ASSERT_TRUE(stage.has_value());
  FakeClock clock(Clock::WallTime(std::chrono::seconds(1796439600)));  // 2026-12-05T03:00:00Z
  std::vector<Alert> alerts{At("2026-12-01T01:00:00Z")};
  ASSERT_TRUE((*stage)->Process(alerts, StageContext{clock, nullptr}).has_value());
  EXPECT_TRUE(alerts.empty());
}

TEST(ScheduleStage, PerRulePolicyAndSuppressedAlertsPassUntouched) {
  rules::RulePolicy outside;
  outside.schedule = rules::Schedule::kOutsideBusinessHours;
  auto table = PolicyTable::Create({}, {{"auth", outside}});
  ASSERT_TRUE(table.has_value());
  auto stage = ScheduleStage::Create(Seoul(), *table);
  ASSERT_TRUE(stage.has_value());
  // Tue 10:00 KST: inside business hours.
  std::vector<Alert> alerts{At("2026-12-01T01:00:00Z", "auth"), At("2026-12-01T01:00:00Z", "other"),
                            At("2026-12-01T01:00:00Z", "auth")};
  alerts[2].suppressed = true;
  FakeClock clock;
  ASSERT_TRUE((*stage)->Process(alerts, StageContext{clock, nullptr}).has_value());
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].rule_id, "other");
  EXPECT_TRUE(alerts[1].suppressed);
}

TEST(ScheduleStage, RejectsBadConfig) {
  rules::GlobalPolicy g = Seoul();
  g.timezone = "Mars/Olympus_Mons";
  EXPECT_EQ(ScheduleStage::Create(g, PolicyTable::Uniform({})).error().code,
            ErrorCode::kInvalidArgument);
  g = Seoul();
  g.business_hours.holidays = {"2026-02-30"};
  EXPECT_FALSE(ScheduleStage::Create(g, PolicyTable::Uniform({})).has_value());
  g = Seoul();
  g.business_hours.days = {0};
  EXPECT_FALSE(ScheduleStage::Create(g, PolicyTable::Uniform({})).has_value());
}

}  // namespace
}  // namespace tw::alert

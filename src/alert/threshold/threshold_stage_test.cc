#include "alert/threshold/threshold_stage.h"

#include <gtest/gtest.h>

#include "alert/testing/fake_window_store.h"

namespace tw::alert {
namespace {

Alert Failure(const std::string& ip, const std::string& time, const std::string& id = "") {
  Alert a;
  a.rule_id = "console-login-failure";
  a.event_id = id.empty() ? ip + "@" + time : id;
  a.event_time = time;
  a.record_json = R"({"eventName":"ConsoleLogin","sourceIPAddress":")" + ip + R"("})";
  return a;
}

// 5 console sign-in failures from one IP within 10 minutes.
class ThresholdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules::RulePolicy p;
    p.threshold.count = 5;
    p.threshold.window = std::chrono::minutes(10);
    p.threshold.group_by = {"sourceIPAddress"};
    stage = ThresholdStage::Create(PolicyTable::Uniform(p));
  }
  std::vector<Alert> Run(std::vector<Alert> alerts) {
    EXPECT_TRUE(stage->Process(alerts, StageContext{clock, &store}).has_value());
    return alerts;
  }
  FakeClock clock;
  testing::FakeWindowStore store;
  std::unique_ptr<ThresholdStage> stage;
};

TEST_F(ThresholdTest, FiresOnceWhenTheCountIsReached) {
  const std::string ip = "203.0.113.9";
  std::vector<Alert> in;
  for (int m : {0, 2, 4, 6})
    in.push_back(Failure(ip, "2026-12-01T01:0" + std::to_string(m) + ":00Z"));
  EXPECT_TRUE(Run(in).empty());  // 4 of 5: held
  auto out = Run({Failure(ip, "2026-12-01T01:09:59Z")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].threshold_count, 5u);
  EXPECT_EQ(out[0].event_time, "2026-12-01T01:09:59Z");  // carried by the 5th event
  // Then it starts again: the 6th..9th are held, the 10th fires again.
  std::vector<Alert> more;
  for (int s = 10; s < 14; ++s)
    more.push_back(Failure(ip, "2026-12-01T01:" + std::to_string(s) + ":00Z"));
  EXPECT_TRUE(Run(more).empty());
  auto again = Run({Failure(ip, "2026-12-01T01:14:00Z")});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].threshold_count, 5u);
  EXPECT_EQ(stage->held(), 8u);
}

TEST_F(ThresholdTest, EventsSpreadWiderThanTheWindowNeverFire) {
  const std::string ip = "203.0.113.9";
  // One failure every 2.5 minutes: any 5 consecutive span exactly 10 minutes, which is not
  // "within" 10 minutes.
  std::vector<Alert> in;
  for (const char* t :
       {"01:00:00", "01:02:30", "01:05:00", "01:07:30", "01:10:00", "01:12:30", "01:15:00"}) {
    in.push_back(Failure(ip, std::string("2026-12-01T") + t + "Z"));
  }
  EXPECT_TRUE(Run(in).empty());
}

TEST_F(ThresholdTest, GroupsAreCountedApart) {
  std::vector<Alert> in;
  for (int m = 0; m < 4; ++m) {
    in.push_back(Failure("198.51.100.1", "2026-12-01T01:0" + std::to_string(m) + ":00Z"));
    in.push_back(Failure("198.51.100.2", "2026-12-01T01:0" + std::to_string(m) + ":30Z"));
  }
  EXPECT_TRUE(Run(in).empty());  // 4 + 4
  auto out = Run({Failure("198.51.100.2", "2026-12-01T01:05:00Z")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].record_json.find("198.51.100.2"), std::string::npos);
}

TEST_F(ThresholdTest, MeasuredInEventTimeInAnyArrivalOrder) {
  const std::string ip = "203.0.113.9";
  // Arrival order differs from event order (CloudTrail files are not ordered), and the clock
  // moves an hour between files; the five events still lie within 10 minutes of each other.
  EXPECT_TRUE(
      Run({Failure(ip, "2026-12-01T01:08:00Z"), Failure(ip, "2026-12-01T01:01:00Z")}).empty());
  clock.Advance(std::chrono::minutes(50));
  EXPECT_TRUE(
      Run({Failure(ip, "2026-12-01T01:05:00Z"), Failure(ip, "2026-12-01T01:00:30Z")}).empty());
  auto out = Run({Failure(ip, "2026-12-01T01:03:00Z")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].threshold_count, 5u);
}

TEST_F(ThresholdTest, OldEventsFallOutOfTheSlidingWindow) {
  const std::string ip = "203.0.113.9";
  EXPECT_TRUE(Run({Failure(ip, "2026-12-01T01:00:00Z"), Failure(ip, "2026-12-01T01:01:00Z"),
                   Failure(ip, "2026-12-01T01:02:00Z"), Failure(ip, "2026-12-01T01:11:00Z"),
                   Failure(ip, "2026-12-01T01:12:00Z"), Failure(ip, "2026-12-01T01:13:00Z")})
                  .empty());
  // 01:11..01:13 (3) + 01:14 + 01:15 = 5 within 10 minutes.
  EXPECT_TRUE(Run({Failure(ip, "2026-12-01T01:14:00Z")}).empty());
  EXPECT_EQ(Run({Failure(ip, "2026-12-01T01:15:00Z")}).size(), 1u);
}

TEST_F(ThresholdTest, CountSurvivesARestart) {
  const std::string ip = "203.0.113.9";
  EXPECT_TRUE(Run({Failure(ip, "2026-12-01T01:00:00Z"), Failure(ip, "2026-12-01T01:01:00Z"),
                   Failure(ip, "2026-12-01T01:02:00Z"), Failure(ip, "2026-12-01T01:03:00Z")})
                  .empty());
  rules::RulePolicy p;
  p.threshold.count = 5;
  p.threshold.window = std::chrono::minutes(10);
  p.threshold.group_by = {"sourceIPAddress"};
  stage = ThresholdStage::Create(PolicyTable::Uniform(p));  // a new process, the same store
  EXPECT_EQ(Run({Failure(ip, "2026-12-01T01:04:00Z")}).size(), 1u);
}

TEST_F(ThresholdTest, RulesWithoutThresholdAndSuppressedAlertsPass) {
  rules::RulePolicy three;
  three.threshold.count = 3;
  three.threshold.window = std::chrono::minutes(1);
  auto table = PolicyTable::Create({}, {{"a", three}});
  ASSERT_TRUE(table.has_value());
  stage = ThresholdStage::Create(*table);
  Alert b = Failure("1.1.1.1", "2026-12-01T01:00:00Z");
  b.rule_id = "b";
  Alert a = Failure("1.1.1.1", "2026-12-01T01:00:00Z");
  a.rule_id = "a";
  Alert suppressed = a;
  suppressed.suppressed = true;
  auto out = Run({b, a, suppressed});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule_id, "b");
  EXPECT_TRUE(out[1].suppressed);
}

TEST_F(ThresholdTest, UnparseableTimePassesUncounted) {
  auto out = Run({Failure("1.1.1.1", "n/a")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].threshold_count, 0u);
  EXPECT_FALSE(out[0].notes.empty());
}

}  // namespace
}  // namespace tw::alert

#include "alert/dedupe/dedupe_stage.h"

#include <gtest/gtest.h>

#include "alert/alert_id.h"
#include "alert/testing/fake_window_store.h"

namespace tw::alert {
namespace {

Alert Event(const std::string& id, const std::string& time, const std::string& actor = "alice",
            const std::string& ip = "198.51.100.7") {
  Alert a;
  a.rule_id = "authorization-failure";
  a.event_id = id;
  a.event_name = "DescribeInstances";
  a.account_id = "111122223333";
  a.actor = actor;
  a.event_time = time;
  a.record_json = R"({"eventID":")" + id + R"(","sourceIPAddress":")" + ip +
                  R"(","requestParameters":{"bucketName":"b1"}})";
  return a;
}

class DedupeTest : public ::testing::Test {
 protected:
  std::unique_ptr<DedupeStage> Make(rules::DedupePolicy dedupe = {}) {
    rules::RulePolicy p;
    p.dedupe = std::move(dedupe);
    auto stage = DedupeStage::Create(PolicyTable::Uniform(p));
    EXPECT_TRUE(stage.has_value());
    return std::move(*stage);
  }
  std::vector<Alert> Run(DedupeStage& stage, std::vector<Alert> alerts) {
    EXPECT_TRUE(stage.Process(alerts, StageContext{clock, &store}).has_value());
    return alerts;
  }
  FakeClock clock;
  testing::FakeWindowStore store;
};

TEST_F(DedupeTest, DefaultKeyAndRepeatInsideTheWindow) {
  auto stage = Make();
  auto out = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z"), Event("e2", "2026-12-01T01:14:59Z"),
                          Event("e3", "2026-12-01T01:10:00Z")});
  ASSERT_EQ(out.size(), 3u);  // nothing is held back: repeats go on as repeats
  EXPECT_EQ(out[0].dedupe_key, "authorization-failure|alice|111122223333|DescribeInstances");
  EXPECT_EQ(out[0].dedupe_count, 1u);
  EXPECT_EQ(out[0].dedupe_parent_id, "");
  EXPECT_EQ(out[0].id, ComputeAlertId("authorization-failure", "e1", out[0].dedupe_key));
  EXPECT_EQ(out[1].dedupe_parent_id, out[0].id);
  EXPECT_EQ(out[1].dedupe_count, 2u);
  EXPECT_EQ(out[2].dedupe_parent_id, out[0].id);
  EXPECT_EQ(out[2].dedupe_count, 3u);
  EXPECT_NE(out[1].id, out[0].id);
  const auto& w = store.windows.at("dedupe|authorization-failure|" + out[0].dedupe_key);
  EXPECT_EQ(w.count, 3);
  EXPECT_EQ(stage->repeats(), 2u);
}

TEST_F(DedupeTest, OutsideTheWindowStartsAgain) {
  auto stage = Make();
  // 15 minutes after the first event exactly: no longer inside ("less than the window").
  auto out = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z"), Event("e2", "2026-12-01T01:15:00Z"),
                          Event("e3", "2026-12-01T01:20:00Z")});
  EXPECT_EQ(out[1].dedupe_parent_id, "");
  EXPECT_EQ(out[1].dedupe_count, 1u);
  EXPECT_EQ(out[2].dedupe_parent_id, out[1].id);  // e2 opened the new window
}

TEST_F(DedupeTest, WindowIsEventTimeNotClockTime) {
  auto stage = Make();
  Run(*stage, {Event("e1", "2026-12-01T01:00:00Z")});
  clock.Advance(std::chrono::minutes(30));  // a late file: the clock moved, the events did not
  auto out = Run(*stage, {Event("e2", "2026-12-01T01:05:00Z")});
  EXPECT_EQ(out[0].dedupe_count, 2u);
  // And a replay of old events folds them although the clock is far ahead.
  auto old =
      Run(*stage, {Event("o1", "2025-01-01T00:00:00Z"), Event("o2", "2025-01-01T00:01:00Z")});
  EXPECT_EQ(old[1].dedupe_count, 2u);
}

TEST_F(DedupeTest, DifferentKeysAreSeparate) {
  auto stage = Make();
  auto out = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z", "alice"),
                          Event("e2", "2026-12-01T01:01:00Z", "bob")});
  EXPECT_EQ(out[1].dedupe_count, 1u);
  EXPECT_EQ(out[1].dedupe_parent_id, "");
}

TEST_F(DedupeTest, KeyTemplateWithRecordPaths) {
  rules::DedupePolicy d;
  d.key = "{rule_id}/{sourceIPAddress}/{requestParameters.bucketName}/{missing.path}";
  d.window = std::chrono::minutes(5);
  auto stage = Make(d);
  auto out = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z", "alice", "10.0.0.1"),
                          Event("e2", "2026-12-01T01:01:00Z", "bob", "10.0.0.1"),
                          Event("e3", "2026-12-01T01:02:00Z", "alice", "10.0.0.2")});
  EXPECT_EQ(out[0].dedupe_key, "authorization-failure/10.0.0.1/b1/");
  EXPECT_EQ(out[1].dedupe_parent_id, out[0].id);  // another actor, same IP: a repeat
  EXPECT_EQ(out[2].dedupe_parent_id, "");
}

TEST_F(DedupeTest, DedupeOffGivesIdsWithoutKey) {
  rules::DedupePolicy d;
  d.enabled = false;
  auto stage = Make(d);
  auto out =
      Run(*stage, {Event("e1", "2026-12-01T01:00:00Z"), Event("e2", "2026-12-01T01:00:01Z")});
  EXPECT_EQ(out[1].dedupe_count, 1u);
  EXPECT_EQ(out[1].dedupe_key, "");
  EXPECT_EQ(out[0].id, ComputeAlertId("authorization-failure", "e1", ""));
  EXPECT_TRUE(store.windows.empty());
}

TEST_F(DedupeTest, ReplayedFirstAlertIsNotARepeatOfItself) {
  auto stage = Make();
  auto first = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z")});
  auto again = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z")});
  EXPECT_EQ(again[0].id, first[0].id);
  EXPECT_EQ(again[0].dedupe_parent_id, "");
}

TEST_F(DedupeTest, WindowsSurviveARestart) {
  std::string first_id;
  {
    auto stage = Make();
    first_id = Run(*stage, {Event("e1", "2026-12-01T01:00:00Z")})[0].id;
  }
  auto restarted = Make();  // a new process, the same store
  auto out = Run(*restarted, {Event("e2", "2026-12-01T01:05:00Z")});
  EXPECT_EQ(out[0].dedupe_parent_id, first_id);
  EXPECT_EQ(out[0].dedupe_count, 2u);
}

TEST_F(DedupeTest, UnparseableTimeIsNotFoldedAndStoreErrorsPropagate) {
  auto stage = Make();
  auto out = Run(*stage, {Event("e1", "garbage"), Event("e2", "garbage")});
  EXPECT_EQ(out[1].dedupe_count, 1u);
  EXPECT_FALSE(out[1].notes.empty());
  store.fail_next = true;
  std::vector<Alert> alerts{Event("e3", "2026-12-01T01:00:00Z")};
  auto r = stage->Process(alerts, StageContext{clock, &store});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST_F(DedupeTest, WorksWithoutAStateStore) {
  auto stage = Make();
  std::vector<Alert> alerts{Event("e1", "2026-12-01T01:00:00Z"),
                            Event("e2", "2026-12-01T01:00:30Z")};
  ASSERT_TRUE(stage->Process(alerts, StageContext{clock, nullptr}).has_value());
  EXPECT_EQ(alerts[1].dedupe_count, 2u);
}

TEST(DedupeStage, RejectsMalformedTemplate) {
  rules::RulePolicy p;
  p.dedupe.key = "{rule_id|{actor}";
  EXPECT_FALSE(DedupeStage::Create(PolicyTable::Uniform(p)).has_value());
  p.dedupe.key = "{}";
  EXPECT_FALSE(DedupeStage::Create(PolicyTable::Uniform(p)).has_value());
  p.dedupe.enabled = false;  // an unused template is not checked
  EXPECT_TRUE(DedupeStage::Create(PolicyTable::Uniform(p)).has_value());
}

}  // namespace
}  // namespace tw::alert

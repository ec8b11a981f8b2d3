// The dedupe and threshold windows through the real SQLite state store, on disk: a restart (a
// new store object and new stages over the same file) keeps the first alert's id and the count.
#include <gtest/gtest.h>

#include "alert/dedupe/dedupe_stage.h"
#include "alert/threshold/threshold_stage.h"
#include "state/sqlite/sqlite_state_store.h"
#include "state/state_test_util.h"

namespace tw::alert {
namespace {

Alert Failure(const std::string& id, const std::string& time) {
  Alert a;
  a.rule_id = "console-login-failure";
  a.event_id = id;
  a.event_name = "ConsoleLogin";
  a.actor = "alice";
  a.account_id = "111122223333";
  a.event_time = time;
  a.record_json = R"({"sourceIPAddress":"203.0.113.9"})";
  return a;
}

TEST(WindowsOnSqlite, DedupeAndThresholdSurviveAProcessRestart) {
  state::testing::TempDir dir;
  const std::string path = dir.File("state.db");
  FakeClock clock;
  rules::RulePolicy policy;
  policy.threshold.count = 3;
  policy.threshold.window = std::chrono::minutes(10);
  policy.threshold.group_by = {"sourceIPAddress"};
  auto table = PolicyTable::Uniform(policy);

  std::string first_id;
  {
    auto store = state::SqliteStateStore::Open(path, clock);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    auto threshold = ThresholdStage::Create(table);
    auto dedupe = DedupeStage::Create(table);
    ASSERT_TRUE(dedupe.has_value());
    const StageContext ctx{clock, store->get()};
    std::vector<Alert> alerts{Failure("e1", "2026-12-01T01:00:00Z"),
                              Failure("e2", "2026-12-01T01:01:00Z"),
                              Failure("e3", "2026-12-01T01:02:00Z"),  // the 3rd: fires
                              Failure("e4", "2026-12-01T01:03:00Z")};
    ASSERT_TRUE(threshold->Process(alerts, ctx).has_value());
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].threshold_count, 3u);
    ASSERT_TRUE((*dedupe)->Process(alerts, ctx).has_value());
    first_id = alerts[0].id;
  }
  clock.Advance(std::chrono::minutes(2));
  auto store = state::SqliteStateStore::Open(path, clock);
  ASSERT_TRUE(store.has_value());
  auto threshold = ThresholdStage::Create(table);
  auto dedupe = DedupeStage::Create(table);
  ASSERT_TRUE(dedupe.has_value());
  const StageContext ctx{clock, store->get()};
  // e4 was counted before the restart: two more reach 3 again.
  std::vector<Alert> alerts{Failure("e5", "2026-12-01T01:04:00Z"),
                            Failure("e6", "2026-12-01T01:05:00Z")};
  ASSERT_TRUE(threshold->Process(alerts, ctx).has_value());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event_id, "e6");
  ASSERT_TRUE((*dedupe)->Process(alerts, ctx).has_value());
  EXPECT_EQ(alerts[0].dedupe_parent_id, first_id);
  EXPECT_EQ(alerts[0].dedupe_count, 2u);
}

}  // namespace
}  // namespace tw::alert

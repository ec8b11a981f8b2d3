// The StateStore contract (state_store.h), checked against every implementation: the same typed
// suite runs on MemoryStateStore and on SqliteStateStore over a file in a temporary directory.
// Expected values come from the contract's text, never from an implementation's output.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "state/memory/memory_state_store.h"
#include "state/sqlite/sqlite_state_store.h"
#include "state/state_store.h"
#include "state/state_test_util.h"

namespace tw::state {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-09-21T... exactly on a second, so that created times need no rounding.
const Clock::WallTime kT0 = Clock::WallTime(seconds(1'790'000'000));

struct MemoryFactory {
  static std::unique_ptr<StateStore> Make(Clock& clock, const std::string&) {
    return std::make_unique<MemoryStateStore>(clock);
  }
};

struct SqliteFactory {
  static std::unique_ptr<StateStore> Make(Clock& clock, const std::string& dir) {
    auto store = SqliteStateStore::Open(dir + "/state.db", clock);
    EXPECT_TRUE(store.has_value()) << store.error().ToString();
    return store ? std::move(*store) : nullptr;
  }
};

NewOutboxEntry Entry(const std::string& alert_id, std::vector<std::string> sinks,
                     std::string payload = "{}") {
  NewOutboxEntry entry;
  entry.alert_id = alert_id;
  entry.rule_id = "rule-" + alert_id;
  entry.severity = "high";
  entry.payload = std::move(payload);
  entry.sinks = std::move(sinks);
  return entry;
}

std::vector<std::string> AlertIds(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> ids;
  for (const OutboxRow& row : rows) ids.push_back(row.alert_id + "@" + row.sink);
  return ids;
}

template <typename Factory>
class StateStoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Factory::Make(clock_, dir_.path());
    ASSERT_NE(store_, nullptr);
  }

  // Commits `entries` with no checkpoint, asserting success.
  void CommitEntries(const std::vector<NewOutboxEntry>& entries) {
    auto r = store_->Commit(entries, {});
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }
  // The single row for (alert_id, sink), from ListRows.
  OutboxRow RowOf(const std::string& alert_id, const std::string& sink) {
    auto rows = store_->ListRows(std::nullopt, 1000);
    EXPECT_TRUE(rows.has_value());
    for (const OutboxRow& row : *rows) {
      if (row.alert_id == alert_id && row.sink == sink) return row;
    }
    ADD_FAILURE() << "no row " << alert_id << "@" << sink;
    return {};
  }

  testing::TempDir dir_;
  FakeClock clock_{kT0};
  std::unique_ptr<StateStore> store_;
};

using Implementations = ::testing::Types<MemoryFactory, SqliteFactory>;
class FactoryNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryFactory> ? "Memory" : "Sqlite";
  }
};
TYPED_TEST_SUITE(StateStoreConformanceTest, Implementations, FactoryNames);

TYPED_TEST(StateStoreConformanceTest, MissingCheckpointIsNullopt) {
  auto value = this->store_->LoadCheckpoint("dir", "a.json.gz");
  ASSERT_TRUE(value.has_value());
  EXPECT_FALSE(value->has_value());
}

TYPED_TEST(StateStoreConformanceTest, CommitStoresRowsAndCheckpointsTogether) {
  // A payload with a NUL byte and bytes that are not UTF-8: the store keeps bytes.
  const std::string payload("{\"a\":1}\0\xff\xfe", 10);
  auto r = this->store_->Commit({Entry("A", {"slack", "webhook"}, payload), Entry("B", {"slack"})},
                                {{"dir", "incoming/a.json.gz", "done"}, {"stdin", "-", "42"}});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();

  EXPECT_EQ(this->store_->LoadCheckpoint("dir", "incoming/a.json.gz").value(), "done");
  EXPECT_EQ(this->store_->LoadCheckpoint("stdin", "-").value(), "42");
  EXPECT_EQ(this->store_->LoadCheckpoint("dir", "-").value(), std::nullopt);

  auto rows = this->store_->ListRows(std::nullopt, 100);
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  OutboxRow a_slack = this->RowOf("A", "slack");
  EXPECT_GT(a_slack.row_id, 0);
  EXPECT_EQ(a_slack.rule_id, "rule-A");
  EXPECT_EQ(a_slack.severity, "high");
  EXPECT_EQ(a_slack.payload, payload);
  EXPECT_EQ(a_slack.state, OutboxState::kPending);
  EXPECT_EQ(a_slack.attempts, 0);
  EXPECT_EQ(a_slack.created, kT0);
  EXPECT_EQ(a_slack.next_due, kT0);
  EXPECT_EQ(a_slack.delivered_at, std::nullopt);
  EXPECT_EQ(a_slack.last_error, "");
  EXPECT_EQ(a_slack.sink_ref, "");
  EXPECT_EQ(this->RowOf("A", "webhook").payload, payload);
  EXPECT_EQ(this->RowOf("B", "slack").rule_id, "rule-B");
}

TYPED_TEST(StateStoreConformanceTest, CommitAdvancesAnExistingCheckpoint) {
  ASSERT_TRUE(this->store_->Commit({}, {{"dir", "f", "100"}}).has_value());
  ASSERT_TRUE(this->store_->Commit({}, {{"dir", "f", "250"}}).has_value());
  EXPECT_EQ(this->store_->LoadCheckpoint("dir", "f").value(), "250");
  // Same key in another source is another checkpoint.
  EXPECT_EQ(this->store_->LoadCheckpoint("stdin", "f").value(), std::nullopt);
}

TYPED_TEST(StateStoreConformanceTest, ReplayedAlertIsNotEnqueuedTwice) {
  this->CommitEntries({Entry("A", {"slack"}, "first")});
  const OutboxRow first = this->RowOf("A", "slack");
  ASSERT_TRUE(this->store_->MarkDelivered(first.row_id, kT0 + seconds(1), "C1 1.0").has_value());

  // The input is replayed after a crash: the same alert again, now also for a second sink.
  this->CommitEntries({Entry("A", {"slack", "webhook"}, "second")});
  auto rows = this->store_->ListRows(std::nullopt, 100);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->size(), 2u);
  const OutboxRow again = this->RowOf("A", "slack");
  EXPECT_EQ(again.row_id, first.row_id);
  EXPECT_EQ(again.state, OutboxState::kDelivered);
  EXPECT_EQ(again.payload, "first");
  EXPECT_EQ(this->RowOf("A", "webhook").payload, "second");

  // A duplicate inside one commit is also one row.
  this->CommitEntries({Entry("B", {"slack", "slack"}), Entry("B", {"slack"})});
  EXPECT_EQ(this->store_->ListRows(std::nullopt, 100)->size(), 3u);
}

TYPED_TEST(StateStoreConformanceTest, EntryWithoutSinksCreatesNoRow) {
  this->CommitEntries({Entry("A", {})});
  EXPECT_TRUE(this->store_->ListRows(std::nullopt, 100)->empty());
}

TYPED_TEST(StateStoreConformanceTest, SuppressedEntriesAreKeptButNeverDue) {
  NewOutboxEntry suppressed = Entry("S", {"slack"});
  suppressed.suppressed = true;
  this->CommitEntries({suppressed});
  EXPECT_TRUE(this->store_->DueRows("slack", kT0 + hours(1), 10)->empty());
  EXPECT_EQ(this->store_->NextDue("slack").value(), std::nullopt);
  auto listed = this->store_->ListRows(OutboxState::kSuppressed, 10);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].alert_id, "S");
  EXPECT_EQ((*listed)[0].state, OutboxState::kSuppressed);
}

TYPED_TEST(StateStoreConformanceTest, DueRowsOrderLimitAndDueTimes) {
  this->CommitEntries({Entry("A", {"slack", "webhook"})});  // due kT0
  this->clock_.Advance(seconds(1));
  this->CommitEntries({Entry("B", {"slack"})});  // due kT0+1s
  this->clock_.Advance(seconds(1));
  this->CommitEntries({Entry("C", {"slack"})});  // due kT0+2s

  EXPECT_TRUE(this->store_->DueRows("slack", kT0 - milliseconds(1), 10)->empty());
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0, 10)),
            (std::vector<std::string>{"A@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + seconds(1), 10)),
            (std::vector<std::string>{"A@slack", "B@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + seconds(5), 2)),
            (std::vector<std::string>{"A@slack", "B@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + seconds(5), 10)),
            (std::vector<std::string>{"A@slack", "B@slack", "C@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->DueRows("webhook", kT0 + seconds(5), 10)),
            (std::vector<std::string>{"A@webhook"}));
  EXPECT_TRUE(this->store_->DueRows("stdout", kT0 + seconds(5), 10)->empty());
  EXPECT_TRUE(this->store_->DueRows("slack", kT0 + seconds(5), 0)->empty());

  // A rescheduled row goes behind the rows due before it.
  const int64_t a = this->RowOf("A", "slack").row_id;
  ASSERT_TRUE(this->store_->Reschedule(a, kT0 + seconds(10), "HTTP 503").has_value());
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + seconds(9), 10)),
            (std::vector<std::string>{"B@slack", "C@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + seconds(10), 10)),
            (std::vector<std::string>{"B@slack", "C@slack", "A@slack"}));
  // Equal due times fall back to insertion order.
  const int64_t b = this->RowOf("B", "slack").row_id;
  const int64_t c = this->RowOf("C", "slack").row_id;
  ASSERT_TRUE(this->store_->Reschedule(c, kT0 + seconds(20), "x").has_value());
  ASSERT_TRUE(this->store_->Reschedule(b, kT0 + seconds(20), "x").has_value());
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + seconds(20), 10)),
            (std::vector<std::string>{"A@slack", "B@slack", "C@slack"}));
}

TYPED_TEST(StateStoreConformanceTest, TimesAreFlooredToTheMillisecond) {
  this->clock_.Advance(std::chrono::microseconds(1500));  // kT0 + 1.5 ms
  this->CommitEntries({Entry("A", {"slack"})});
  const OutboxRow row = this->RowOf("A", "slack");
  EXPECT_EQ(row.created, kT0 + milliseconds(1));
  // Due at kT0+1ms: a `now` of kT0+1.2ms is the same millisecond.
  EXPECT_EQ(this->store_->DueRows("slack", kT0 + std::chrono::microseconds(1200), 10)->size(), 1u);
  ASSERT_TRUE(this->store_->MarkDelivered(row.row_id, kT0 + std::chrono::microseconds(2999), "r")
                  .has_value());
  EXPECT_EQ(this->RowOf("A", "slack").delivered_at, kT0 + milliseconds(2));
}

TYPED_TEST(StateStoreConformanceTest, NextDueIsTheEarliestPendingRow) {
  EXPECT_EQ(this->store_->NextDue("slack").value(), std::nullopt);
  this->CommitEntries({Entry("A", {"slack"})});
  this->clock_.Advance(seconds(3));
  this->CommitEntries({Entry("B", {"slack"})});
  EXPECT_EQ(this->store_->NextDue("slack").value(), kT0);
  ASSERT_TRUE(this->store_->Reschedule(this->RowOf("A", "slack").row_id, kT0 + minutes(1), "429")
                  .has_value());
  EXPECT_EQ(this->store_->NextDue("slack").value(), kT0 + seconds(3));
  ASSERT_TRUE(this->store_->MarkDelivered(this->RowOf("B", "slack").row_id, kT0 + seconds(4), "")
                  .has_value());
  EXPECT_EQ(this->store_->NextDue("slack").value(), kT0 + minutes(1));
  EXPECT_EQ(this->store_->NextDue("webhook").value(), std::nullopt);
}

TYPED_TEST(StateStoreConformanceTest, MarkDeliveredRecordsTheSinkRef) {
  this->CommitEntries({Entry("A", {"slack", "webhook"})});
  const int64_t id = this->RowOf("A", "slack").row_id;
  EXPECT_EQ(this->store_->DeliveredRef("A", "slack").value(), std::nullopt);  // still pending
  ASSERT_TRUE(
      this->store_->MarkDelivered(id, kT0 + seconds(2), "C0123 1700000000.000100").has_value());

  const OutboxRow row = this->RowOf("A", "slack");
  EXPECT_EQ(row.state, OutboxState::kDelivered);
  EXPECT_EQ(row.delivered_at, kT0 + seconds(2));
  EXPECT_EQ(row.sink_ref, "C0123 1700000000.000100");
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(this->store_->DeliveredRef("A", "slack").value(), "C0123 1700000000.000100");
  EXPECT_EQ(this->store_->DeliveredRef("A", "webhook").value(), std::nullopt);
  EXPECT_EQ(this->store_->DeliveredRef("Z", "slack").value(), std::nullopt);
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + hours(1), 10)),
            std::vector<std::string>{});

  // Only pending rows can change.
  auto again = this->store_->MarkDelivered(id, kT0 + seconds(3), "other");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->DeliveredRef("A", "slack").value(), "C0123 1700000000.000100");
  auto missing = this->store_->MarkDelivered(id + 1000, kT0, "");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->Reschedule(id, kT0, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(this->store_->MarkFailed(id, "x").error().code, ErrorCode::kNotFound);
}

TYPED_TEST(StateStoreConformanceTest, RescheduleCountsAttempts) {
  this->CommitEntries({Entry("A", {"slack"})});
  const int64_t id = this->RowOf("A", "slack").row_id;
  ASSERT_TRUE(this->store_->Reschedule(id, kT0 + seconds(1), "HTTP 500").has_value());
  ASSERT_TRUE(this->store_->Reschedule(id, kT0 + seconds(3), "HTTP 429").has_value());
  const OutboxRow row = this->RowOf("A", "slack");
  EXPECT_EQ(row.state, OutboxState::kPending);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_EQ(row.next_due, kT0 + seconds(3));
  EXPECT_EQ(row.last_error, "HTTP 429");
  EXPECT_EQ(row.created, kT0);
}

TYPED_TEST(StateStoreConformanceTest, MarkFailedThenRetry) {
  this->CommitEntries(
      {Entry("A", {"slack", "webhook"}), Entry("B", {"slack"}), Entry("C", {"slack"})});
  const int64_t a_slack = this->RowOf("A", "slack").row_id;
  ASSERT_TRUE(this->store_->Reschedule(a_slack, kT0 + seconds(1), "HTTP 500").has_value());
  ASSERT_TRUE(this->store_->MarkFailed(a_slack, "HTTP 404 no_service").has_value());
  ASSERT_TRUE(this->store_->MarkFailed(this->RowOf("A", "webhook").row_id, "HTTP 410").has_value());
  ASSERT_TRUE(this->store_->MarkFailed(this->RowOf("B", "slack").row_id, "HTTP 400").has_value());

  OutboxRow failed = this->RowOf("A", "slack");
  EXPECT_EQ(failed.state, OutboxState::kFailed);
  EXPECT_EQ(failed.attempts, 2);
  EXPECT_EQ(failed.last_error, "HTTP 404 no_service");
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + hours(1), 10)),
            (std::vector<std::string>{"C@slack"}));
  EXPECT_EQ(this->store_->ListRows(OutboxState::kFailed, 10)->size(), 3u);

  // Retry one alert: both of its failed rows, due at the given time, attempts reset.
  EXPECT_EQ(this->store_->Retry("A", kT0 + minutes(5)).value(), 2);
  OutboxRow retried = this->RowOf("A", "slack");
  EXPECT_EQ(retried.state, OutboxState::kPending);
  EXPECT_EQ(retried.next_due, kT0 + minutes(5));
  EXPECT_EQ(retried.attempts, 0);
  EXPECT_EQ(retried.last_error, "HTTP 404 no_service");
  EXPECT_EQ(this->RowOf("B", "slack").state, OutboxState::kFailed);
  EXPECT_EQ(this->store_->Retry("C", kT0).value(), 0);  // C is pending, not failed
  EXPECT_EQ(this->store_->Retry("nope", kT0).value(), 0);
  // Retry everything failed.
  EXPECT_EQ(this->store_->Retry("", kT0 + minutes(6)).value(), 1);
  EXPECT_TRUE(this->store_->ListRows(OutboxState::kFailed, 10)->empty());
  EXPECT_EQ(AlertIds(*this->store_->DueRows("slack", kT0 + minutes(6), 10)),
            (std::vector<std::string>{"C@slack", "A@slack", "B@slack"}));
}

TYPED_TEST(StateStoreConformanceTest, ListRowsByStateNewestFirst) {
  this->CommitEntries(
      {Entry("A", {"slack"}), Entry("B", {"slack"}), Entry("C", {"slack"}), Entry("D", {"slack"})});
  ASSERT_TRUE(this->store_->MarkDelivered(this->RowOf("B", "slack").row_id, kT0, "").has_value());
  ASSERT_TRUE(this->store_->MarkDelivered(this->RowOf("D", "slack").row_id, kT0, "").has_value());
  EXPECT_EQ(AlertIds(*this->store_->ListRows(std::nullopt, 10)),
            (std::vector<std::string>{"D@slack", "C@slack", "B@slack", "A@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->ListRows(std::nullopt, 3)),
            (std::vector<std::string>{"D@slack", "C@slack", "B@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->ListRows(OutboxState::kDelivered, 10)),
            (std::vector<std::string>{"D@slack", "B@slack"}));
  EXPECT_EQ(AlertIds(*this->store_->ListRows(OutboxState::kPending, 1)),
            (std::vector<std::string>{"C@slack"}));
  EXPECT_TRUE(this->store_->ListRows(OutboxState::kFailed, 10)->empty());
}

TYPED_TEST(StateStoreConformanceTest, PruneHistoryKeepsPendingRows) {
  this->CommitEntries({Entry("old-delivered", {"slack"}), Entry("old-failed", {"slack"}),
                       Entry("old-pending", {"slack"})});
  NewOutboxEntry old_suppressed = Entry("old-suppressed", {"slack"});
  old_suppressed.suppressed = true;
  this->CommitEntries({old_suppressed});
  ASSERT_TRUE(this->store_->MarkDelivered(this->RowOf("old-delivered", "slack").row_id, kT0, "")
                  .has_value());
  ASSERT_TRUE(
      this->store_->MarkFailed(this->RowOf("old-failed", "slack").row_id, "404").has_value());
  this->clock_.Advance(hours(1));
  this->CommitEntries({Entry("new-delivered", {"slack"})});
  const int64_t newest = this->RowOf("new-delivered", "slack").row_id;
  ASSERT_TRUE(this->store_->MarkDelivered(newest, kT0 + hours(1), "").has_value());

  // Rows created exactly at the cut are kept (created < older_than is pruned).
  EXPECT_EQ(this->store_->PruneHistory(kT0).value(), 0);
  EXPECT_EQ(this->store_->PruneHistory(kT0 + minutes(30)).value(), 3);
  EXPECT_EQ(AlertIds(*this->store_->ListRows(std::nullopt, 10)),
            (std::vector<std::string>{"new-delivered@slack", "old-pending@slack"}));

  // Row ids are never reused, even after the newest row is pruned.
  EXPECT_EQ(this->store_->PruneHistory(kT0 + hours(2)).value(), 1);
  this->CommitEntries({Entry("later", {"slack"})});
  EXPECT_GT(this->RowOf("later", "slack").row_id, newest);
}

TYPED_TEST(StateStoreConformanceTest, WindowsGetPutAndExpire) {
  EXPECT_EQ(this->store_->GetWindow("k", kT0).value(), std::nullopt);
  Window window;
  window.key = "dedupe|rule|alice|123456789012|ConsoleLogin";
  window.count = 1;
  window.start = kT0;
  window.expires = kT0 + minutes(15);
  window.data = std::string("first\0ref", 9);
  ASSERT_TRUE(this->store_->PutWindow(window).has_value());

  this->clock_.Advance(minutes(5));
  auto got = this->store_->GetWindow(window.key, this->clock_.Now());
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key, window.key);
  EXPECT_EQ((*got)->count, 1);
  EXPECT_EQ((*got)->start, kT0);
  EXPECT_EQ((*got)->expires, kT0 + minutes(15));
  EXPECT_EQ((*got)->data, window.data);

  // Put replaces.
  window.count = 2;
  ASSERT_TRUE(this->store_->PutWindow(window).has_value());
  EXPECT_EQ(this->store_->GetWindow(window.key, kT0 + minutes(6)).value()->count, 2);

  // Live until one millisecond before `expires`, gone at `expires`.
  EXPECT_TRUE(
      this->store_->GetWindow(window.key, kT0 + minutes(15) - milliseconds(1))->has_value());
  EXPECT_FALSE(this->store_->GetWindow(window.key, kT0 + minutes(15))->has_value());

  Window other = window;
  other.key = "threshold|1.2.3.4";
  other.expires = kT0 + minutes(20);
  ASSERT_TRUE(this->store_->PutWindow(other).has_value());
  EXPECT_EQ(this->store_->ExpireWindows(kT0 + minutes(15) - milliseconds(1)).value(), 0);
  EXPECT_EQ(this->store_->ExpireWindows(kT0 + minutes(15)).value(), 1);
  EXPECT_TRUE(this->store_->GetWindow(other.key, kT0 + minutes(15))->has_value());
  EXPECT_EQ(this->store_->ExpireWindows(kT0 + hours(1)).value(), 1);
  EXPECT_FALSE(this->store_->GetWindow(other.key, kT0)->has_value());
}

TYPED_TEST(StateStoreConformanceTest, ConcurrentCommitsFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kCommits = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kCommits; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r = this->store_->Commit({Entry(id, {"slack"})},
                                      {{"src" + std::to_string(t), "k", std::to_string(i)}});
        EXPECT_TRUE(r.has_value()) << r.error().ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(this->store_->ListRows(std::nullopt, 1000)->size(), size_t{kThreads * kCommits});
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(this->store_->LoadCheckpoint("src" + std::to_string(t), "k").value(),
              std::to_string(kCommits - 1));
  }
}

}  // namespace
}  // namespace tw::state

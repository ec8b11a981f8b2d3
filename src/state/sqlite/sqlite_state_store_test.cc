// What only the SQLite store has: a file. Schema migrations and refusals, reopening, WAL, SQLite
// errors as tw::Error, a full disk, and kill -9 during commits (the atomic Commit that the
// delivery guarantee rests on). The contract shared with the memory store is in
// state_store_conformance_test.cc.
#include "state/sqlite/sqlite_state_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "state/sqlite/migrations.h"
#include "state/state_test_util.h"

namespace tw::state {
namespace {

using std::chrono::seconds;

const Clock::WallTime kT0 = Clock::WallTime(seconds(1'790'000'000));

// A plain SQLite connection, to build and inspect files independently of the store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK) << path;
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << sql << ": " << (message ? message : "");
    sqlite3_free(message);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string value;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  }
  // The `detail` column of every row of EXPLAIN QUERY PLAN `sql`, joined.
  std::string Plan(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    EXPECT_EQ(sqlite3_prepare_v2(db_, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    return plan;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Builds a file as a trailwatch that knew only the first `version` migrations left it.
void MakeFileAtVersion(const std::string& path, int64_t version) {
  RawDb db(path);
  for (int64_t v = 0; v < version; ++v) db.Exec(sqlite::Migrations()[static_cast<size_t>(v)]);
  db.Exec("PRAGMA user_version = " + std::to_string(version));
  if (version > 0) db.Exec("PRAGMA application_id = " + std::to_string(sqlite::kApplicationId));
}

NewOutboxEntry Entry(const std::string& alert_id, std::string payload = "{}") {
  NewOutboxEntry entry;
  entry.alert_id = alert_id;
  entry.rule_id = "r";
  entry.severity = "high";
  entry.payload = std::move(payload);
  entry.sinks = {"slack"};
  return entry;
}

TEST(SqliteStateStoreTest, CreatesANewFileAtTheLatestVersionInWalMode) {
  testing::TempDir dir;
  FakeClock clock(kT0);
  auto store = SqliteStateStore::Open(dir.File("state.db"), clock);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  EXPECT_EQ((*store)->path(), dir.File("state.db"));
  RawDb raw(dir.File("state.db"));
  EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Text("PRAGMA application_id"), std::to_string(sqlite::kApplicationId));
  for (const char* table : {"checkpoints", "outbox", "windows"}) {
    EXPECT_EQ(raw.Text(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                   "AND name = '") +
                       table + "'"),
              "1")
        << table;
  }
  // The due-rows index exists, and the planner uses it for the filter and the order (no sort).
  const std::string plan = raw.Plan(
      "SELECT * FROM outbox WHERE sink = 'x' AND state = 'pending' AND next_due <= 5 "
      "ORDER BY next_due, row_id LIMIT 10");
  EXPECT_NE(plan.find("outbox_due"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST(SqliteStateStoreTest, MigratesAnEmptyExistingFileFromVersionZero) {
  testing::TempDir dir;
  { std::ofstream(dir.File("state.db")); }  // zero bytes: an empty database at version 0
  FakeClock clock(kT0);
  auto store = SqliteStateStore::Open(dir.File("state.db"), clock);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  ASSERT_TRUE((*store)->Commit({Entry("A")}, {{"dir", "f", "1"}}).has_value());
  RawDb raw(dir.File("state.db"));
  EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(sqlite::LatestSchemaVersion()));
}

TEST(SqliteStateStoreTest, MigratesFromEachOlderVersionKeepingData) {
  ASSERT_GE(sqlite::LatestSchemaVersion(), 2);  // at least one upgrade path is exercised
  for (int64_t version = 1; version < sqlite::LatestSchemaVersion(); ++version) {
    SCOPED_TRACE("from version " + std::to_string(version));
    testing::TempDir dir;
    const std::string path = dir.File("state.db");
    MakeFileAtVersion(path, version);
    {
      // Data as version 1 wrote it (checkpoints and outbox exist since version 1).
      RawDb raw(path);
      raw.Exec("INSERT INTO checkpoints VALUES ('dir', 'a.json', 'done', 1790000000000)");
      raw.Exec(
          "INSERT INTO outbox (alert_id, sink, rule_id, severity, payload, state, attempts, "
          "created, next_due) VALUES ('old', 'slack', 'r', 'high', X'7B7D', 'pending', 0, "
          "1790000000000, 1790000000000)");
    }
    FakeClock clock(kT0);
    auto store = SqliteStateStore::Open(path, clock);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    EXPECT_EQ((*store)->LoadCheckpoint("dir", "a.json").value(), "done");
    auto due = (*store)->DueRows("slack", kT0, 10);
    ASSERT_TRUE(due.has_value());
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].alert_id, "old");
    EXPECT_EQ((*due)[0].payload, "{}");
    EXPECT_EQ((*due)[0].created, kT0);
    Window window{"w", 1, kT0, kT0 + seconds(60), ""};
    ASSERT_TRUE((*store)->PutWindow(window).has_value());
    EXPECT_TRUE((*store)->GetWindow("w", kT0)->has_value());
    RawDb raw(path);
    EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(sqlite::LatestSchemaVersion()));
  }
}

TEST(SqliteStateStoreTest, RefusesAFileFromANewerTrailwatch) {
  testing::TempDir dir;
  const std::string path = dir.File("state.db");
  const int64_t future = sqlite::LatestSchemaVersion() + 1;
  MakeFileAtVersion(path, sqlite::LatestSchemaVersion());
  { RawDb(path).Exec("PRAGMA user_version = " + std::to_string(future)); }
  FakeClock clock(kT0);
  auto store = SqliteStateStore::Open(path, clock);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("schema version " + std::to_string(future)),
            std::string::npos)
      << store.error().message;
  // Left as it was.
  RawDb raw(path);
  EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(future));
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "delete");
}

TEST(SqliteStateStoreTest, RefusesSomeoneElsesDatabaseAndNonDatabases) {
  testing::TempDir dir;
  FakeClock clock(kT0);
  { RawDb(dir.File("app.db")).Exec("CREATE TABLE users (name TEXT)"); }
  auto foreign = SqliteStateStore::Open(dir.File("app.db"), clock);
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(RawDb(dir.File("app.db")).Text("SELECT count(*) FROM sqlite_schema"), "1");

  { RawDb(dir.File("other.db")).Exec("PRAGMA application_id = 1234"); }
  auto other_app = SqliteStateStore::Open(dir.File("other.db"), clock);
  ASSERT_FALSE(other_app.has_value());
  EXPECT_EQ(other_app.error().code, ErrorCode::kInvalidArgument);

  {
    std::ofstream text(dir.File("notes.txt"));
    text << "this is not an SQLite database, it is a text file that is long enough\n";
  }
  auto not_db = SqliteStateStore::Open(dir.File("notes.txt"), clock);
  ASSERT_FALSE(not_db.has_value());
  EXPECT_EQ(not_db.error().code, ErrorCode::kCorruption);
  EXPECT_NE(not_db.error().message.find(dir.File("notes.txt")), std::string::npos);
}

TEST(SqliteStateStoreTest, UnopenablePathIsAnIoErrorNamingThePath) {
  testing::TempDir dir;
  FakeClock clock(kT0);
  const std::string path = dir.File("missing-dir/state.db");
  auto store = SqliteStateStore::Open(path, clock);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST(SqliteStateStoreTest, ReopeningKeepsEverything) {
  testing::TempDir dir;
  FakeClock clock(kT0);
  int64_t delivered_id = 0;
  {
    auto store = SqliteStateStore::Open(dir.File("state.db"), clock);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(
        (*store)->Commit({Entry("A"), Entry("B", "bytes")}, {{"dir", "f", "7"}}).has_value());
    delivered_id = (*store)->DueRows("slack", kT0, 1).value().at(0).row_id;
    ASSERT_TRUE((*store)->MarkDelivered(delivered_id, kT0 + seconds(1), "ts-1").has_value());
    ASSERT_TRUE((*store)->PutWindow({"w", 3, kT0, kT0 + seconds(900), "d"}).has_value());
  }
  auto store = SqliteStateStore::Open(dir.File("state.db"), clock);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ((*store)->LoadCheckpoint("dir", "f").value(), "7");
  EXPECT_EQ((*store)->DeliveredRef("A", "slack").value(), "ts-1");
  auto due = (*store)->DueRows("slack", kT0, 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].alert_id, "B");
  EXPECT_EQ(due[0].payload, "bytes");
  EXPECT_EQ((*store)->GetWindow("w", kT0).value()->count, 3);
  // A replay after the restart still enqueues nothing twice.
  ASSERT_TRUE((*store)->Commit({Entry("A"), Entry("B")}, {}).has_value());
  EXPECT_EQ((*store)->ListRows(std::nullopt, 10)->size(), 2u);
}

TEST(SqliteStateStoreTest, LockedByAnotherProcessIsUnavailable) {
  testing::TempDir dir;
  FakeClock clock(kT0);
  SqliteOptions options;
  options.busy_timeout = std::chrono::milliseconds(0);
  auto store = SqliteStateStore::Open(dir.File("state.db"), clock, options);
  ASSERT_TRUE(store.has_value());
  RawDb other(dir.File("state.db"));
  other.Exec("BEGIN IMMEDIATE");
  auto commit = (*store)->Commit({Entry("A")}, {{"dir", "f", "1"}});
  ASSERT_FALSE(commit.has_value());
  EXPECT_EQ(commit.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(commit.error().message.find(dir.File("state.db")), std::string::npos);
  other.Exec("ROLLBACK");
  ASSERT_TRUE((*store)->Commit({Entry("A")}, {{"dir", "f", "1"}}).has_value());
  EXPECT_EQ((*store)->LoadCheckpoint("dir", "f").value(), "1");
}

// A full disk, simulated with the size cap (PRAGMA max_page_count): the commit that does not fit
// fails with kIo and leaves nothing of itself behind; earlier commits are intact.
TEST(SqliteStateStoreTest, FullDiskFailsTheWholeCommit) {
  testing::TempDir dir;
  FakeClock clock(kT0);
  SqliteOptions options;
  options.max_size_bytes = 256 * 1024;
  auto store = SqliteStateStore::Open(dir.File("state.db"), clock, options);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  constexpr int kRowsPerCommit = 20;
  const std::string payload(1000, 'x');
  int failed_at = -1;
  for (int i = 0; i < 1000 && failed_at < 0; ++i) {
    std::vector<NewOutboxEntry> entries;
    for (int j = 0; j < kRowsPerCommit; ++j) {
      entries.push_back(Entry(std::to_string(i) + "-" + std::to_string(j), payload));
    }
    auto r = (*store)->Commit(entries, {{"src", "input", std::to_string(i)}});
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kIo) << r.error().ToString();
      EXPECT_NE(r.error().message.find(dir.File("state.db")), std::string::npos);
      failed_at = i;
    }
  }
  ASSERT_GT(failed_at, 0) << "the cap was never reached, or the first commit failed";
  EXPECT_EQ((*store)->LoadCheckpoint("src", "input").value(), std::to_string(failed_at - 1));
  auto rows = (*store)->ListRows(std::nullopt, 100000);
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  EXPECT_EQ(rows->size(), size_t{kRowsPerCommit} * static_cast<size_t>(failed_at));
  for (const OutboxRow& row : *rows) {
    EXPECT_NE(row.alert_id.rfind(std::to_string(failed_at) + "-", 0), 0u) << row.alert_id;
  }
  // Small writes that fit still work after the failure.
  ASSERT_TRUE((*store)->MarkDelivered((*rows)[0].row_id, kT0, "").has_value());
}

// kill -9 at random moments while a child process commits in a loop. Each commit i holds
// kRowsPerCommit outbox rows "i-j" and sets the checkpoint to "i". After the kill, the file must
// hold exactly the rows of commits 0..i for the stored checkpoint i: never part of a commit, and
// at least every commit the child reported as returned.
TEST(SqliteStateStoreTest, KillNineDuringCommitsLeavesOnlyWholeCommits) {
  constexpr int kRuns = 20;
  constexpr int kRowsPerCommit = 25;
  std::mt19937 rng(20261201);
  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    testing::TempDir dir;
    const std::string path = dir.File("state.db");
    const int wait_for = std::uniform_int_distribution<int>(1, 40)(rng);
    const int spin = std::uniform_int_distribution<int>(0, 2'000'000)(rng);

    int progress[2];
    ASSERT_EQ(pipe(progress), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(progress[0]);
      FakeClock clock(kT0);
      auto store = SqliteStateStore::Open(path, clock);
      if (!store) _exit(2);
      const std::string payload(300, 'p');
      for (int i = 0; i < 1'000'000; ++i) {
        std::vector<NewOutboxEntry> entries;
        for (int j = 0; j < kRowsPerCommit; ++j) {
          entries.push_back(Entry(std::to_string(i) + "-" + std::to_string(j), payload));
        }
        if (!(*store)->Commit(entries, {{"crash", "input", std::to_string(i)}})) _exit(3);
        if (write(progress[1], "c", 1) != 1) _exit(4);
        clock.Advance(std::chrono::milliseconds(1));
      }
      _exit(0);
    }
    close(progress[1]);
    int returned = 0;  // commits the child saw return Ok
    char buffer[64];
    while (returned < wait_for) {
      const ssize_t n = read(progress[0], buffer, sizeof buffer);
      if (n <= 0) break;
      returned += static_cast<int>(n);
    }
    // Land the kill at an unpredictable point of the next commit.
    volatile int spun = 0;
    for (int k = 0; k < spin; ++k) spun = k;
    EXPECT_EQ(spun, spin > 0 ? spin - 1 : 0);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    close(progress[0]);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended on its own, status " << status;
    ASSERT_GE(returned, wait_for);

    FakeClock clock(kT0);
    auto store = SqliteStateStore::Open(path, clock);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    auto checkpoint = (*store)->LoadCheckpoint("crash", "input");
    ASSERT_TRUE(checkpoint.has_value() && checkpoint->has_value());
    const int last = std::stoi(**checkpoint);
    EXPECT_GE(last, returned - 1);  // every commit that returned Ok survived
    auto rows = (*store)->ListRows(std::nullopt, 1'000'000);
    ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
    std::set<std::string> ids;
    for (const OutboxRow& row : *rows) ids.insert(row.alert_id);
    std::set<std::string> expected;
    for (int i = 0; i <= last; ++i) {
      for (int j = 0; j < kRowsPerCommit; ++j) {
        expected.insert(std::to_string(i) + "-" + std::to_string(j));
      }
    }
    EXPECT_EQ(rows->size(), expected.size());
    EXPECT_EQ(ids, expected);
  }
}

}  // namespace
}  // namespace tw::state

// SqliteStateStore: the durable StateStore, one SQLite file in WAL mode.
//
// Open() creates the file or upgrades an older one through the ordered migrations of
// migrations.h (the version lives in PRAGMA user_version), and refuses a file written by a newer
// trailwatch, or an SQLite file that is not a trailwatch state file. docs/state.md documents the
// schema. Every transaction runs with synchronous=FULL: when Commit() returns Ok, its outbox rows
// and checkpoints have been fsync'ed to the WAL and survive a kill -9 or a power cut, which is
// what the delivery guarantee needs (a source acknowledges its input on that Ok). Writers use
// BEGIN IMMEDIATE, so another process (e.g. `trailwatch alerts retry` next to a running `watch`)
// waits up to the busy timeout and then gets kUnavailable, never a half-applied change.
//
// SQLite errors become tw::Error with the operation, SQLite's message and the file path:
// SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY -> kIo; SQLITE_BUSY, SQLITE_LOCKED
// -> kUnavailable; SQLITE_CORRUPT, SQLITE_NOTADB -> kCorruption; SQLITE_NOMEM, SQLITE_TOOBIG ->
// kResourceExhausted; anything else -> kInternal. A failed Commit has been rolled back.
//
// Ownership and thread-safety: the store owns its connection and its cached prepared
// statements, and borrows `clock` (created/next_due times of new rows, checkpoint `updated`),
// which must outlive it. One connection serves every thread; each public method holds one
// internal mutex for its whole duration, so calls are serialised (SQLite itself is opened without
// its own mutex). Do not fork() while holding an open store and use it in the child.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "state/state_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tw::state {

struct SqliteOptions {
  // How long a write waits for another process's lock before failing with kUnavailable.
  std::chrono::milliseconds busy_timeout{5000};
  // A cap on the file's size (PRAGMA max_page_count), 0 for none. A write past it fails with kIo,
  // as a full disk does, and changes nothing.
  int64_t max_size_bytes = 0;
};

class SqliteStateStore final : public StateStore {
 public:
  // Opens or creates the state file at `path` and brings its schema up to date.
  // Errors: kIo when the file cannot be opened or created (with SQLite's reason);
  // kCorruption when it is not an SQLite database or is damaged; kInvalidArgument when it is an
  // SQLite database of something else (another application_id, or tables but no trailwatch
  // schema version); kUnsupported when its schema version is newer than this build knows;
  // kUnavailable when another process holds it locked past the busy timeout.
  [[nodiscard]] static Result<std::unique_ptr<SqliteStateStore>> Open(
      const std::string& path, Clock& clock, const SqliteOptions& options = {});

  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  const std::string& path() const { return path_; }

  Result<std::optional<std::string>> LoadCheckpoint(const std::string& source,
                                                    const std::string& key) override;
  Result<void> Commit(const std::vector<NewOutboxEntry>& entries,
                      const std::vector<Checkpoint>& checkpoints) override;
  Result<std::vector<OutboxRow>> DueRows(const std::string& sink, Clock::WallTime now,
                                         size_t limit) override;
  Result<std::optional<Clock::WallTime>> NextDue(const std::string& sink) override;
  Result<void> MarkDelivered(int64_t row_id, Clock::WallTime at,
                             const std::string& sink_ref) override;
  Result<void> Reschedule(int64_t row_id, Clock::WallTime retry_at,
                          const std::string& error) override;
  Result<void> MarkFailed(int64_t row_id, const std::string& error) override;
  Result<int64_t> Retry(const std::string& alert_id, Clock::WallTime now) override;
  Result<std::vector<OutboxRow>> ListRows(std::optional<OutboxState> state, size_t limit) override;
  Result<std::optional<std::string>> DeliveredRef(const std::string& alert_id,
                                                  const std::string& sink) override;
  Result<int64_t> PruneHistory(Clock::WallTime older_than) override;
  Result<std::optional<Window>> GetWindow(const std::string& key, Clock::WallTime now) override;
  Result<void> PutWindow(const Window& window) override;
  Result<int64_t> ExpireWindows(Clock::WallTime now) override;

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  class Statement;

  SqliteStateStore(std::string path, Clock& clock, std::unique_ptr<sqlite3, DbCloser> db);

  // The cached prepared statement for `sql` (a string literal; the cache is keyed by its
  // address). All private helpers require mutex_.
  Result<sqlite3_stmt*> Prepare(const char* sql);
  // Runs a statement that returns no rows; for UPDATE/DELETE, returns sqlite3_changes().
  Result<int64_t> Run(Statement& statement, const char* what);
  // The pending-row update `statement` must change exactly one row, or kNotFound.
  Result<void> UpdatePendingRow(Statement& statement, int64_t row_id, const char* what);
  Result<std::vector<OutboxRow>> ReadRows(Statement& statement, const char* what);
  Result<void> RollbackIfActive();
  Error SqlError(int rc, const char* what) const;

  const std::string path_;
  Clock& clock_;
  std::mutex mutex_;
  std::unique_ptr<sqlite3, DbCloser> db_;
  // Declared after db_ so that the statements are finalized before the connection closes.
  std::unordered_map<const char*, std::unique_ptr<sqlite3_stmt, StatementFinalizer>> statements_;
};

}  // namespace tw::state

#include "state/sqlite/sqlite_state_store.h"

#include <sqlite3.h>

#include <limits>
#include <utility>

#include "state/sqlite/migrations.h"
#include "state/unix_millis.h"

namespace tw::state {
namespace {

ErrorCode CodeFor(int rc) {
  switch (rc & 0xff) {  // the primary code of an extended result code
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return ErrorCode::kIo;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::kCorruption;
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return ErrorCode::kResourceExhausted;
    default:
      return ErrorCode::kInternal;
  }
}

// "state file PATH: WHAT: SQLite's message". sqlite3_errmsg describes the most recent failure on
// the connection, so this is called right after the failing call.
Error MakeError(sqlite3* db, int rc, const std::string& path, const char* what) {
  const char* reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error{CodeFor(rc), "state file " + path + ": " + what + ": " + reason};
}

// Runs SQL without results (pragmas, DDL, transaction control) on a raw connection.
Result<void> ExecRaw(sqlite3* db, const std::string& path, const char* sql, const char* what) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(MakeError(db, rc, path, what));
  return Ok();
}

// The single integer a `PRAGMA x` or `SELECT` returns.
Result<int64_t> QueryInt(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(MakeError(db, rc, path, sql));
  rc = sqlite3_step(stmt);
  int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Error error = MakeError(db, rc, path, sql);
    sqlite3_finalize(stmt);
    return tl::unexpected(std::move(error));
  }
  sqlite3_finalize(stmt);
  return value;
}

Result<std::string> QueryText(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(MakeError(db, rc, path, sql));
  rc = sqlite3_step(stmt);
  std::string value;
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Error error = MakeError(db, rc, path, sql);
    sqlite3_finalize(stmt);
    return tl::unexpected(std::move(error));
  }
  sqlite3_finalize(stmt);
  return value;
}

// Refuses files that are not ours before anything is written to them.
Result<void> CheckIdentity(sqlite3* db, const std::string& path) {
  // The first read of the header: a non-database fails here with SQLITE_NOTADB.
  Result<int64_t> app_id = QueryInt(db, path, "PRAGMA application_id");
  if (!app_id) return tl::unexpected(app_id.error());
  Result<int64_t> version = QueryInt(db, path, "PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  if (*app_id != 0 && *app_id != sqlite::kApplicationId) {
    return Fail(ErrorCode::kInvalidArgument, "state file " + path +
                                                 " is an SQLite database of another application " +
                                                 "(application_id " + std::to_string(*app_id) +
                                                 "), not a trailwatch state file");
  }
  if (*version == 0) {
    Result<int64_t> tables = QueryInt(db, path, "SELECT count(*) FROM sqlite_schema");
    if (!tables) return tl::unexpected(tables.error());
    if (*tables != 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "state file " + path +
                      " is an SQLite database with tables but no trailwatch schema version; "
                      "refusing to alter it");
    }
  }
  if (*version > sqlite::LatestSchemaVersion()) {
    return Fail(ErrorCode::kUnsupported,
                "state file " + path + " has schema version " + std::to_string(*version) +
                    ", newer than this trailwatch knows (" +
                    std::to_string(sqlite::LatestSchemaVersion()) +
                    "); run a newer trailwatch or point state.path elsewhere");
  }
  return Ok();
}

// Applies the missing migrations in one IMMEDIATE transaction (the version is re-read under the
// lock, so two processes opening a new file at once migrate it once).
Result<void> Migrate(sqlite3* db, const std::string& path) {
  if (auto r = ExecRaw(db, path, "BEGIN IMMEDIATE", "begin migration"); !r) return r;
  auto fail = [&](Error error) -> Result<void> {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return tl::unexpected(std::move(error));
  };
  Result<int64_t> version = QueryInt(db, path, "PRAGMA user_version");
  if (!version) return fail(version.error());
  const int64_t latest = sqlite::LatestSchemaVersion();
  if (*version > latest) {
    return fail(Error{ErrorCode::kUnsupported,
                      "state file " + path + " has schema version " + std::to_string(*version) +
                          ", newer than this trailwatch knows (" + std::to_string(latest) + ")"});
  }
  if (*version == latest) {
    return ExecRaw(db, path, "COMMIT", "commit (no migration needed)");
  }
  for (int64_t v = *version; v < latest; ++v) {
    const std::string what =
        "schema migration " + std::to_string(v) + " -> " + std::to_string(v + 1);
    if (auto r = ExecRaw(db, path, sqlite::Migrations()[static_cast<size_t>(v)], what.c_str());
        !r) {
      return fail(r.error());
    }
  }
  const std::string stamp = "PRAGMA user_version = " + std::to_string(latest) +
                            "; PRAGMA application_id = " + std::to_string(sqlite::kApplicationId);
  if (auto r = ExecRaw(db, path, stamp.c_str(), "set schema version"); !r) return fail(r.error());
  if (auto r = ExecRaw(db, path, "COMMIT", "commit migration"); !r) return fail(r.error());
  return Ok();
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
}

constexpr const char* kRowColumns =
    "row_id, alert_id, sink, rule_id, severity, payload, state, attempts, created, next_due, "
    "delivered_at, last_error, sink_ref";

}  // namespace

// A cached statement in use: binds parameters and, when the scope ends, resets it and clears its
// bindings so that it holds no read transaction open between calls. Bind failures (SQLITE_TOOBIG,
// SQLITE_NOMEM) are kept and reported by the next Step().
class SqliteStateStore::Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Text(int index, const std::string& text) {
    Note(
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
  }
  Statement& Blob(int index, const std::string& bytes) {
    Note(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Int(int index, int64_t value) {
    Note(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& Time(int index, Clock::WallTime time) { return Int(index, ToUnixMillis(time)); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  void Note(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

void SqliteStateStore::DbCloser::operator()(sqlite3* db) const { sqlite3_close(db); }
void SqliteStateStore::StatementFinalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

SqliteStateStore::SqliteStateStore(std::string path, Clock& clock,
                                   std::unique_ptr<sqlite3, DbCloser> db)
    : path_(std::move(path)), clock_(clock), db_(std::move(db)) {}

SqliteStateStore::~SqliteStateStore() = default;

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path,
                                                                 Clock& clock,
                                                                 const SqliteOptions& options) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);  // sqlite3_open_v2 allocates even on failure
  if (rc != SQLITE_OK) return tl::unexpected(MakeError(db.get(), rc, path, "open"));
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));

  if (auto r = CheckIdentity(db.get(), path); !r) return tl::unexpected(r.error());

  // WAL: readers (alerts list) never block the writer, and a commit appends to the log instead
  // of rewriting pages in place. The mode is persistent in the file; we still check it took.
  Result<std::string> mode = QueryText(db.get(), path, "PRAGMA journal_mode = WAL");
  if (!mode) return tl::unexpected(mode.error());
  if (*mode != "wal") {
    return Fail(ErrorCode::kIo, "state file " + path + ": cannot use WAL mode (journal mode is " +
                                    *mode + "); is it on a network file system?");
  }
  // FULL: the WAL is fsync'ed at every commit, so an acknowledged Commit survives a power cut
  // (NORMAL would only survive a process crash). docs/state.md weighs the cost.
  if (auto r = ExecRaw(db.get(), path, "PRAGMA synchronous = FULL", "set synchronous"); !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = ExecRaw(db.get(), path, "PRAGMA foreign_keys = ON", "enable foreign keys"); !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = Migrate(db.get(), path); !r) return tl::unexpected(r.error());

  if (options.max_size_bytes > 0) {
    Result<int64_t> page_size = QueryInt(db.get(), path, "PRAGMA page_size");
    if (!page_size) return tl::unexpected(page_size.error());
    const int64_t pages = std::max<int64_t>(1, options.max_size_bytes / *page_size);
    const std::string pragma = "PRAGMA max_page_count = " + std::to_string(pages);
    if (auto r = QueryInt(db.get(), path, pragma.c_str()); !r) return tl::unexpected(r.error());
  }
  return std::unique_ptr<SqliteStateStore>(new SqliteStateStore(path, clock, std::move(db)));
}

Error SqliteStateStore::SqlError(int rc, const char* what) const {
  return MakeError(db_.get(), rc, path_, what);
}

Result<sqlite3_stmt*> SqliteStateStore::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(SqlError(rc, "prepare"));
  statements_.emplace(sql, std::unique_ptr<sqlite3_stmt, StatementFinalizer>(stmt));
  return stmt;
}

// Evaluates a Prepare() and declares `name` as the Statement over it, or returns its error.
#define TW_PREPARE(name, sql)                                   \
  Result<sqlite3_stmt*> name##_stmt = Prepare(sql);             \
  if (!name##_stmt) return tl::unexpected(name##_stmt.error()); \
  Statement name(*name##_stmt)

Result<int64_t> SqliteStateStore::Run(Statement& statement, const char* what) {
  int rc = statement.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return tl::unexpected(SqlError(rc, what));
  return static_cast<int64_t>(sqlite3_changes64(db_.get()));
}

Result<void> SqliteStateStore::UpdatePendingRow(Statement& statement, int64_t row_id,
                                                const char* what) {
  Result<int64_t> changed = Run(statement, what);
  if (!changed) return tl::unexpected(changed.error());
  if (*changed != 1) {
    return Fail(ErrorCode::kNotFound, "state file " + path_ + ": " + what +
                                          ": no pending outbox row " + std::to_string(row_id));
  }
  return Ok();
}

Result<std::vector<OutboxRow>> SqliteStateStore::ReadRows(Statement& statement, const char* what) {
  std::vector<OutboxRow> rows;
  for (;;) {
    int rc = statement.Step();
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) return tl::unexpected(SqlError(rc, what));
    sqlite3_stmt* s = statement.get();
    OutboxRow row;
    row.row_id = sqlite3_column_int64(s, 0);
    row.alert_id = ColumnText(s, 1);
    row.sink = ColumnText(s, 2);
    row.rule_id = ColumnText(s, 3);
    row.severity = ColumnText(s, 4);
    row.payload = ColumnText(s, 5);
    std::optional<OutboxState> state = ParseOutboxState(ColumnText(s, 6));
    if (!state) {
      return Fail(ErrorCode::kCorruption, "state file " + path_ + ": outbox row " +
                                              std::to_string(row.row_id) + " has state '" +
                                              ColumnText(s, 6) + "'");
    }
    row.state = *state;
    row.attempts = sqlite3_column_int(s, 7);
    row.created = FromUnixMillis(sqlite3_column_int64(s, 8));
    row.next_due = FromUnixMillis(sqlite3_column_int64(s, 9));
    if (sqlite3_column_type(s, 10) != SQLITE_NULL) {
      row.delivered_at = FromUnixMillis(sqlite3_column_int64(s, 10));
    }
    row.last_error = ColumnText(s, 11);
    row.sink_ref = ColumnText(s, 12);
    rows.push_back(std::move(row));
  }
}

Result<void> SqliteStateStore::RollbackIfActive() {
  if (sqlite3_get_autocommit(db_.get()) != 0) return Ok();  // SQLite already rolled back
  int rc = sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(SqlError(rc, "rollback"));
  return Ok();
}

Result<std::optional<std::string>> SqliteStateStore::LoadCheckpoint(const std::string& source,
                                                                    const std::string& key) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(select, "SELECT value FROM checkpoints WHERE source = ?1 AND key = ?2");
  select.Text(1, source).Text(2, key);
  int rc = select.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return tl::unexpected(SqlError(rc, "load checkpoint"));
  return std::optional<std::string>(ColumnText(select.get(), 0));
}

Result<void> SqliteStateStore::Commit(const std::vector<NewOutboxEntry>& entries,
                                      const std::vector<Checkpoint>& checkpoints) {
  std::lock_guard lock(mutex_);
  const Clock::WallTime now = clock_.Now();
  // Everything between BEGIN and COMMIT either lands together or not at all; on any failure the
  // transaction is rolled back before returning.
  auto body = [&]() -> Result<void> {
    {
      TW_PREPARE(begin, "BEGIN IMMEDIATE");
      if (auto r = Run(begin, "commit: begin"); !r) return tl::unexpected(r.error());
    }
    for (const NewOutboxEntry& entry : entries) {
      for (const std::string& sink : entry.sinks) {
        TW_PREPARE(insert,
                   "INSERT INTO outbox (alert_id, sink, rule_id, severity, payload, state, "
                   "attempts, created, next_due) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7) "
                   "ON CONFLICT (alert_id, sink) DO NOTHING");
        insert.Text(1, entry.alert_id).Text(2, sink).Text(3, entry.rule_id);
        insert.Text(4, entry.severity).Blob(5, entry.payload);
        insert.Text(6, OutboxStateName(entry.suppressed ? OutboxState::kSuppressed
                                                        : OutboxState::kPending));
        insert.Time(7, now);
        if (auto r = Run(insert, "commit: insert outbox row"); !r) {
          return tl::unexpected(r.error());
        }
      }
    }
    for (const Checkpoint& checkpoint : checkpoints) {
      TW_PREPARE(upsert,
                 "INSERT INTO checkpoints (source, key, value, updated) VALUES (?1, ?2, ?3, ?4) "
                 "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
                 "updated = excluded.updated");
      upsert.Text(1, checkpoint.source).Text(2, checkpoint.key).Text(3, checkpoint.value);
      upsert.Time(4, now);
      if (auto r = Run(upsert, "commit: set checkpoint"); !r) return tl::unexpected(r.error());
    }
    TW_PREPARE(commit, "COMMIT");
    if (auto r = Run(commit, "commit"); !r) return tl::unexpected(r.error());
    return Ok();
  };
  Result<void> result = body();
  if (!result) {
    Result<void> rollback = RollbackIfActive();
    if (!rollback) {
      return Fail(result.error().code,
                  result.error().message + " (and " + rollback.error().message + ")");
    }
  }
  return result;
}

Result<std::vector<OutboxRow>> SqliteStateStore::DueRows(const std::string& sink,
                                                         Clock::WallTime now, size_t limit) {
  static const std::string sql =
      std::string("SELECT ") + kRowColumns +
      " FROM outbox WHERE sink = ?1 AND state = 'pending' AND next_due <= ?2 "
      "ORDER BY next_due, row_id LIMIT ?3";
  std::lock_guard lock(mutex_);
  TW_PREPARE(select, sql.c_str());
  select.Text(1, sink).Time(2, now);
  select.Int(3, static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int64_t>::max())));
  return ReadRows(select, "due rows");
}

Result<std::optional<Clock::WallTime>> SqliteStateStore::NextDue(const std::string& sink) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(select, "SELECT min(next_due) FROM outbox WHERE sink = ?1 AND state = 'pending'");
  select.Text(1, sink);
  int rc = select.Step();
  if (rc != SQLITE_ROW) return tl::unexpected(SqlError(rc, "next due"));
  if (sqlite3_column_type(select.get(), 0) == SQLITE_NULL) {
    return std::optional<Clock::WallTime>();
  }
  return std::optional<Clock::WallTime>(FromUnixMillis(sqlite3_column_int64(select.get(), 0)));
}

Result<void> SqliteStateStore::MarkDelivered(int64_t row_id, Clock::WallTime at,
                                             const std::string& sink_ref) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(update,
             "UPDATE outbox SET state = 'delivered', delivered_at = ?2, sink_ref = ?3, "
             "attempts = attempts + 1 WHERE row_id = ?1 AND state = 'pending'");
  update.Int(1, row_id).Time(2, at).Text(3, sink_ref);
  return UpdatePendingRow(update, row_id, "mark delivered");
}

Result<void> SqliteStateStore::Reschedule(int64_t row_id, Clock::WallTime retry_at,
                                          const std::string& error) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(update,
             "UPDATE outbox SET next_due = ?2, last_error = ?3, attempts = attempts + 1 "
             "WHERE row_id = ?1 AND state = 'pending'");
  update.Int(1, row_id).Time(2, retry_at).Text(3, error);
  return UpdatePendingRow(update, row_id, "reschedule");
}

Result<void> SqliteStateStore::MarkFailed(int64_t row_id, const std::string& error) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(update,
             "UPDATE outbox SET state = 'failed', last_error = ?2, attempts = attempts + 1 "
             "WHERE row_id = ?1 AND state = 'pending'");
  update.Int(1, row_id).Text(2, error);
  return UpdatePendingRow(update, row_id, "mark failed");
}

Result<int64_t> SqliteStateStore::Retry(const std::string& alert_id, Clock::WallTime now) {
  std::lock_guard lock(mutex_);
  if (alert_id.empty()) {
    TW_PREPARE(update,
               "UPDATE outbox SET state = 'pending', next_due = ?1, attempts = 0 "
               "WHERE state = 'failed'");
    update.Time(1, now);
    return Run(update, "retry all failed");
  }
  TW_PREPARE(update,
             "UPDATE outbox SET state = 'pending', next_due = ?1, attempts = 0 "
             "WHERE state = 'failed' AND alert_id = ?2");
  update.Time(1, now).Text(2, alert_id);
  return Run(update, "retry");
}

Result<std::vector<OutboxRow>> SqliteStateStore::ListRows(std::optional<OutboxState> state,
                                                          size_t limit) {
  static const std::string any_sql =
      std::string("SELECT ") + kRowColumns + " FROM outbox ORDER BY row_id DESC LIMIT ?1";
  static const std::string state_sql = std::string("SELECT ") + kRowColumns +
                                       " FROM outbox WHERE state = ?2 "
                                       "ORDER BY row_id DESC LIMIT ?1";
  std::lock_guard lock(mutex_);
  TW_PREPARE(select, state ? state_sql.c_str() : any_sql.c_str());
  select.Int(1, static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int64_t>::max())));
  if (state) select.Text(2, OutboxStateName(*state));
  return ReadRows(select, "list rows");
}

Result<std::optional<std::string>> SqliteStateStore::DeliveredRef(const std::string& alert_id,
                                                                  const std::string& sink) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(select,
             "SELECT sink_ref FROM outbox WHERE alert_id = ?1 AND sink = ?2 "
             "AND state = 'delivered'");
  select.Text(1, alert_id).Text(2, sink);
  int rc = select.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return tl::unexpected(SqlError(rc, "delivered ref"));
  return std::optional<std::string>(ColumnText(select.get(), 0));
}

Result<int64_t> SqliteStateStore::PruneHistory(Clock::WallTime older_than) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(remove, "DELETE FROM outbox WHERE state <> 'pending' AND created < ?1");
  remove.Time(1, older_than);
  return Run(remove, "prune history");
}

Result<std::optional<Window>> SqliteStateStore::GetWindow(const std::string& key,
                                                          Clock::WallTime now) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(select,
             "SELECT count, start, expires, data FROM windows WHERE key = ?1 AND expires > ?2");
  select.Text(1, key).Time(2, now);
  int rc = select.Step();
  if (rc == SQLITE_DONE) return std::optional<Window>();
  if (rc != SQLITE_ROW) return tl::unexpected(SqlError(rc, "get window"));
  Window window;
  window.key = key;
  window.count = sqlite3_column_int64(select.get(), 0);
  window.start = FromUnixMillis(sqlite3_column_int64(select.get(), 1));
  window.expires = FromUnixMillis(sqlite3_column_int64(select.get(), 2));
  window.data = ColumnText(select.get(), 3);
  return std::optional<Window>(std::move(window));
}

Result<void> SqliteStateStore::PutWindow(const Window& window) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(upsert,
             "INSERT OR REPLACE INTO windows (key, count, start, expires, data) "
             "VALUES (?1, ?2, ?3, ?4, ?5)");
  upsert.Text(1, window.key).Int(2, window.count).Time(3, window.start);
  upsert.Time(4, window.expires).Blob(5, window.data);
  Result<int64_t> changed = Run(upsert, "put window");
  if (!changed) return tl::unexpected(changed.error());
  return Ok();
}

Result<int64_t> SqliteStateStore::ExpireWindows(Clock::WallTime now) {
  std::lock_guard lock(mutex_);
  TW_PREPARE(remove, "DELETE FROM windows WHERE expires <= ?1");
  remove.Time(1, now);
  return Run(remove, "expire windows");
}

#undef TW_PREPARE

}  // namespace tw::state

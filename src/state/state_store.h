// StateStore: what trailwatch must remember across restarts, in bytes and keys only.
//
// It holds four things (docs/state.md documents the SQLite schema):
// - checkpoints: per source and per input key (a file path, an S3 key, a stream), an opaque
//   progress value (a byte offset, "done", an ETag);
// - the outbox: one row per (alert, sink), with the serialised alert (alert/codec.h), its state
//   (pending, delivered, failed = dead-lettered, suppressed), attempts, the next due time, and the
//   last error or response body;
// - alert history (delivered, failed and suppressed rows are kept, with their delivery time, for
//   `alerts list`, until PruneHistory removes them);
// - windows: dedupe and threshold state, keyed by a string, with an expiry.
//
// The store knows nothing of alerts: alert/ serialises them. The one transaction that matters is
// Commit(): an input's checkpoint advances together with the outbox rows of its alerts, so that a
// crash either keeps both or neither (the delivery guarantee in docs/delivery.md rests on it).
//
// Thread-safety: every method may be called from any thread; implementations serialise
// internally. Times are wall-clock (Clock::Now()), stored as Unix milliseconds: a time read back
// is the time given, floored to the millisecond, and every comparison below is made on those
// milliseconds.
//
// Implementations: sqlite/sqlite_state_store.h (the durable one) and memory/memory_state_store.h
// (same semantics, nothing survives the process; for tests and for `scan` without state). Both
// pass one conformance suite (state_store_conformance_test.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace tw::state {

enum class OutboxState { kPending, kDelivered, kFailed, kSuppressed };
const char* OutboxStateName(OutboxState state);  // "pending", "delivered", "failed", "suppressed"
// The inverse of OutboxStateName; nullopt for any other text.
std::optional<OutboxState> ParseOutboxState(std::string_view name);

struct OutboxRow {
  int64_t row_id = 0;    // assigned by the store
  std::string alert_id;  // alert::Alert::id
  std::string sink;      // the sink's configured name ("slack", "slack#2", "webhook-ops")
  std::string rule_id;
  std::string severity;
  std::string payload;  // the serialised alert
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  Clock::WallTime created;
  Clock::WallTime next_due;                     // pending rows: not before this time
  std::optional<Clock::WallTime> delivered_at;  // set by MarkDelivered
  std::string last_error;                       // last failure, or the dead-letter response body
  std::string sink_ref;  // what the sink returned on delivery (e.g. Slack channel + ts)
};

// An input's progress. `value` is opaque to the store.
struct Checkpoint {
  std::string source;  // the source's name
  std::string key;     // the input within the source
  std::string value;
};

// A new alert to enqueue: one row per target sink is created from it (state pending, or
// suppressed when `suppressed`), with created = next_due = the store's Clock::Now() and attempts 0.
// An entry with no sinks creates no row.
struct NewOutboxEntry {
  std::string alert_id;
  std::string rule_id;
  std::string severity;
  std::string payload;
  std::vector<std::string> sinks;
  bool suppressed = false;
};

// A dedupe or threshold window: `count` events since `start`, forgotten from `expires` on (a
// window is live at `now` while now < expires).
// `data` is opaque (e.g. the first alert's id and the sink refs of its messages).
struct Window {
  std::string key;
  int64_t count = 0;
  Clock::WallTime start;
  Clock::WallTime expires;
  std::string data;
};

// Errors, for every method: kIo when the disk refuses (full, I/O error), kUnavailable when another
// process holds the file locked past the busy timeout (retrying may help), kCorruption when the
// file is damaged. The row operations (MarkDelivered, Reschedule, MarkFailed) apply to pending rows
// only and fail with kNotFound for a row id that is missing or not pending.
class StateStore {
 public:
  virtual ~StateStore() = default;

  // Checkpoints.
  [[nodiscard]] virtual Result<std::optional<std::string>> LoadCheckpoint(
      const std::string& source, const std::string& key) = 0;

  // In one transaction: insert the outbox rows for `entries` (ignoring an (alert_id, sink) pair
  // already present, so that a replayed input cannot enqueue twice) and set `checkpoints`.
  // Either all of it is durable when this returns Ok, or none of it.
  [[nodiscard]] virtual Result<void> Commit(const std::vector<NewOutboxEntry>& entries,
                                            const std::vector<Checkpoint>& checkpoints) = 0;

  // Outbox: pending rows for `sink` whose next_due <= now, at most `limit`, in order of next_due
  // and then of row_id (insertion order); rows never rescheduled therefore come oldest first.
  [[nodiscard]] virtual Result<std::vector<OutboxRow>> DueRows(const std::string& sink,
                                                               Clock::WallTime now,
                                                               size_t limit) = 0;
  // Earliest next_due of the pending rows for `sink`; nullopt when none is pending.
  [[nodiscard]] virtual Result<std::optional<Clock::WallTime>> NextDue(const std::string& sink) = 0;
  // State delivered, delivered_at = `at`, sink_ref = `sink_ref`, attempts+1.
  [[nodiscard]] virtual Result<void> MarkDelivered(int64_t row_id, Clock::WallTime at,
                                                   const std::string& sink_ref) = 0;
  // A retryable failure: attempts+1, next_due = `retry_at`, last_error = `error`.
  [[nodiscard]] virtual Result<void> Reschedule(int64_t row_id, Clock::WallTime retry_at,
                                                const std::string& error) = 0;
  // A permanent failure: state failed (dead letter), attempts+1, last_error = `error` (e.g. the
  // response body).
  [[nodiscard]] virtual Result<void> MarkFailed(int64_t row_id, const std::string& error) = 0;
  // Failed rows back to pending, due `now`, attempts reset to 0 (last_error kept). `alert_id`
  // empty: every failed row; otherwise the failed rows of that alert, on every sink. Returns how
  // many rows changed.
  [[nodiscard]] virtual Result<int64_t> Retry(const std::string& alert_id, Clock::WallTime now) = 0;
  // Rows in `state` (any state when nullopt), newest first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<OutboxRow>> ListRows(std::optional<OutboxState> state,
                                                                size_t limit) = 0;
  // The sink_ref of a delivered row for (alert_id, sink), if any: a thread parent for Slack.
  [[nodiscard]] virtual Result<std::optional<std::string>> DeliveredRef(
      const std::string& alert_id, const std::string& sink) = 0;

  // Alert history retention: deletes the delivered, failed and suppressed rows created before
  // `older_than` (pending rows are never pruned). Returns how many.
  [[nodiscard]] virtual Result<int64_t> PruneHistory(Clock::WallTime older_than) = 0;

  // Windows. Get returns nullopt for a missing or expired (expires <= now) window. Put inserts or
  // replaces the window with that key.
  [[nodiscard]] virtual Result<std::optional<Window>> GetWindow(const std::string& key,
                                                                Clock::WallTime now) = 0;
  [[nodiscard]] virtual Result<void> PutWindow(const Window& window) = 0;
  // Deletes the windows expired at `now` (expires <= now); returns how many.
  [[nodiscard]] virtual Result<int64_t> ExpireWindows(Clock::WallTime now) = 0;
};

}  // namespace tw::state

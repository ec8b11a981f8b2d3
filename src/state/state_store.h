// StateStore: what trailwatch must remember across restarts, in bytes and keys only.
//
// It holds four things (docs/state.md documents the SQLite schema):
// - checkpoints: per source and per input key (a file path, an S3 key, a stream), an opaque
//   progress value (a byte offset, "done", an ETag);
// - the outbox: one row per (alert, sink), with the serialised alert (alert/codec.h), its state
//   (pending, delivered, failed = dead-lettered, suppressed), attempts, the next due time, and the
//   last error or response body;
// - alert history (delivered rows are kept, with their delivery time, for `alerts list`);
// - windows: dedupe and threshold state, keyed by a string, with an expiry.
//
// The store knows nothing of alerts: alert/ serialises them. The one transaction that matters is
// Commit(): an input's checkpoint advances together with the outbox rows of its alerts, so that a
// crash either keeps both or neither (the delivery guarantee in docs/delivery.md rests on it).
//
// Thread-safety: every method may be called from any thread; implementations serialise
// internally. Times are wall-clock (Clock::Now()), stored as Unix milliseconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace tw::state {

enum class OutboxState { kPending, kDelivered, kFailed, kSuppressed };
const char* OutboxStateName(OutboxState state);  // "pending", "delivered", "failed", "suppressed"

struct OutboxRow {
  int64_t row_id = 0;      // assigned by the store
  std::string alert_id;    // alert::Alert::id
  std::string sink;        // the sink's configured name ("slack", "slack#2", "webhook-ops")
  std::string rule_id;
  std::string severity;
  std::string payload;     // the serialised alert
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  Clock::WallTime created;
  Clock::WallTime next_due;   // pending rows: not before this time
  std::string last_error;     // last failure, or the dead-letter response body
  std::string sink_ref;       // what the sink returned on delivery (e.g. Slack channel + ts)
};

// An input's progress. `value` is opaque to the store.
struct Checkpoint {
  std::string source;  // the source's name
  std::string key;     // the input within the source
  std::string value;
};

// A new alert to enqueue: one row per target sink is created from it (state pending, or
// suppressed when `suppressed`).
struct NewOutboxEntry {
  std::string alert_id;
  std::string rule_id;
  std::string severity;
  std::string payload;
  std::vector<std::string> sinks;
  bool suppressed = false;
};

// A dedupe or threshold window: `count` events since `start`, forgotten after `expires`.
// `data` is opaque (e.g. the first alert's id and the sink refs of its messages).
struct Window {
  std::string key;
  int64_t count = 0;
  Clock::WallTime start;
  Clock::WallTime expires;
  std::string data;
};

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

  // Outbox: pending rows for `sink` whose next_due <= now, oldest first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<OutboxRow>> DueRows(const std::string& sink,
                                                               Clock::WallTime now,
                                                               size_t limit) = 0;
  // Earliest next_due of the pending rows for `sink`; nullopt when none is pending.
  [[nodiscard]] virtual Result<std::optional<Clock::WallTime>> NextDue(
      const std::string& sink) = 0;
  [[nodiscard]] virtual Result<void> MarkDelivered(int64_t row_id, Clock::WallTime at,
                                                   const std::string& sink_ref) = 0;
  // A retryable failure: attempts+1, next_due = `retry_at`, last_error = `error`.
  [[nodiscard]] virtual Result<void> Reschedule(int64_t row_id, Clock::WallTime retry_at,
                                                const std::string& error) = 0;
  // A permanent failure: state failed (dead letter), with `error` (e.g. the response body).
  [[nodiscard]] virtual Result<void> MarkFailed(int64_t row_id, const std::string& error) = 0;
  // Failed rows back to pending, due now. `alert_id` empty: every failed row. Returns how many.
  [[nodiscard]] virtual Result<int64_t> Retry(const std::string& alert_id,
                                              Clock::WallTime now) = 0;
  // Rows in `state` (any state when nullopt), newest first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<OutboxRow>> ListRows(std::optional<OutboxState> state,
                                                                size_t limit) = 0;
  // The sink_ref of a delivered row for (alert_id, sink), if any: a thread parent for Slack.
  [[nodiscard]] virtual Result<std::optional<std::string>> DeliveredRef(
      const std::string& alert_id, const std::string& sink) = 0;

  // Windows. Get returns nullopt for a missing or expired window.
  [[nodiscard]] virtual Result<std::optional<Window>> GetWindow(const std::string& key,
                                                                Clock::WallTime now) = 0;
  [[nodiscard]] virtual Result<void> PutWindow(const Window& window) = 0;
  // Deletes windows that expired before `now`; returns how many.
  [[nodiscard]] virtual Result<int64_t> ExpireWindows(Clock::WallTime now) = 0;
};

}  // namespace tw::state

// DynamoDbStateStore: `state: {type: dynamodb, table: T}` — a StateStore decorator for several
// `watch` workers on one queue. What must be shared goes to one DynamoDB table; the rest stays
// in the worker's own store (SQLite):
//
//   * windows (dedupe, threshold) live in DynamoDB, item "w|<key>", read with strongly
//     consistent GetItem and written whole (one PutItem, so a reader never sees half an item)
//     with optimistic concurrency: each item carries a version, and PutWindow writes only if
//     the version is still the one this store read for that key (or the item is still absent).
//     A window changed by another worker in between fails the write with kConflict; the pipeline
//     then Nacks the batch, the message comes back, and the batch is evaluated again on the new
//     window. Items carry the TTL attribute `expires_at` (Unix seconds, the window's `expires`), so
//     DynamoDB deletes them.
//   * a claim on each alert id, item "c|<alert id>" with `owner` (this worker's id), `state`
//     (pending | committed) and `lease`. Commit() claims every alert of the input first
//     (conditional PutItem: absent, or already this worker's pending claim, or a pending claim
//     whose lease has run out), then commits the claimed alerts and the checkpoints to the local
//     store in its one transaction, then marks the claims committed. An alert whose claim is
//     committed by any worker is left out of the local commit (it is, or was, in that worker's
//     outbox). An alert pending under another worker's live lease fails the Commit with
//     kConflict (claims taken in this call are released), so the input is retried later
//     instead of being dropped while its owner might still die before committing. Claims
//     expire (TTL) after `claim_ttl`, which must exceed how long an input can be redelivered.
//   * checkpoints, the outbox, alert history: the local store, unchanged.
//
// The worker id is random, made once and kept in the local store (checkpoint
// "__trailwatch"/"worker_id"), so a restarted worker owns its earlier pending claims again and
// finishes them at once, whatever the lease.
//
// What this gives across workers (docs/state.md, docs/delivery.md): an alert id enters exactly
// one worker's outbox, except when a worker dies after its local commit and before marking its
// claims committed and then stays down past the lease (its outbox holds the alerts, another
// worker raises them again); dedupe and threshold windows count the events of all workers.
//
// Thread-safety: every method may be called from any thread; the remembered window versions are
// kept under a mutex. The local store and the clock are owned / borrowed as Create says.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "aws/dynamodb_client.h"
#include "common/clock.h"
#include "state/state_store.h"

namespace tw::aws {

inline constexpr char kStatePartitionKey[] = "pk";
inline constexpr char kStateTtlAttribute[] = "expires_at";

struct DynamoDbStateOptions {
  std::string table;
  // A pending claim of a worker that stopped is taken over after this.
  std::chrono::seconds claim_lease{300};
  // How long a claim is kept (TTL): longer than an input can be redelivered (SQS keeps messages
  // up to 14 days).
  std::chrono::seconds claim_ttl{std::chrono::hours(24 * 15)};
};

class DynamoDbStateStore final : public state::StateStore {
 public:
  // Owns `local` and `db`; borrows `clock`. Reads or creates the worker id in `local`.
  // kInvalidArgument for an empty table name; the local store's errors.
  [[nodiscard]] static Result<std::unique_ptr<DynamoDbStateStore>> Create(
      std::unique_ptr<state::StateStore> local, std::unique_ptr<DynamoDbClient> db,
      DynamoDbStateOptions options, const Clock& clock);

  const std::string& worker_id() const { return worker_id_; }
  // Alerts left out of a Commit because another worker (or an earlier run) committed them.
  uint64_t claimed_elsewhere() const { return claimed_elsewhere_; }

  // Claims, then the local commit, then the claims marked committed (see above).
  [[nodiscard]] Result<void> Commit(const std::vector<state::NewOutboxEntry>& entries,
                                    const std::vector<state::Checkpoint>& checkpoints) override;

  // Windows: DynamoDB.
  [[nodiscard]] Result<std::optional<state::Window>> GetWindow(const std::string& key,
                                                               Clock::WallTime now) override;
  [[nodiscard]] Result<void> PutWindow(const state::Window& window) override;
  // DynamoDB's TTL deletes expired windows; this expires the local store's (none in this mode).
  [[nodiscard]] Result<int64_t> ExpireWindows(Clock::WallTime now) override;

  // The rest: the local store.
  [[nodiscard]] Result<std::optional<std::string>> LoadCheckpoint(const std::string& source,
                                                                  const std::string& key) override {
    return local_->LoadCheckpoint(source, key);
  }
  [[nodiscard]] Result<std::vector<state::OutboxRow>> DueRows(const std::string& sink,
                                                              Clock::WallTime now,
                                                              size_t limit) override {
    return local_->DueRows(sink, now, limit);
  }
  [[nodiscard]] Result<std::optional<Clock::WallTime>> NextDue(const std::string& sink) override {
    return local_->NextDue(sink);
  }
  [[nodiscard]] Result<void> MarkDelivered(int64_t row_id, Clock::WallTime at,
                                           const std::string& sink_ref) override {
    return local_->MarkDelivered(row_id, at, sink_ref);
  }
  [[nodiscard]] Result<void> Reschedule(int64_t row_id, Clock::WallTime retry_at,
                                        const std::string& error) override {
    return local_->Reschedule(row_id, retry_at, error);
  }
  [[nodiscard]] Result<void> MarkFailed(int64_t row_id, const std::string& error) override {
    return local_->MarkFailed(row_id, error);
  }
  [[nodiscard]] Result<int64_t> Retry(const std::string& alert_id, Clock::WallTime now) override {
    return local_->Retry(alert_id, now);
  }
  [[nodiscard]] Result<std::vector<state::OutboxRow>> ListRows(
      std::optional<state::OutboxState> state, size_t limit) override {
    return local_->ListRows(state, limit);
  }
  [[nodiscard]] Result<std::optional<std::string>> DeliveredRef(const std::string& alert_id,
                                                                const std::string& sink) override {
    return local_->DeliveredRef(alert_id, sink);
  }
  [[nodiscard]] Result<int64_t> PruneHistory(Clock::WallTime older_than) override {
    return local_->PruneHistory(older_than);
  }

 private:
  enum class ClaimResult { kMine, kCommitted, kHeldElsewhere };

  DynamoDbStateStore(std::unique_ptr<state::StateStore> local, std::unique_ptr<DynamoDbClient> db,
                     DynamoDbStateOptions options, const Clock& clock)
      : local_(std::move(local)), db_(std::move(db)), options_(std::move(options)), clock_(clock) {}
  Result<ClaimResult> Claim(const std::string& alert_id, Clock::WallTime now);
  void Release(const std::vector<std::string>& alert_ids);

  std::unique_ptr<state::StateStore> local_;
  std::unique_ptr<DynamoDbClient> db_;
  DynamoDbStateOptions options_;
  const Clock& clock_;
  std::string worker_id_;
  std::mutex mu_;
  std::map<std::string, int64_t> read_versions_;  // window key -> version read (0: absent)
  std::mt19937_64 rng_{std::random_device{}()};   // versions for a write with no read before it
  std::atomic<uint64_t> claimed_elsewhere_{0};
};

// `trailwatch state init`: creates `table` (partition key "pk", on-demand) if missing, waits
// until it is ACTIVE (polling DescribeTable through `wait`, at most `attempts` times), and enables
// TTL on "expires_at". Returns true when the table was created, false when it existed.
[[nodiscard]] Result<bool> InitStateTable(DynamoDbClient& db, const std::string& table,
                                          const std::function<void()>& wait, int attempts = 60);

}  // namespace tw::aws

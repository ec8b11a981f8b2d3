// MemoryStateStore: the StateStore contract held in process memory.
//
// It has exactly the semantics of SqliteStateStore (times floored to the millisecond, row ids
// assigned from 1 and never reused, the same orderings and errors) and passes the same
// conformance suite, but nothing survives the process and no operation fails. It serves unit
// tests of the modules above state/ and `scan`, which keeps no state.
//
// Ownership and thread-safety: the store borrows `clock`, which must outlive it. Every method
// takes one internal mutex, so any thread may call any method.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "state/state_store.h"

namespace tw::state {

class MemoryStateStore final : public StateStore {
 public:
  // `clock` gives the created and next_due times of the rows Commit inserts.
  explicit MemoryStateStore(Clock& clock) : clock_(clock) {}

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
  // The pending row `row_id`, or kNotFound. Requires mutex_.
  Result<OutboxRow*> PendingRow(int64_t row_id);

  Clock& clock_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::string> checkpoints_;
  std::map<int64_t, OutboxRow> rows_;                                     // by row_id
  std::map<std::pair<std::string, std::string>, int64_t> by_alert_sink_;  // (alert_id, sink)
  int64_t next_row_id_ = 1;
  std::map<std::string, Window> windows_;
};

}  // namespace tw::state

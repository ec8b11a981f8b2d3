#include "state/memory/memory_state_store.h"

#include <algorithm>
#include <tuple>

#include "state/unix_millis.h"

namespace tw::state {
namespace {

// Floors `time` to the millisecond, as storing it in SQLite would.
Clock::WallTime Floor(Clock::WallTime time) { return FromUnixMillis(ToUnixMillis(time)); }

}  // namespace

Result<std::optional<std::string>> MemoryStateStore::LoadCheckpoint(const std::string& source,
                                                                    const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = checkpoints_.find({source, key});
  if (it == checkpoints_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<void> MemoryStateStore::Commit(const std::vector<NewOutboxEntry>& entries,
                                      const std::vector<Checkpoint>& checkpoints) {
  std::lock_guard lock(mutex_);
  const Clock::WallTime now = Floor(clock_.Now());
  for (const NewOutboxEntry& entry : entries) {
    for (const std::string& sink : entry.sinks) {
      auto [it, inserted] = by_alert_sink_.try_emplace({entry.alert_id, sink}, next_row_id_);
      if (!inserted) continue;  // a replayed input: the row is already there
      OutboxRow row;
      row.row_id = next_row_id_++;
      row.alert_id = entry.alert_id;
      row.sink = sink;
      row.rule_id = entry.rule_id;
      row.severity = entry.severity;
      row.payload = entry.payload;
      row.state = entry.suppressed ? OutboxState::kSuppressed : OutboxState::kPending;
      row.created = now;
      row.next_due = now;
      rows_.emplace(row.row_id, std::move(row));
    }
  }
  for (const Checkpoint& checkpoint : checkpoints) {
    checkpoints_[{checkpoint.source, checkpoint.key}] = checkpoint.value;
  }
  return Ok();
}

Result<std::vector<OutboxRow>> MemoryStateStore::DueRows(const std::string& sink,
                                                         Clock::WallTime now, size_t limit) {
  std::lock_guard lock(mutex_);
  now = Floor(now);
  std::vector<const OutboxRow*> due;
  for (const auto& [row_id, row] : rows_) {
    if (row.sink == sink && row.state == OutboxState::kPending && row.next_due <= now) {
      due.push_back(&row);
    }
  }
  std::sort(due.begin(), due.end(), [](const OutboxRow* a, const OutboxRow* b) {
    return std::tie(a->next_due, a->row_id) < std::tie(b->next_due, b->row_id);
  });
  std::vector<OutboxRow> out;
  for (size_t i = 0; i < due.size() && i < limit; ++i) out.push_back(*due[i]);
  return out;
}

Result<std::optional<Clock::WallTime>> MemoryStateStore::NextDue(const std::string& sink) {
  std::lock_guard lock(mutex_);
  std::optional<Clock::WallTime> earliest;
  for (const auto& [row_id, row] : rows_) {
    if (row.sink == sink && row.state == OutboxState::kPending &&
        (!earliest || row.next_due < *earliest)) {
      earliest = row.next_due;
    }
  }
  return earliest;
}

Result<OutboxRow*> MemoryStateStore::PendingRow(int64_t row_id) {
  auto it = rows_.find(row_id);
  if (it == rows_.end() || it->second.state != OutboxState::kPending) {
    return Fail(ErrorCode::kNotFound, "no pending outbox row " + std::to_string(row_id));
  }
  return &it->second;
}

Result<void> MemoryStateStore::MarkDelivered(int64_t row_id, Clock::WallTime at,
                                             const std::string& sink_ref) {
  std::lock_guard lock(mutex_);
  Result<OutboxRow*> row = PendingRow(row_id);
  if (!row) return tl::unexpected(row.error());
  (*row)->state = OutboxState::kDelivered;
  (*row)->delivered_at = Floor(at);
  (*row)->sink_ref = sink_ref;
  ++(*row)->attempts;
  return Ok();
}

Result<void> MemoryStateStore::Reschedule(int64_t row_id, Clock::WallTime retry_at,
                                          const std::string& error) {
  std::lock_guard lock(mutex_);
  Result<OutboxRow*> row = PendingRow(row_id);
  if (!row) return tl::unexpected(row.error());
  (*row)->next_due = Floor(retry_at);
  (*row)->last_error = error;
  ++(*row)->attempts;
  return Ok();
}

Result<void> MemoryStateStore::MarkFailed(int64_t row_id, const std::string& error) {
  std::lock_guard lock(mutex_);
  Result<OutboxRow*> row = PendingRow(row_id);
  if (!row) return tl::unexpected(row.error());
  (*row)->state = OutboxState::kFailed;
  (*row)->last_error = error;
  ++(*row)->attempts;
  return Ok();
}

Result<int64_t> MemoryStateStore::Retry(const std::string& alert_id, Clock::WallTime now) {
  std::lock_guard lock(mutex_);
  int64_t changed = 0;
  for (auto& [row_id, row] : rows_) {
    if (row.state != OutboxState::kFailed) continue;
    if (!alert_id.empty() && row.alert_id != alert_id) continue;
    row.state = OutboxState::kPending;
    row.next_due = Floor(now);
    row.attempts = 0;
    ++changed;
  }
  return changed;
}

Result<std::vector<OutboxRow>> MemoryStateStore::ListRows(std::optional<OutboxState> state,
                                                          size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<OutboxRow> out;
  for (auto it = rows_.rbegin(); it != rows_.rend() && out.size() < limit; ++it) {
    if (!state || it->second.state == *state) out.push_back(it->second);
  }
  return out;
}

Result<std::optional<std::string>> MemoryStateStore::DeliveredRef(const std::string& alert_id,
                                                                  const std::string& sink) {
  std::lock_guard lock(mutex_);
  auto it = by_alert_sink_.find({alert_id, sink});
  if (it == by_alert_sink_.end()) return std::optional<std::string>();
  const OutboxRow& row = rows_.at(it->second);
  if (row.state != OutboxState::kDelivered) return std::optional<std::string>();
  return std::optional<std::string>(row.sink_ref);
}

Result<int64_t> MemoryStateStore::PruneHistory(Clock::WallTime older_than) {
  std::lock_guard lock(mutex_);
  older_than = Floor(older_than);
  int64_t pruned = 0;
  for (auto it = rows_.begin(); it != rows_.end();) {
    const OutboxRow& row = it->second;
    if (row.state != OutboxState::kPending && row.created < older_than) {
      by_alert_sink_.erase({row.alert_id, row.sink});
      it = rows_.erase(it);
      ++pruned;
    } else {
      ++it;
    }
  }
  return pruned;
}

Result<std::optional<Window>> MemoryStateStore::GetWindow(const std::string& key,
                                                          Clock::WallTime now) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  if (it == windows_.end() || it->second.expires <= Floor(now)) return std::optional<Window>();
  return std::optional<Window>(it->second);
}

Result<void> MemoryStateStore::PutWindow(const Window& window) {
  std::lock_guard lock(mutex_);
  Window stored = window;
  stored.start = Floor(window.start);
  stored.expires = Floor(window.expires);
  windows_[window.key] = std::move(stored);
  return Ok();
}

Result<int64_t> MemoryStateStore::ExpireWindows(Clock::WallTime now) {
  std::lock_guard lock(mutex_);
  now = Floor(now);
  int64_t expired = 0;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (it->second.expires <= now) {
      it = windows_.erase(it);
      ++expired;
    } else {
      ++it;
    }
  }
  return expired;
}

}  // namespace tw::state

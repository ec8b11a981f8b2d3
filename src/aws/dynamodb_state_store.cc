#include "aws/dynamodb_state_store.h"

#include <fmt/format.h>

#include <random>
#include <set>

namespace tw::aws {
namespace {

constexpr char kWorkerSource[] = "__trailwatch";
constexpr char kWorkerKey[] = "worker_id";

int64_t Millis(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Clock::WallTime FromMillis(int64_t ms) {
  return Clock::WallTime(
      std::chrono::duration_cast<Clock::WallTime::duration>(std::chrono::milliseconds(ms)));
}
int64_t Seconds(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Item Key(std::string pk) { return {{kStatePartitionKey, AttributeValue::S(std::move(pk))}}; }
std::string WindowKey(const std::string& key) { return "w|" + key; }
std::string ClaimKey(const std::string& alert_id) { return "c|" + alert_id; }

std::string NewWorkerId() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

}  // namespace

Result<std::unique_ptr<DynamoDbStateStore>> DynamoDbStateStore::Create(
    std::unique_ptr<state::StateStore> local, std::unique_ptr<DynamoDbClient> db,
    DynamoDbStateOptions options, const Clock& clock) {
  if (options.table.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "dynamodb state: the table name is empty");
  }
  if (!local || !db) return Fail(ErrorCode::kInvalidArgument, "dynamodb state: missing a part");
  std::unique_ptr<DynamoDbStateStore> store(
      new DynamoDbStateStore(std::move(local), std::move(db), std::move(options), clock));
  auto id = store->local_->LoadCheckpoint(kWorkerSource, kWorkerKey);
  if (!id) return tl::unexpected(id.error());
  if (*id && !(*id)->empty()) {
    store->worker_id_ = **id;
  } else {
    store->worker_id_ = NewWorkerId();
    if (auto r = store->local_->Commit({}, {{kWorkerSource, kWorkerKey, store->worker_id_}}); !r) {
      return tl::unexpected(r.error());
    }
  }
  return store;
}

// ---- windows -------------------------------------------------------------------------------

Result<std::optional<state::Window>> DynamoDbStateStore::GetWindow(const std::string& key,
                                                                   Clock::WallTime now) {
  auto item = db_->GetItem(options_.table, Key(WindowKey(key)), /*consistent_read=*/true);
  if (!item) return tl::unexpected(item.error());
  int64_t version = 0;
  std::optional<state::Window> out;
  if (*item) {
    const Item& it = **item;
    auto field = [&](const char* name) -> std::optional<int64_t> {
      auto f = it.find(name);
      return f == it.end() ? std::nullopt : f->second.AsInt();
    };
    auto v = field("version");
    auto count = field("count");
    auto start = field("start");
    auto expires = field("expires");
    if (!v || !count || !start || !expires) {
      return Fail(ErrorCode::kCorruption,
                  "dynamodb state: window item " + WindowKey(key) + " lacks a field");
    }
    version = *v;
    if (Millis(now) < *expires) {
      state::Window w;
      w.key = key;
      w.count = *count;
      w.start = FromMillis(*start);
      w.expires = FromMillis(*expires);
      if (auto d = it.find("data"); d != it.end()) w.data = d->second.value;
      out = std::move(w);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  read_versions_[key] = version;
  return out;
}

// The window is written whole, with one PutItem, never patched in place with UpdateItem: a
// reader then sees the old item or the new one, never an item with some of its fields. (moto
// applies an UpdateItem to a new item field by field, and a concurrent GetItem saw the half-made
// item; DynamoDB itself is atomic either way.) The version is the one read plus one; a write with
// no read before it takes a random version that no reader can hold.
Result<void> DynamoDbStateStore::PutWindow(const state::Window& window) {
  std::optional<int64_t> read;
  int64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = read_versions_.find(window.key); it != read_versions_.end()) {
      read = it->second;
      read_versions_.erase(it);
    }
    version = read ? *read + 1 : std::uniform_int_distribution<int64_t>(1LL << 40, 1LL << 62)(rng_);
  }
  Item item = Key(WindowKey(window.key));
  item["count"] = AttributeValue::N(window.count);
  item["start"] = AttributeValue::N(Millis(window.start));
  item["expires"] = AttributeValue::N(Millis(window.expires));
  item["data"] = AttributeValue::B(window.data);
  item[kStateTtlAttribute] = AttributeValue::N(Seconds(window.expires) + 1);
  item["version"] = AttributeValue::N(version);
  Expression condition;
  if (read && *read == 0) {
    condition.text = "attribute_not_exists(#pk)";
    condition.names = {{"#pk", kStatePartitionKey}};
  } else if (read) {
    condition.text = "#version = :read";
    condition.names = {{"#version", "version"}};
    condition.values = {{":read", AttributeValue::N(*read)}};
  }
  auto r = db_->PutItem(options_.table, item, condition);
  if (!r) return tl::unexpected(r.error());
  if (*r == WriteOutcome::kConditionFailed) {
    return Fail(ErrorCode::kConflict,
                "dynamodb state: window `" + window.key +
                    "` was changed by another worker meanwhile; the input will be retried");
  }
  return Ok();
}

Result<int64_t> DynamoDbStateStore::ExpireWindows(Clock::WallTime now) {
  return local_->ExpireWindows(now);
}

// ---- claims --------------------------------------------------------------------------------

Result<DynamoDbStateStore::ClaimResult> DynamoDbStateStore::Claim(const std::string& alert_id,
                                                                  Clock::WallTime now) {
  Item item = Key(ClaimKey(alert_id));
  item["owner"] = AttributeValue::S(worker_id_);
  item["state"] = AttributeValue::S("pending");
  item["lease"] = AttributeValue::N(Millis(now + options_.claim_lease));
  item[kStateTtlAttribute] = AttributeValue::N(Seconds(now + options_.claim_ttl));
  Expression condition;
  condition.text =
      "attribute_not_exists(#pk) OR (#owner = :me AND #state = :pending) OR "
      "(#state = :pending AND #lease < :now)";
  condition.names = {
      {"#pk", kStatePartitionKey}, {"#owner", "owner"}, {"#state", "state"}, {"#lease", "lease"}};
  condition.values = {{":me", AttributeValue::S(worker_id_)},
                      {":pending", AttributeValue::S("pending")},
                      {":now", AttributeValue::N(Millis(now))}};
  auto put = db_->PutItem(options_.table, item, condition);
  if (!put) return tl::unexpected(put.error());
  if (*put == WriteOutcome::kWritten) return ClaimResult::kMine;
  auto current = db_->GetItem(options_.table, Key(ClaimKey(alert_id)), /*consistent_read=*/true);
  if (!current) return tl::unexpected(current.error());
  if (*current) {
    auto s = (*current)->find("state");
    if (s != (*current)->end() && s->second.value == "committed") return ClaimResult::kCommitted;
  }
  return ClaimResult::kHeldElsewhere;
}

void DynamoDbStateStore::Release(const std::vector<std::string>& alert_ids) {
  for (const std::string& id : alert_ids) {
    Expression condition{
        "#owner = :me AND #state = :pending",
        {{"#owner", "owner"}, {"#state", "state"}},
        {{":me", AttributeValue::S(worker_id_)}, {":pending", AttributeValue::S("pending")}}};
    // Best effort: a claim left behind is taken over when its lease runs out.
    (void)db_->DeleteItem(options_.table, Key(ClaimKey(id)), condition);
  }
}

Result<void> DynamoDbStateStore::Commit(const std::vector<state::NewOutboxEntry>& entries,
                                        const std::vector<state::Checkpoint>& checkpoints) {
  const Clock::WallTime now = clock_.Now();
  std::vector<state::NewOutboxEntry> kept;
  std::vector<std::string> claimed;
  std::set<std::string> seen;
  for (const state::NewOutboxEntry& entry : entries) {
    if (!seen.insert(entry.alert_id).second) {
      // The same alert twice in one input: it follows its first occurrence.
      if (std::find(claimed.begin(), claimed.end(), entry.alert_id) != claimed.end()) {
        kept.push_back(entry);
      }
      continue;
    }
    auto claim = Claim(entry.alert_id, now);
    if (!claim) {
      Release(claimed);
      return tl::unexpected(claim.error());
    }
    switch (*claim) {
      case ClaimResult::kMine:
        claimed.push_back(entry.alert_id);
        kept.push_back(entry);
        break;
      case ClaimResult::kCommitted:
        ++claimed_elsewhere_;
        break;
      case ClaimResult::kHeldElsewhere:
        Release(claimed);
        return Fail(ErrorCode::kConflict,
                    "dynamodb state: alert " + entry.alert_id +
                        " is being committed by another worker; the input will be retried");
    }
  }
  if (auto r = local_->Commit(kept, checkpoints); !r) {
    Release(claimed);
    return r;
  }
  for (const std::string& id : claimed) {
    Expression update{"SET #state = :committed",
                      {{"#state", "state"}},
                      {{":committed", AttributeValue::S("committed")}}};
    Expression condition{
        "#owner = :me", {{"#owner", "owner"}}, {{":me", AttributeValue::S(worker_id_)}}};
    auto r = db_->UpdateItem(options_.table, Key(ClaimKey(id)), update, condition);
    // A failure leaves the claim pending under this worker: the input is retried (Nack), finds
    // its own claim, and the local outbox ignores the alert it already holds.
    if (!r) return tl::unexpected(r.error());
    if (r->outcome == WriteOutcome::kConditionFailed) {
      return Fail(ErrorCode::kConflict,
                  "dynamodb state: the claim on alert " + id + " was taken over by another worker");
    }
  }
  return Ok();
}

Result<bool> InitStateTable(DynamoDbClient& db, const std::string& table,
                            const std::function<void()>& wait, int attempts) {
  auto created = db.CreateTable(table, kStatePartitionKey);
  if (!created) return tl::unexpected(created.error());
  for (int i = 0;; ++i) {
    auto d = db.DescribeTable(table);
    if (!d) return tl::unexpected(d.error());
    if (d->partition_key != kStatePartitionKey) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("DynamoDB table {} exists with partition key `{}`, not `{}`", table,
                              d->partition_key, kStatePartitionKey));
    }
    if (d->status == "ACTIVE") break;
    if (i + 1 >= attempts) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("DynamoDB table {} is still {}", table, d->status));
    }
    wait();
  }
  if (auto r = db.UpdateTimeToLive(table, kStateTtlAttribute); !r) return tl::unexpected(r.error());
  return *created;
}

}  // namespace tw::aws

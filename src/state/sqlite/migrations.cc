#include "state/sqlite/migrations.h"

#include <array>

namespace tw::state::sqlite {
namespace {

// Times are Unix milliseconds (INTEGER). Text columns hold what the caller gave, byte for byte;
// payload and window data are BLOBs because they are opaque to the store.
constexpr std::array<const char*, 2> kMigrationList = {
    // 0 -> 1: checkpoints and the outbox.
    R"sql(
CREATE TABLE checkpoints (
  source  TEXT    NOT NULL,
  key     TEXT    NOT NULL,
  value   TEXT    NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (source, key)
) WITHOUT ROWID;

CREATE TABLE outbox (
  row_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id     TEXT    NOT NULL,
  sink         TEXT    NOT NULL,
  rule_id      TEXT    NOT NULL,
  severity     TEXT    NOT NULL,
  payload      BLOB    NOT NULL,
  state        TEXT    NOT NULL
               CHECK (state IN ('pending', 'delivered', 'failed', 'suppressed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  created      INTEGER NOT NULL,
  next_due     INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error   TEXT    NOT NULL DEFAULT '',
  sink_ref     TEXT    NOT NULL DEFAULT '',
  UNIQUE (alert_id, sink)
);
)sql",
    // 1 -> 2: the outbox's secondary indexes and the dedupe/threshold windows.
    R"sql(
CREATE INDEX outbox_due ON outbox (sink, state, next_due);
CREATE INDEX outbox_state ON outbox (state);

CREATE TABLE windows (
  key     TEXT    NOT NULL PRIMARY KEY,
  count   INTEGER NOT NULL,
  start   INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  data    BLOB    NOT NULL
) WITHOUT ROWID;
CREATE INDEX windows_expires ON windows (expires);
)sql",
};

}  // namespace

std::span<const char* const> Migrations() { return kMigrationList; }

int64_t LatestSchemaVersion() { return static_cast<int64_t>(kMigrationList.size()); }

}  // namespace tw::state::sqlite

// The SQLite state file's schema, as an ordered list of migrations.
//
// Migration i (0-based) takes a file from schema version i to version i + 1; the version is kept
// in `PRAGMA user_version` (0 for a new, empty file). A migration, once released, is never
// edited: a schema change is a new entry at the end. docs/state.md describes the resulting
// schema and the policy.
#pragma once

#include <cstdint>
#include <span>

namespace tw::state::sqlite {

// The migrations in order; Migrations()[i] is the SQL (several statements) from version i to
// i + 1. The current schema version is Migrations().size().
std::span<const char* const> Migrations();

// The schema version this build writes and reads: Migrations().size().
int64_t LatestSchemaVersion();

// `PRAGMA application_id` of a trailwatch state file ("TWst"), so that another SQLite file given
// as `state.path` is refused rather than altered.
inline constexpr int32_t kApplicationId = 0x54577374;

}  // namespace tw::state::sqlite

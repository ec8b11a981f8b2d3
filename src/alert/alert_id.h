// Alert ids: stable names for alerts, so that a replayed input, a restart or a second sink all
// agree on which alert is which (the outbox ignores an (alert id, sink) pair it already holds; the
// webhook sink sends the id as its Idempotency-Key).
//
// id = the first 32 hex digits (128 bits) of SHA-256 over
//      "tw-alert-v1" NUL rule_id NUL event_id NUL dedupe_key
// NUL separators keep ("a", "bc") and ("ab", "c") apart. The same rule on the same event with the
// same dedupe key always gets the same id, on any machine, in any run; the dedupe key is empty
// until the dedupe stage sets it (and stays empty when dedupe is off). A record without an
// eventID uses the SHA-256 of its record JSON in its place, so two different records never share
// an id by lacking one. 128 bits make accidental collisions negligible (2^-64 at 2^32 alerts).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "alert/alert.h"

namespace tw::alert {

// The id described above, for explicit inputs.
std::string ComputeAlertId(std::string_view rule_id, std::string_view event_id,
                           std::string_view dedupe_key);

// Sets alert.id from its rule_id, event_id (or record_json when event_id is empty) and
// dedupe_key.
void AssignAlertId(Alert& alert);

// Lower-case hex SHA-256 of `data` (64 digits).
std::string Sha256Hex(std::string_view data);

}  // namespace tw::alert

// Alert codec: an Alert as one JSON object and back, the payload of an outbox row.
//
// EncodeAlert writes every field of the Alert, including the decoded security-group changes, the
// processing results (dedupe key and count, suppression, threshold count, dedupe parent) and
// notes, as a compact JSON object with "v": 1. DecodeAlert reads it back: Decode(Encode(a)) == a
// for every Alert whose strings are valid UTF-8. Strings are escaped with AppendJsonEscaped, so
// quotes, backslashes and control characters round-trip exactly; a byte that is not valid UTF-8
// cannot be carried by JSON text and is written as U+FFFD (EF BF BD), so such a string comes back
// with U+FFFD in its place. The record itself travels as a JSON string (record_json), byte for
// byte, not re-serialised.
//
// Decode rejects (kParse) input that is not a JSON object, a "v" other than 1, and a known key
// with a value of the wrong type; unknown keys are ignored, so that a newer writer's extra
// fields do not strand rows in an older reader's outbox. Missing keys keep the Alert defaults.
// Thread-safe (DecodeAlert uses a parser per call).
#pragma once

#include <string>
#include <string_view>

#include "alert/alert.h"
#include "common/error.h"

namespace tw::alert {

inline constexpr int kAlertCodecVersion = 1;

std::string EncodeAlert(const Alert& alert);

[[nodiscard]] Result<Alert> DecodeAlert(std::string_view json);

}  // namespace tw::alert

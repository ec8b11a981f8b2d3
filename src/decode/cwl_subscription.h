// CloudWatch Logs subscription payloads carrying CloudTrail events.
//
// A trail can also deliver to a CloudWatch Logs log group; a subscription filter then forwards
// batches of log events. Each log event's `message` is one CloudTrail record as JSON text. The
// payload has two forms (CloudWatch Logs User Guide, "Subscription filters", and the Lambda
// Developer Guide, "Using Lambda with CloudWatch Logs"):
//
//   Lambda form:   {"awslogs":{"data":"<base64 of a gzip of the decoded form>"}}
//   decoded form:  {"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"...",
//                   "logStream":"...","subscriptionFilters":["..."],
//                   "logEvents":[{"id":"...","timestamp":1700000000000,"message":"{...}"}]}
//
// CloudWatch Logs also sends "CONTROL_MESSAGE" payloads to check that the destination is
// reachable; they carry no CloudTrail records and the caller reports them as skipped.
//
// The result owns all its strings (nothing points into the parser's buffers). Errors name the
// field: `logEvents[3].message: expected a string`.
//
// Thread-safety: the functions use a per-thread simdjson parser; they may run on many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tw::decode {

enum class CwlMessageType {
  kData,     // "DATA_MESSAGE": log events to process
  kControl,  // "CONTROL_MESSAGE": a reachability check; skip it, its messages are not records
};

struct CwlLogEvent {
  std::string id;
  std::int64_t timestamp_ms = 0;  // milliseconds since the Unix epoch, when CloudWatch Logs got it
  std::string message;            // for a CloudTrail log group: one CloudTrail record as JSON
  // Set: this entry is malformed (not an object, or a missing or mistyped id, timestamp or
  // message), e.g. "logEvents[3].message: expected a string"; the other members are then empty.
  // The other entries are unaffected.
  std::optional<Error> error;
};

struct CwlSubscription {
  CwlMessageType message_type = CwlMessageType::kData;
  std::string owner;  // the account that owns the log group
  std::string log_group;
  std::string log_stream;
  std::vector<std::string> subscription_filters;
  std::vector<CwlLogEvent> log_events;
};

// Upper bound on the size of a decoded payload (CloudWatch Logs caps a batch at 1 MB
// uncompressed; this leaves room while refusing gzip bombs).
inline constexpr std::size_t kMaxCwlPayloadBytes = 16 * 1024 * 1024;

// Parses the decoded form. `messageType` and `logEvents` are required; `owner`, `logGroup`,
// `logStream` and `subscriptionFilters` may be missing (empty) but must have the right type when
// present; each log event needs a string `id`, an integer `timestamp` and a string `message`:
// an entry that lacks one is returned with CwlLogEvent::error set, in its place, and does not
// affect the others. Unknown keys are ignored.
// Errors: kParse for invalid JSON, a missing or mistyped payload-level field, or an unknown
// messageType.
[[nodiscard]] Result<CwlSubscription> ParseCwlSubscription(std::string_view json);

// Decodes the Lambda form: `awslogs.data` -> strict base64 -> gunzip -> ParseCwlSubscription.
// Errors: kParse (invalid JSON, missing `awslogs.data`, bad base64, bad decoded payload),
// kCorruption (damaged gzip), kResourceExhausted (decoded payload over kMaxCwlPayloadBytes).
// Messages are prefixed with the field, e.g. "awslogs.data: gzip: ...".
[[nodiscard]] Result<CwlSubscription> DecodeCwlLambdaEvent(std::string_view json);

}  // namespace tw::decode

// LambdaHandler: one Lambda invocation through the same processing as `watch`, delivered before
// the answer.
//
// `trailwatch lambda` (cli/lambda_command.cc) runs the Runtime API loop; this class is what it
// does with each event, with no network of its own beyond the sinks and the injected fetcher:
//   1. each item of the event (sources/lambda/invocation_event.h: the whole event, or one SQS
//      message) is read: its documents, and the S3 objects it names, fetched through `fetch`,
//      go through the RecordReader and the Engine, exactly as a `watch` batch does;
//   2. its alerts run through the stage chain of pipeline::BuildProcessing (the `watch` chain:
//      enrich, schedule, suppress, threshold, dedupe), then the stages' Tick;
//   3. every alert that is not suppressed is delivered to every sink that accepts it, now, with
//      retries: a kRetry waits for the server's Retry-After, else the outbox's backoff
//      (sinks/outbox/delivery_loop.h BackoffDelay), as long as `reserve` of the invocation's
//      time is left; a kPermanent fails at once.
// Then the answer: success only when every alert of the invocation was delivered. Otherwise the
// invocation fails (for SQS: the messages whose alerts were not delivered, or whose body could
// not be read, are listed in batchItemFailures and the rest succeeds), so that Lambda's retry,
// the queue's redrive or an on-failure destination takes over. Success is never reported over a
// lost alert.
//
// Why not pipeline::Pipeline: without a state store its sinks are fire-and-forget, and with one
// delivery is asynchronous; a Lambda must know, before it answers, what each item delivered.
// The stages, the engine, the reader and the sinks are the same objects `watch` uses.
//
// The deadline: no new item is started, and no delivery is tried, with less than `reserve` left
// before the deadline (Clock::Monotonic). A Deliver already in flight is bounded by its sink's
// own HTTP timeouts, which the caller should keep below the function timeout.
//
// Windows (dedupe, threshold) live in `windows`: a memory store that lives as long as the process
// (they hold only while the execution environment is warm), or aws::DynamoDbStateStore (they
// hold across invocations and instances; cli/lambda_command.cc picks). An invocation's
// window changes are kept apart and applied to `windows` only when the invocation succeeds
// entirely: a failed invocation leaves no trace, so Lambda's retry of the same event alerts
// again instead of being deduplicated into silence. With DynamoDB, applying is a conditional
// write per window (the version read): when a concurrent instance changed a window meanwhile,
// the write is refused, the alerts stay delivered and the outcome notes "windows not kept".
//
// Ownership: owns the processing (rules, stages) and its engine and reader; borrows the sinks,
// the windows store and the clock. Thread-safety: one invocation at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "decode/record_reader.h"
#include "engine/engine.h"
#include "pipeline/daemon.h"
#include "sinks/outbox/delivery_loop.h"
#include "sinks/sink.h"
#include "sources/lambda/invocation_event.h"
#include "sources/lambda/runtime_api.h"
#include "state/state_store.h"

namespace tw::pipeline {

// Fetches one S3 object's bytes, as stored (gzip or not). Null in LambdaParts: the S3, SNS and
// SQS-of-S3 shapes fail with "S3 fetch is not configured".
using ObjectFetcher = std::function<Result<std::string>(const sources::S3Object& object)>;
// Blocks until the monotonic time `until` (production: sleeps; tests: advance a FakeClock).
using WaitUntil = std::function<void(Clock::MonoTime until)>;

struct LambdaParts {
  Processing processing;                 // rules and stages (BuildProcessing)
  std::vector<sinks::Sink*> sinks;       // borrowed
  state::StateStore* windows = nullptr;  // borrowed; required
  const Clock* clock = nullptr;          // borrowed; required
  ObjectFetcher fetch;                   // optional
  WaitUntil wait;                        // required
};

struct LambdaHandlerOptions {
  // Time kept back before the deadline to answer the invocation.
  std::chrono::milliseconds reserve{1'000};
  // Backoff between attempts of one delivery (Retry-After wins when the sink reports one).
  sinks::outbox::BackoffPolicy backoff{std::chrono::milliseconds(200), std::chrono::seconds(5),
                                       std::chrono::milliseconds(50)};
  uint64_t jitter_seed = 0;  // 0: from std::random_device
  engine::EngineOptions engine;
  decode::RecordReaderOptions reader;
};

// What one invocation came to.
struct InvocationOutcome {
  uint64_t items = 0;
  uint64_t events = 0;     // records evaluated
  uint64_t alerts = 0;     // alerts that left the stages (suppressed ones included)
  uint64_t delivered = 0;  // (alert, sink) deliveries that succeeded
  uint64_t suppressed = 0;
  std::vector<std::string> failed_items;  // SQS messageIds for batchItemFailures
  std::vector<std::string> notes;         // damaged records, skipped inputs ... (for the log)
  // Set: answer with /error. Otherwise answer `response`.
  std::optional<sources::RuntimeError> error;
  std::string response;
};

// The error types trailwatch posts (errorType and Lambda-Runtime-Function-Error-Type).
inline constexpr const char* kErrorUnknownShape = "Trailwatch.UnknownEventShape";
inline constexpr const char* kErrorBadEvent = "Trailwatch.BadEvent";
inline constexpr const char* kErrorBadInvocation = "Trailwatch.BadInvocation";
inline constexpr const char* kErrorDelivery = "Trailwatch.DeliveryFailed";
inline constexpr const char* kErrorDeadline = "Trailwatch.DeadlineExceeded";
inline constexpr const char* kErrorFetch = "Trailwatch.FetchFailed";
inline constexpr const char* kErrorConfig = "Trailwatch.BadConfig";

class LambdaHandler {
 public:
  // kInvalidArgument when the rules, the windows store, the clock or `wait` is missing.
  [[nodiscard]] static Result<std::unique_ptr<LambdaHandler>> Create(LambdaParts parts,
                                                                     LambdaHandlerOptions options);

  // Handles one parsed event. `input` names it in alerts and notes ("lambda:<request id>").
  // `deadline` is the invocation's deadline on Clock::Monotonic.
  InvocationOutcome Handle(const sources::InvocationEvent& event, const std::string& input,
                           Clock::MonoTime deadline);

  size_t rule_count() const;

 private:
  LambdaHandler(LambdaParts parts, LambdaHandlerOptions options);
  struct ItemAlerts;
  // Delivers `alert` to every sink that accepts it; an error says why it was not delivered.
  Result<void> Deliver(const alert::Alert& alert, Clock::MonoTime stop_at,
                       InvocationOutcome& outcome);

  LambdaParts parts_;
  LambdaHandlerOptions options_;
  engine::Engine engine_;
  decode::RecordReader reader_;
  std::mt19937_64 rng_;
  // Delivered messages' sink refs by "alert id\nsink", so that a dedupe repeat (its
  // dedupe_parent_id) in a later warm invocation threads under its first message. Bounded: cleared
  // past kMaxRefs.
  std::unordered_map<std::string, std::string> refs_;
};

}  // namespace tw::pipeline

// Stage: one step of alert processing between the engine and the outbox (dedupe, threshold,
// suppress, schedule, enrichment).
//
// The pipeline runs a batch's alerts through its stages in order: each stage's Process() gets
// the alerts the previous stage left and may keep them, edit them (enrichment, a dedupe count),
// drop them (schedule) or hold them back (a threshold not yet reached, a dedupe window). What a
// stage holds it releases later from Tick(), which the pipeline calls periodically and after
// every batch; released alerts continue through the stages after the one that released them.
// The alerts that leave the last stage go to the outbox (watch) or straight to the sinks (scan).
//
// Stages are configured per rule (rules/policy.h) when they are built; a stage looks an alert's
// policy up by Alert::rule_id. Time comes only from `ctx.clock` (never the system clock;
// business-hours schedules use the event's eventTime), and durable state (windows) only from
// `ctx.state`, which is null when the pipeline runs without a state store (`scan` without a
// config): a stage then keeps its windows in memory for the run.
//
// Ownership and thread-safety: the pipeline owns its stages and calls Process and Tick from one
// thread at a time (its stage thread); a stage needs no lock of its own. The context and what it
// points to are borrowed for the duration of one call.
#pragma once

#include <vector>

#include "alert/alert.h"
#include "common/clock.h"
#include "common/error.h"
#include "state/state_store.h"

namespace tw::alert {

// What a stage may use besides the alerts. Both pointees outlive the call.
struct StageContext {
  const Clock& clock;
  state::StateStore* state = nullptr;  // null: no state store; keep windows in memory
};

class Stage {
 public:
  virtual ~Stage() = default;

  // A short lower-case name for logs and diagnostics ("dedupe", "threshold", ...).
  virtual const char* name() const = 0;

  // Processes the alerts of one batch in place: on return `alerts` holds the alerts that go on,
  // in order. Dropped and held alerts are removed from it (suppressed alerts are kept, with
  // Alert::suppressed set, so that they are counted and listed). An error (the state store
  // failed) leaves `alerts` unspecified; the pipeline then does not acknowledge the batch.
  [[nodiscard]] virtual Result<void> Process(std::vector<Alert>& alerts,
                                             const StageContext& ctx) = 0;

  // Appends to `released` the held alerts that time (ctx.clock) has made due, and forgets them.
  // Default: the stage holds nothing.
  [[nodiscard]] virtual Result<void> Tick(const StageContext& ctx, std::vector<Alert>& released) {
    (void)ctx;
    (void)released;
    return {};
  }
};

}  // namespace tw::alert

// DeliveryLoop: drains one sink's outbox rows, on its own thread, with retries and dead letters.
//
// One loop per sink, so a sink that is down or rate limited holds no other sink back. A step
// (RunOnce) reads the rows due for the sink (StateStore::DueRows, oldest first), decodes each
// payload to an Alert (the injected decoder: alert/codec.h once on main), looks up the parent
// message of a dedupe repeat (StateStore::DeliveredRef of Alert::dedupe_parent_id), calls
// Sink::Deliver, and records the outcome:
//   kDelivered -> MarkDelivered(row, now, sink_ref);
//   kRetry     -> Reschedule(row, row.next_due, error): attempts+1 and last_error recorded, the
//                 row keeps its place at the head of the sink's queue; and the whole sink pauses
//                 for the server's Retry-After when given, else exponential backoff with full
//                 jitter from the row's attempt count: uniform in [0, min(max_delay,
//                 initial_delay * 2^attempts)] (AWS Architecture Blog, "Exponential Backoff And
//                 Jitter"), at least min_delay;
//   kPermanent -> MarkFailed(row, error) (dead letter; `trailwatch alerts retry` revives it);
//   undecodable payload -> MarkFailed with the decoder's error.
// Order: StateStore::DueRows orders by next_due, then insertion. Were a retried row given a later
// next_due, the rows behind it would overtake it; so its next_due stays, and the pause lives in
// the loop: the step stops at the first retry, nothing of this sink is tried until the pause
// ends, and rows go out in outbox order. A rate-limited or failing sink is thus sent one request
// per pause, not one per row. The pause is not persisted: after a restart the head row is tried
// once at once, then the backoff (from its attempt count) applies again. A store error ends the
// step and the thread tries again after `store_retry`. When the sink accepted a row but
// MarkDelivered failed (a full disk), the mark is retried before any other delivery, so the sink
// never sees that row again because of the store.
//
// Time comes only from the Clock: due times and backoff use Clock::Now(), the shutdown deadline
// Clock::Monotonic(). The thread waits on a condition variable with a timeout computed from the
// clock (until the next due row, at most `idle_poll`, so rows another process revives are
// noticed); Notify() wakes it when new rows are committed. Tests drive RunOnce(now) on a
// FakeClock and never start the thread.
//
// Ownership: borrows the sink, the store and the clock (they must outlive the loop).
// Thread-safety: Notify and Stop may be called from any thread; RunOnce must not be called while
// the thread runs (it takes the same internal lock, so it is safe but interleaves).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "alert/alert.h"
#include "common/clock.h"
#include "common/error.h"
#include "sinks/sink.h"
#include "state/state_store.h"

namespace tw::sinks::outbox {

// Turns an outbox payload back into an Alert (alert/codec.h).
using AlertDecoder = std::function<Result<alert::Alert>(std::string_view payload)>;

// The alert id whose delivered message a repeat threads under; empty: not a repeat.
using ParentIdFn = std::function<std::string(const alert::Alert& alert)>;

struct BackoffPolicy {
  std::chrono::milliseconds initial_delay{1'000};
  std::chrono::milliseconds max_delay{5 * 60'000};
  std::chrono::milliseconds min_delay{100};  // a floor under the jitter
};

// The backoff delay before attempt `attempts` + 1 (attempts >= 0): full jitter, drawn from `rng`.
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempts,
                                       std::mt19937_64& rng);

struct DeliveryLoopOptions {
  size_t batch_size = 32;  // rows read per DueRows call
  BackoffPolicy backoff;
  // 0: retry forever (the default: nothing is dropped because a sink stayed down). N > 0: a row
  // whose N-th attempt fails with kRetry is dead-lettered instead. 429s count as attempts.
  int max_attempts = 0;
  // Pacing: at least this long between two deliveries (0: none). Slack posts about one message
  // per second per channel (alerting-and-aws-facts.md §1.1); `min_interval: 1s` on a Slack sink
  // avoids meeting the limit in a burst instead of relying on 429s. Each step then delivers at
  // most one row.
  std::chrono::milliseconds min_interval{0};
  std::chrono::milliseconds idle_poll{5'000};    // longest wait with nothing due
  std::chrono::milliseconds store_retry{1'000};  // wait after a store error
  uint64_t jitter_seed = 0;                      // 0: seeded from std::random_device
  // Default: a repeat threads under the delivered message of Alert::dedupe_parent_id (the first
  // alert of its dedupe window, set by the dedupe stage).
  ParentIdFn parent_alert_id;
};

struct StepResult {
  int delivered = 0;
  int retried = 0;
  int failed = 0;  // dead-lettered
  // When the sink may be tried next: the retry time after a retry, else nullopt (ask NextDue).
  std::optional<Clock::WallTime> paused_until;
};

class DeliveryLoop {
 public:
  // kInvalidArgument for a zero batch size or a missing decoder.
  [[nodiscard]] static Result<std::unique_ptr<DeliveryLoop>> Create(Sink& sink,
                                                                    state::StateStore& store,
                                                                    const Clock& clock,
                                                                    AlertDecoder decoder,
                                                                    DeliveryLoopOptions options);
  ~DeliveryLoop();  // stops the thread at once (no grace) if it still runs
  DeliveryLoop(const DeliveryLoop&) = delete;
  DeliveryLoop& operator=(const DeliveryLoop&) = delete;

  // One step at wall time `now`: delivers the rows due at `now`, in order, until none is left,
  // a retry pauses the sink, or the store fails. Does nothing while paused (before the paused
  // time). Deterministic given the options' jitter_seed.
  [[nodiscard]] Result<StepResult> RunOnce(Clock::WallTime now);

  // Starts the delivery thread. Call once.
  void Start();
  // Wakes the thread: rows were committed for this sink.
  void Notify();
  // Shutdown with grace: keeps delivering until `deadline` (Clock::Monotonic) or until nothing
  // is due, then ends the thread and returns. A Deliver in flight at the deadline finishes
  // first (it is bounded by the sink's own timeouts).
  void Stop(Clock::MonoTime deadline);
  // Like Stop, but waits for the thread only until `deadline`: true when it has ended (and is
  // joined); false when a Deliver is still in flight then (a server that hangs), and the thread
  // is left running. The caller may then exit the process without waiting: the row in flight
  // stays pending in the outbox, so at worst it is sent once more after the restart, as after
  // a crash (docs/delivery.md). Between two rows a stopping loop checks the deadline, so a long
  // run of due rows does not hold it past the deadline either.
  [[nodiscard]] bool StopBy(Clock::MonoTime deadline);

  const std::string& sink_name() const { return sink_.name(); }

 private:
  DeliveryLoop(Sink& sink, state::StateStore& store, const Clock& clock, AlertDecoder decoder,
               DeliveryLoopOptions options);
  void Run();
  Result<StepResult> Step(Clock::WallTime now);
  bool PastDeadline();

  // A row the sink accepted whose MarkDelivered failed (a full disk): marked again before
  // anything else is delivered, so that a store failure never makes the sink see it twice.
  struct Unmarked {
    int64_t row_id;
    Clock::WallTime at;
    std::string sink_ref;
  };
  std::optional<Unmarked> unmarked_;

  Sink& sink_;
  state::StateStore& store_;
  const Clock& clock_;
  AlertDecoder decoder_;
  DeliveryLoopOptions options_;
  std::mt19937_64 rng_;

  std::mutex step_mu_;  // one step at a time
  std::optional<Clock::WallTime> paused_until_;

  std::mutex mu_;  // guards the flags below
  std::condition_variable cv_;
  bool notified_ = false;
  bool stopping_ = false;
  bool finished_ = false;  // the thread has left Run
  std::optional<Clock::MonoTime> deadline_;
  std::thread thread_;
};

}  // namespace tw::sinks::outbox

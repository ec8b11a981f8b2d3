// Pipeline: Source -> RecordReader -> Engine -> Stages -> (outbox | sinks). One object runs
// `scan`, `match`, and (with its configured sources, stages, state store and sinks) `watch`.
//
// Wiring, per batch (sources/source.h):
//   1. a worker thread takes the next Batch from its source (Source::Next);
//   2. its RecordReader splits each document into records and its Engine evaluates them
//      (one reader and one engine per worker; no lock on this path);
//   3. under the pipeline's commit lock (one batch at a time, in completion order):
//      a. the stages run in order over the batch's alerts (alert/stage.h), then Tick()
//         releases what time made due; released alerts go through the stages after theirs;
//      b. with a state store: the alerts become outbox rows, one per accepting sink, committed
//         together with the batch's checkpoint (StateStore::Commit); sinks are then fed from
//         the outbox by the delivery loop (sinks/outbox), not here;
//         without a state store (`scan`): each alert goes straight to every sink that accepts
//         it (Sink::Deliver; a failure is not retried);
//      c. the listener gets the batch's report (counts, errors, the alerts);
//   4. Source::Ack(batch), or Source::Nack(batch, error) when the commit failed.
// So output order is per batch in completion order, or (PipelineOptions::ordered, `scan` and
// `match`) in the order the batches were taken from the source: input order, then record order.
//
// Threads: Run() starts `threads` workers for each source (scan: one source, --threads workers,
// one file each at a time; watch: one per source is enough) and returns when every source is
// exhausted or `stop` is set and the workers have finished the batches they hold.
//
// Reconfiguration (SIGHUP, pipeline::Daemon::Reload): while Run is under way, AddSource starts a
// new source's workers, RemoveSource stops one source's workers after the batches they hold
// (those are committed and acknowledged as usual, so nothing already read is dropped), and
// SetRules, SetStages and SetSinks swap the rule set, the stage chain and the sinks between two
// batches.
//
// Ownership: the pipeline owns its sources and stages; the state store, the sinks, the clock,
// the listener and the progress counters are borrowed and must outlive Run() (a sink replaced by
// SetSinks may be destroyed once SetSinks returns). The rule set is shared and may be replaced
// between batches (SetRules, for SIGHUP).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "alert/stage.h"
#include "common/clock.h"
#include "common/error.h"
#include "decode/record_reader.h"
#include "engine/engine.h"
#include "rules/rule_set.h"
#include "sinks/sink.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace tw::pipeline {

// A problem with one input or one record of it.
struct InputError {
  std::string file;
  std::string where;  // "record 12", "line 7", "logEvents[3]"; empty for the whole input
  Error error;
};

// What the pipeline made of one batch.
struct BatchReport {
  std::string input;
  uint64_t part = 0;                 // Batch::part: 0 for the first (often only) batch of an input
  uint64_t events = 0;               // records evaluated
  uint64_t bytes = 0;                // decompressed bytes
  std::vector<alert::Alert> alerts;  // the alerts that left the stages (delivered or committed)
  std::vector<InputError> errors;
  std::string skipped;  // non-empty: the input was recognised and deliberately skipped (why)
  // Set: the batch's alerts and checkpoint could not be committed (a full disk ...); the batch
  // was not acknowledged (Source::Nack), so a source that can re-read it will.
  std::optional<Error> commit_error;
};

// Called once per batch under the commit lock, after its alerts are delivered or committed:
// no locking needed inside.
class BatchListener {
 public:
  virtual ~BatchListener() = default;
  virtual void OnBatch(BatchReport& report) = 0;
};

// Live counters, readable from another thread for a progress display.
struct Progress {
  std::atomic<uint64_t> batches{0};  // inputs: their first batches (Batch::part 0) done
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> alerts{0};
  std::atomic<uint64_t> bytes{0};
};

struct PipelineOptions {
  int threads = 1;  // workers per source
  // Deliver (or commit) batches in the order the sources handed them out, whatever worker
  // finishes first: `scan` prints in input order, then record order, with any --threads. Calls
  // to Source::Next are then serialised (a file is read under that lock; its decoding and
  // evaluation stay parallel). A worker that finishes before the batches ahead of its own parks
  // its report (the alerts; the batch's documents are freed) and takes the next batch; whichever
  // worker completes the oldest batch commits it and every parked one behind it, in order. At
  // most 3 x `threads` batches are taken and not yet committed (taking waits beyond that), so
  // memory stays bounded by `threads` batches being read plus the parked reports.
  bool ordered = false;
  engine::EngineOptions engine;
  decode::RecordReaderOptions reader;
  // After a failed commit (the batch is Nack'ed), a worker waits this long before it takes
  // another batch, so that a full disk is not met again in a tight loop.
  std::chrono::milliseconds commit_retry{1'000};
};

// What a pipeline is built from. Only `rules`, `sources` and `clock` are required.
struct PipelineParts {
  std::shared_ptr<const rules::RuleSet> rules;
  std::vector<std::unique_ptr<sources::Source>> sources;
  std::vector<std::unique_ptr<alert::Stage>> stages;
  state::StateStore* state = nullptr;  // null: deliver straight to the sinks
  // Where the stages keep their windows when `state` is null (`scan --config --state PATH`:
  // windows on disk, output straight to the sinks). Null: `state`.
  state::StateStore* stage_state = nullptr;
  std::vector<sinks::Sink*> sinks;
  const Clock* clock = nullptr;
  BatchListener* listener = nullptr;
  Progress* progress = nullptr;
  // The outbox payload of an alert (with a state store). Default: its JSON (alert/format.h).
  std::function<std::string(const alert::Alert&)> encode;
};

class Pipeline {
 public:
  // Errors: kInvalidArgument when a required part is missing or threads < 1.
  [[nodiscard]] static Result<std::unique_ptr<Pipeline>> Create(PipelineParts parts,
                                                                PipelineOptions options);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs every source to exhaustion (or until `stop`). Returns the first error of a source
  // (Source::Next failed) or of the state store; the other batches still ran.
  [[nodiscard]] Result<void> Run(const std::atomic<bool>& stop);

  // Runs the stages' Tick and commits or delivers what they release (watch calls it
  // periodically; Run calls it after every batch). Thread-safe.
  [[nodiscard]] Result<void> Tick();

  // Replaces the rule set; each worker picks it up at its next batch. Thread-safe.
  void SetRules(std::shared_ptr<const rules::RuleSet> rules);

  // Replaces the stage chain (a reload's new policy table). Takes the commit lock, so no batch
  // sees half of the old chain and half of the new; the old stages are destroyed here (the
  // stages hold no alerts: their windows live in the state store). Thread-safe.
  void SetStages(std::vector<std::unique_ptr<alert::Stage>> stages);

  // Replaces the sinks the outbox rows are written for (or, without a state store, the alerts
  // delivered to), from the next batch on. Takes the commit lock; once it returns the old sinks
  // are no longer used by the pipeline. Thread-safe.
  void SetSinks(std::vector<sinks::Sink*> sinks);

  // Adds a source. While Run is under way its workers start at once; before, they start with
  // Run; after Run has begun stopping, the source is kept but never read. Thread-safe.
  void AddSource(std::unique_ptr<sources::Source> source);

  // Stops reading `source` (one of this pipeline's): its workers finish the batches they hold
  // (committed and acknowledged as usual), then it is destroyed. Blocks until then (at most a
  // batch's processing plus the source's 100 ms stop check). False when it is not one of ours.
  // Thread-safe.
  bool RemoveSource(const sources::Source* source);

  // While held (Daemon::Reload between removing and adding sources), Run does not return
  // because every source is exhausted: a source removed before its replacement is added must not
  // end the run. Thread-safe.
  void HoldRun(bool hold);

  // The current sources (owned by the pipeline), in the order they were added.
  std::vector<sources::Source*> Sources();

 private:
  Pipeline(PipelineParts parts, PipelineOptions options);
  class Worker;
  struct SourceRun;

  // Under runs_mu_: starts `run`'s workers.
  void StartRun(SourceRun& run);
  void RunWorker(sources::Source& source, const std::atomic<bool>& stop);
  // Under commit_mu_: runs the stages over `report`'s alerts, commits or delivers them with the
  // batch's checkpoint, counts progress and calls the listener. The result decides Ack or Nack.
  Result<void> CommitLocked(const sources::Batch& batch, BatchReport& report);
  // Records the run's first error.
  void RecordError(Error error);
  // Under commit_mu_: runs stages from `first` on over `alerts`, in place.
  Result<void> RunStages(std::vector<alert::Alert>& alerts, size_t first);
  Result<void> TickLocked(std::vector<alert::Alert>& out);
  state::StateStore* StageState() const {
    return parts_.stage_state != nullptr ? parts_.stage_state : parts_.state;
  }
  // Under commit_mu_: commits or delivers `alerts` with `checkpoint` (may be empty).
  Result<void> Emit(const std::vector<alert::Alert>& alerts, const state::Checkpoint& checkpoint);
  std::shared_ptr<const rules::RuleSet> CurrentRules();

  PipelineParts parts_;
  PipelineOptions options_;
  std::mutex rules_mu_;
  std::mutex commit_mu_;
  // PipelineOptions::ordered: Next is called under next_mu_, which numbers the batches
  // (next_seq_). A worker that has processed a batch parks it in parked_ (under park_mu_); if no
  // worker is committing (committing_), it becomes the committer and commits, in number order
  // under commit_mu_, every parked batch whose turn has come (committed_ counts the batches
  // committed) until none is due. So a worker never waits for a slower one's batch nor for
  // another's commit; it goes on to the next batch. Taking a batch waits (room_cv_) while
  // threads x kBatchesAheadPerWorker batches are taken and not committed, which bounds the
  // parked reports.
  static constexpr uint64_t kBatchesAheadPerWorker = 3;
  struct Parked {
    sources::Source* source;
    sources::Batch batch;  // without its documents
    BatchReport report;
  };
  struct Finished {
    sources::Source* source;
    sources::Batch batch;
    Result<void> done;
  };
  std::mutex next_mu_;
  uint64_t next_seq_ = 0;
  std::mutex park_mu_;
  std::map<uint64_t, Parked> parked_;
  bool committing_ = false;
  std::atomic<uint64_t> committed_{0};
  std::mutex room_mu_;
  std::condition_variable room_cv_;
  std::mutex error_mu_;
  std::optional<Error> first_error_;

  // The sources and their workers. runs_mu_ guards the list and the flags; membership_mu_ is
  // held by RemoveSource and by Run's final stop while they join workers, so that one never
  // destroys a source the other is joining.
  std::mutex membership_mu_;
  std::mutex runs_mu_;
  std::condition_variable runs_cv_;
  std::vector<std::unique_ptr<SourceRun>> runs_;
  bool running_ = false;
  bool stopping_ = false;
  bool held_ = false;
};

}  // namespace tw::pipeline

#include "pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "alert/format.h"
#include "decode/file_reader.h"

namespace tw::pipeline {
namespace {

// Feeds the records of one batch to the engine and collects what comes out.
class BatchVisitor final : public decode::RecordVisitor {
 public:
  BatchVisitor(engine::Engine& engine, BatchReport& report, Progress* progress)
      : engine_(engine), report_(report), progress_(progress), counted_(engine.events()) {}

  decode::RecordStatus OnRecord(const decode::RecordView& record, const decode::RecordWhere& where,
                                Error& error) override {
    const decode::RecordStatus status =
        engine_.Evaluate(record, engine::Origin{report_.input, where}, report_.alerts, error);
    if (progress_ != nullptr) Count();
    return status;
  }

  void OnText(std::string_view text, const decode::RecordWhere& where) override {
    engine_.EvaluateText(text, engine::Origin{report_.input, where}, report_.alerts);
    if (progress_ != nullptr) Count();
  }

  void OnError(const decode::RecordWhere& where, Error error) override {
    report_.errors.push_back(InputError{report_.input, where.ToString(), std::move(error)});
  }

  void OnSkipped(std::string why) override { report_.skipped = std::move(why); }
  // The engine checks each record's whole text in its one pass (decode/record_reader.h).
  bool ChecksRecords() const override { return true; }

  // Adds the events not yet counted to the progress counters (at the end of the batch).
  void Flush() {
    if (progress_ == nullptr) return;
    const uint64_t now = engine_.events();
    if (now != counted_) progress_->events += now - counted_;
    counted_ = now;
    pending_ = 0;
  }

 private:
  // The shared counter is updated every kCountEvery records, not per record: with several
  // workers, an atomic add per record on one cache line makes the cores trade it back and forth.
  static constexpr uint32_t kCountEvery = 1024;
  void Count() {
    if (++pending_ >= kCountEvery) Flush();
  }

  engine::Engine& engine_;
  BatchReport& report_;
  Progress* progress_;
  uint64_t counted_;  // engine_.events() when last counted (the engine counts across batches)
  uint32_t pending_ = 0;
};

}  // namespace

// One worker thread's reader and engine.
class Pipeline::Worker {
 public:
  Worker(const PipelineOptions& options) : options_(options), reader_(options.reader) {}

  // Evaluates `batch` into `report`.
  void Process(const sources::Batch& batch, std::shared_ptr<const rules::RuleSet> rules,
               BatchReport& report, Progress* progress) {
    if (!engine_ || &engine_->rules() != rules.get()) {
      engine_ = std::make_unique<engine::Engine>(std::move(rules), options_.engine);
    }
    report = BatchReport{};
    report.input = batch.input;
    report.part = batch.part;
    // Room for as many alerts as the last batch raised: an Alert is large, and growing the
    // vector from empty moves each alert several times.
    report.alerts.reserve(alerts_hint_);
    // A split stream numbers its records on from the batches before (sources/source.h).
    uint64_t record = batch.numbering ? batch.numbering->Acquire(batch.part) : 0;
    if (batch.error) {
      report.errors.push_back(InputError{batch.input, "", *batch.error});
      if (batch.numbering) batch.numbering->Release(batch.part, record);
      return;
    }
    const uint64_t events_before = engine_->events();
    BatchVisitor visitor(*engine_, report, progress);
    if (batch.read_input) {
      // The whole file, read here rather than by the source (sources/source.h), into the
      // worker's reused buffer.
      if (auto read = decode::ReadFileInto(batch.input, file_); !read) {
        report.errors.push_back(InputError{batch.input, "", std::move(read.error())});
      } else {
        reader_.Read(batch.input, file_, visitor);
        report.bytes += reader_.decoded_bytes();
        if (progress != nullptr) progress->bytes += reader_.decoded_bytes();
      }
    }
    for (size_t i = 0; i < batch.documents.size(); ++i) {
      const std::string& document = batch.documents[i];
      if (batch.line_window) {
        reader_.ReadLines(batch.input, document, batch.first_line, visitor);
      } else if (batch.split_documents) {
        reader_.ReadDocument(batch.input, document, batch.first_document + i, record, visitor);
        record = reader_.records_read();
      } else {
        reader_.Read(batch.input, document, visitor);
      }
      report.bytes += reader_.decoded_bytes();
      if (progress != nullptr) progress->bytes += reader_.decoded_bytes();
    }
    visitor.Flush();
    if (batch.numbering) batch.numbering->Release(batch.part, record);
    report.events = engine_->events() - events_before;
    alerts_hint_ = std::min(report.alerts.size(), kMaxAlertsHint);
  }

 private:
  static constexpr size_t kMaxAlertsHint = 4096;  // a burst does not pin memory to every batch
  const PipelineOptions& options_;
  size_t alerts_hint_ = 0;
  decode::RecordReader reader_;
  decode::ByteBuffer file_;  // Batch::read_input files, one after another
  std::unique_ptr<engine::Engine> engine_;
};

Result<std::unique_ptr<Pipeline>> Pipeline::Create(PipelineParts parts, PipelineOptions options) {
  if (!parts.rules) return Fail(ErrorCode::kInvalidArgument, "pipeline: no rule set");
  if (parts.clock == nullptr) return Fail(ErrorCode::kInvalidArgument, "pipeline: no clock");
  if (parts.sources.empty()) return Fail(ErrorCode::kInvalidArgument, "pipeline: no source");
  if (options.threads < 1) return Fail(ErrorCode::kInvalidArgument, "pipeline: threads < 1");
  if (!parts.encode) {
    parts.encode = [](const alert::Alert& alert) {
      std::string out;
      alert::AppendAlertJson(alert, out);
      return out;
    };
  }
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(parts), options));
}

struct Pipeline::SourceRun {
  std::unique_ptr<sources::Source> source;
  std::atomic<bool> stop{false};
  int live = 0;  // workers still running (under runs_mu_)
  std::vector<std::thread> threads;
};

Pipeline::Pipeline(PipelineParts parts, PipelineOptions options)
    : parts_(std::move(parts)), options_(options) {
  for (auto& source : parts_.sources) {
    auto run = std::make_unique<SourceRun>();
    run->source = std::move(source);
    runs_.push_back(std::move(run));
  }
  parts_.sources.clear();
}

Pipeline::~Pipeline() {
  // Normally Run has joined every worker; a pipeline destroyed without Run has none.
  std::lock_guard<std::mutex> membership(membership_mu_);
  for (auto& run : runs_) {
    run->stop = true;
    for (auto& thread : run->threads) {
      if (thread.joinable()) thread.join();
    }
  }
}

void Pipeline::SetSinks(std::vector<sinks::Sink*> sinks) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  parts_.sinks = std::move(sinks);
}

void Pipeline::StartRun(SourceRun& run) {
  run.live = options_.threads;
  for (int t = 0; t < options_.threads; ++t) {
    run.threads.emplace_back([this, &run] {
      RunWorker(*run.source, run.stop);
      {
        std::lock_guard<std::mutex> lock(runs_mu_);
        --run.live;
      }
      runs_cv_.notify_all();
    });
  }
}

void Pipeline::AddSource(std::unique_ptr<sources::Source> source) {
  std::lock_guard<std::mutex> lock(runs_mu_);
  auto run = std::make_unique<SourceRun>();
  run->source = std::move(source);
  if (running_ && !stopping_) StartRun(*run);
  runs_.push_back(std::move(run));
  runs_cv_.notify_all();
}

bool Pipeline::RemoveSource(const sources::Source* source) {
  std::lock_guard<std::mutex> membership(membership_mu_);
  std::unique_ptr<SourceRun> run;
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    for (auto it = runs_.begin(); it != runs_.end(); ++it) {
      if ((*it)->source.get() == source) {
        run = std::move(*it);
        runs_.erase(it);
        break;
      }
    }
  }
  if (!run) return false;
  run->stop = true;
  for (auto& thread : run->threads) thread.join();
  runs_cv_.notify_all();
  return true;
}

void Pipeline::HoldRun(bool hold) {
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    held_ = hold;
  }
  runs_cv_.notify_all();
}

std::vector<sources::Source*> Pipeline::Sources() {
  std::lock_guard<std::mutex> lock(runs_mu_);
  std::vector<sources::Source*> out;
  for (const auto& run : runs_) out.push_back(run->source.get());
  return out;
}

void Pipeline::SetRules(std::shared_ptr<const rules::RuleSet> rules) {
  std::lock_guard<std::mutex> lock(rules_mu_);
  parts_.rules = std::move(rules);
}

std::shared_ptr<const rules::RuleSet> Pipeline::CurrentRules() {
  std::lock_guard<std::mutex> lock(rules_mu_);
  return parts_.rules;
}

Result<void> Pipeline::Run(const std::atomic<bool>& stop) {
  {
    std::unique_lock<std::mutex> lock(runs_mu_);
    running_ = true;
    for (auto& run : runs_) StartRun(*run);
    // Until `stop`, or until every source's workers are done (exhausted, or failed). Sources
    // read `stop` through their own flag, set below; the wait's step bounds the delay.
    while (!stop.load(std::memory_order_acquire)) {
      const bool live =
          std::any_of(runs_.begin(), runs_.end(),
                      [](const std::unique_ptr<SourceRun>& r) { return r->live > 0; });
      if (!live && !held_) break;
      runs_cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
    stopping_ = true;
    for (auto& run : runs_) run->stop = true;
  }
  {
    std::lock_guard<std::mutex> membership(membership_mu_);
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(runs_mu_);
      for (auto& run : runs_) {
        for (auto& thread : run->threads) threads.push_back(std::move(thread));
        run->threads.clear();
      }
    }
    for (auto& thread : threads) thread.join();
    std::lock_guard<std::mutex> lock(runs_mu_);
    running_ = false;
  }
  if (auto ticked = Tick(); !ticked) return ticked;
  std::lock_guard<std::mutex> lock(error_mu_);
  if (first_error_) return tl::unexpected<Error>(*first_error_);
  return Ok();
}

void Pipeline::RunWorker(sources::Source& source, const std::atomic<bool>& stop) {
  Worker worker(options_);
  // At most this many batches taken from the sources and not yet committed (ordered mode): the
  // workers' own plus those parked for their turn.
  const uint64_t max_ahead = static_cast<uint64_t>(options_.threads) * kBatchesAheadPerWorker;
  while (true) {
    uint64_t seq = 0;
    Result<std::optional<sources::Batch>> next;
    if (options_.ordered) {
      std::lock_guard<std::mutex> lock(next_mu_);
      {
        // Wait for room: the batches ahead of the oldest uncommitted one are bounded. Always
        // ends: every batch taken is processed and committed by some worker.
        std::unique_lock<std::mutex> room(room_mu_);
        room_cv_.wait(room, [&] {
          return next_seq_ - committed_.load(std::memory_order_acquire) < max_ahead;
        });
      }
      next = source.Next(stop);
      if (next && next->has_value()) seq = next_seq_++;
    } else {
      next = source.Next(stop);
    }
    if (!next) return RecordError(std::move(next.error()));
    if (!next->has_value()) return;
    sources::Batch& batch = **next;
    BatchReport report;
    worker.Process(batch, CurrentRules(), report, parts_.progress);
    std::vector<Finished> finished;
    if (!options_.ordered) {
      std::lock_guard<std::mutex> lock(commit_mu_);
      Result<void> done = CommitLocked(batch, report);
      finished.push_back(Finished{&source, std::move(batch), std::move(done)});
    } else {
      // The documents are no longer needed (Ack and Nack do not read them): hand them back to
      // the source (which may read its next batch into them) before the batch may wait for its
      // turn.
      source.Recycle(std::move(batch.documents));
      std::vector<std::string>().swap(batch.documents);
      bool commit = false;
      {
        std::lock_guard<std::mutex> lock(park_mu_);
        parked_.emplace(seq, Parked{&source, std::move(batch), std::move(report)});
        commit = !committing_;
        committing_ = true;
      }
      // One worker at a time commits, in number order, every parked batch whose turn has come;
      // the others go back to work instead of waiting for the commit lock (the committer sees
      // what they park meanwhile).
      while (commit) {
        std::vector<Parked> due;
        {
          std::lock_guard<std::mutex> lock(park_mu_);
          uint64_t turn = committed_.load(std::memory_order_relaxed);
          for (auto it = parked_.begin(); it != parked_.end() && it->first == turn;
               it = parked_.erase(it), ++turn) {
            due.push_back(std::move(it->second));
          }
          if (due.empty()) {
            committing_ = false;
            break;
          }
        }
        {
          std::lock_guard<std::mutex> lock(commit_mu_);
          for (Parked& p : due) {
            Result<void> done = CommitLocked(p.batch, p.report);
            finished.push_back(Finished{p.source, std::move(p.batch), std::move(done)});
          }
        }
        {
          std::lock_guard<std::mutex> room(room_mu_);
          committed_.fetch_add(due.size(), std::memory_order_release);
        }
        room_cv_.notify_all();
      }
    }
    bool retry_wait = false;
    for (Finished& f : finished) {
      if (f.done) {
        f.source->Ack(f.batch);
        continue;
      }
      f.source->Nack(f.batch, f.done.error());
      // A conflict (another worker on shared state got there first) is how competing workers
      // work: the source redelivers the input and the retry sees the other worker's result.
      // Anything else is a failure of the run (exit 1), even when a retry then succeeds.
      if (f.done.error().code != ErrorCode::kConflict) RecordError(std::move(f.done.error()));
      retry_wait = true;
    }
    if (retry_wait) {
      const auto until = std::chrono::steady_clock::now() + options_.commit_retry;
      while (!stop.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
}

void Pipeline::RecordError(Error error) {
  std::lock_guard<std::mutex> lock(error_mu_);
  if (!first_error_) first_error_ = std::move(error);
}

Result<void> Pipeline::CommitLocked(const sources::Batch& batch, BatchReport& report) {
  Result<void> done = RunStages(report.alerts, 0);
  std::vector<alert::Alert> released;
  if (done) done = TickLocked(released);
  if (done) done = Emit(report.alerts, batch.checkpoint);
  if (done && !released.empty()) done = Emit(released, state::Checkpoint{});
  if (parts_.progress != nullptr) {
    if (batch.part == 0) ++parts_.progress->batches;  // inputs begun, not windows
    parts_.progress->alerts += report.alerts.size();
  }
  if (!done) report.commit_error = done.error();
  if (parts_.listener != nullptr) parts_.listener->OnBatch(report);
  return done;
}

Result<void> Pipeline::RunStages(std::vector<alert::Alert>& alerts, size_t first) {
  const alert::StageContext ctx{*parts_.clock, StageState()};
  for (size_t i = first; i < parts_.stages.size() && !alerts.empty(); ++i) {
    if (auto r = parts_.stages[i]->Process(alerts, ctx); !r) return r;
  }
  return Ok();
}

Result<void> Pipeline::TickLocked(std::vector<alert::Alert>& out) {
  const alert::StageContext ctx{*parts_.clock, StageState()};
  for (size_t i = 0; i < parts_.stages.size(); ++i) {
    std::vector<alert::Alert> released;
    if (auto r = parts_.stages[i]->Tick(ctx, released); !r) return r;
    if (released.empty()) continue;
    if (auto r = RunStages(released, i + 1); !r) return r;
    for (auto& a : released) out.push_back(std::move(a));
  }
  return Ok();
}

void Pipeline::SetStages(std::vector<std::unique_ptr<alert::Stage>> stages) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  parts_.stages.swap(stages);
}

Result<void> Pipeline::Tick() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  std::vector<alert::Alert> released;
  if (auto r = TickLocked(released); !r) return r;
  if (released.empty()) return Ok();
  return Emit(released, state::Checkpoint{});
}

Result<void> Pipeline::Emit(const std::vector<alert::Alert>& alerts,
                            const state::Checkpoint& checkpoint) {
  if (parts_.state == nullptr) {
    for (const alert::Alert& alert : alerts) {
      for (sinks::Sink* sink : parts_.sinks) {
        if (sink->Accepts(alert)) (void)sink->Deliver(alert, std::string());
      }
    }
    return Ok();
  }
  std::vector<state::NewOutboxEntry> entries;
  entries.reserve(alerts.size());
  for (const alert::Alert& alert : alerts) {
    state::NewOutboxEntry entry;
    entry.alert_id = alert.id;
    entry.rule_id = alert.rule_id;
    entry.severity = rules::SeverityName(alert.severity);
    entry.payload = parts_.encode(alert);
    entry.suppressed = alert.suppressed;
    for (sinks::Sink* sink : parts_.sinks) {
      if (alert.suppressed || sink->Accepts(alert)) entry.sinks.push_back(sink->name());
    }
    entries.push_back(std::move(entry));
  }
  std::vector<state::Checkpoint> checkpoints;
  if (!checkpoint.source.empty() || !checkpoint.key.empty()) checkpoints.push_back(checkpoint);
  if (entries.empty() && checkpoints.empty()) return Ok();
  return parts_.state->Commit(entries, checkpoints);
}

}  // namespace tw::pipeline

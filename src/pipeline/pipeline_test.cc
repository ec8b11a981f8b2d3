// The pipeline's wiring, with an in-memory source, stages, a capturing sink and a recording
// state store: what reaches the sinks or the outbox, in which order things happen, and what is
// acknowledged. Also issue 7's bug end to end: a filter pattern over an EventBridge event sees
// the event's detail, as the rule's inline test does.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "decode/test_helpers.h"
#include "rules/loader.h"
#include "sources/files/files_source.h"

namespace tw::pipeline {
namespace {

using namespace std::chrono_literals;

class MemorySource final : public sources::Source {
 public:
  explicit MemorySource(std::vector<std::string> documents, std::string name = "mem")
      : name_(std::move(name)) {
    for (size_t i = 0; i < documents.size(); ++i) {
      sources::Batch b;
      b.input = "mem" + std::to_string(i) + ".ndjson";
      b.documents.push_back(std::move(documents[i]));
      b.checkpoint = state::Checkpoint{"mem", b.input, "done"};
      b.handle = i;
      batches_.push_back(std::move(b));
    }
  }
  const std::string& name() const override { return name_; }
  Result<std::optional<sources::Batch>> Next(const std::atomic<bool>& stop) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop || batches_.empty()) return std::nullopt;
    sources::Batch b = std::move(batches_.front());
    batches_.pop_front();
    return b;
  }
  void Ack(const sources::Batch& batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    acked.push_back(batch.handle);
  }
  void Nack(const sources::Batch& batch, const Error&) override {
    std::lock_guard<std::mutex> lock(mu_);
    nacked.push_back(batch.handle);
  }
  std::vector<uint64_t> acked, nacked;

 private:
  std::string name_;
  std::mutex mu_;
  std::deque<sources::Batch> batches_;
};

class CaptureSink final : public sinks::Sink {
 public:
  explicit CaptureSink(std::string name = "capture") : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  bool Accepts(const alert::Alert& alert) const override { return alert.rule_id != "ignored"; }
  sinks::DeliveryResult Deliver(const alert::Alert& alert, const std::string&) override {
    delivered.push_back(alert);
    return {};
  }
  std::vector<alert::Alert> delivered;

 private:
  std::string name_;
};

// Holds every alert until the clock has moved a minute past the first one it saw.
class HoldStage final : public alert::Stage {
 public:
  const char* name() const override { return "hold"; }
  Result<void> Process(std::vector<alert::Alert>& alerts, const alert::StageContext& ctx) override {
    if (held_.empty() && !alerts.empty()) since_ = ctx.clock.Now();
    for (auto& a : alerts) held_.push_back(std::move(a));
    alerts.clear();
    return Ok();
  }
  Result<void> Tick(const alert::StageContext& ctx, std::vector<alert::Alert>& released) override {
    if (held_.empty() || ctx.clock.Now() < since_ + 1min) return Ok();
    for (auto& a : held_) released.push_back(std::move(a));
    held_.clear();
    return Ok();
  }

 private:
  std::vector<alert::Alert> held_;
  Clock::WallTime since_;
};

// Renames what passes, to show that released alerts go through the stages after the holder.
class TagStage final : public alert::Stage {
 public:
  const char* name() const override { return "tag"; }
  Result<void> Process(std::vector<alert::Alert>& alerts, const alert::StageContext&) override {
    for (auto& a : alerts) a.id = "tagged-" + a.event_id;
    return Ok();
  }
};

// Records Commit calls; everything else is unused by the pipeline.
class RecordingStore final : public state::StateStore {
 public:
  Result<std::optional<std::string>> LoadCheckpoint(const std::string&,
                                                    const std::string&) override {
    return std::nullopt;
  }
  Result<void> Commit(const std::vector<state::NewOutboxEntry>& entries,
                      const std::vector<state::Checkpoint>& checkpoints) override {
    if (fail) return Fail(fail_code, fail_code == ErrorCode::kIo ? "disk full" : "clash");
    commits.push_back({entries, checkpoints});
    return Ok();
  }
  Result<std::vector<state::OutboxRow>> DueRows(const std::string&, Clock::WallTime,
                                                size_t) override {
    return std::vector<state::OutboxRow>{};
  }
  Result<std::optional<Clock::WallTime>> NextDue(const std::string&) override {
    return std::nullopt;
  }
  Result<void> MarkDelivered(int64_t, Clock::WallTime, const std::string&) override { return Ok(); }
  Result<void> Reschedule(int64_t, Clock::WallTime, const std::string&) override { return Ok(); }
  Result<void> MarkFailed(int64_t, const std::string&) override { return Ok(); }
  Result<int64_t> Retry(const std::string&, Clock::WallTime) override { return 0; }
  Result<std::vector<state::OutboxRow>> ListRows(std::optional<state::OutboxState>,
                                                 size_t) override {
    return std::vector<state::OutboxRow>{};
  }
  Result<std::optional<std::string>> DeliveredRef(const std::string&, const std::string&) override {
    return std::nullopt;
  }
  Result<int64_t> PruneHistory(Clock::WallTime) override { return 0; }
  Result<std::optional<state::Window>> GetWindow(const std::string&, Clock::WallTime) override {
    return std::nullopt;
  }
  Result<void> PutWindow(const state::Window&) override { return Ok(); }
  Result<int64_t> ExpireWindows(Clock::WallTime) override { return 0; }

  struct CommitCall {
    std::vector<state::NewOutboxEntry> entries;
    std::vector<state::Checkpoint> checkpoints;
  };
  std::vector<CommitCall> commits;
  bool fail = false;
  ErrorCode fail_code = ErrorCode::kIo;
};

class Reports final : public BatchListener {
 public:
  void OnBatch(BatchReport& r) override { reports.push_back(r); }
  std::vector<BatchReport> reports;
};

std::shared_ptr<const rules::RuleSet> Rules() {
  auto loaded = rules::LoadRulesFromText(
      "id: stop-logging\ntitle: CloudTrail stopped\nseverity: high\ndescription: d\n"
      "filter_pattern: '{ $.eventName = \"StopLogging\" }'\n"
      "---\n"
      "id: ignored\ntitle: t\nseverity: low\ndescription: d\n"
      "filter_pattern: '{ $.eventName = \"Ignored\" }'\n",
      "test.yml", ".");
  EXPECT_TRUE(loaded) << loaded.error().message;
  return rules::RuleSet::Create(std::move(*loaded));
}

constexpr char kRecord[] =
    R"({"eventID":"e1","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com",)"
    R"("awsRegion":"eu-west-1","recipientAccountId":"111122223333"})";
// The same record as EventBridge delivers it.
constexpr char kEnvelope[] =
    R"({"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail",)"
    R"("source":"aws.cloudtrail","account":"111122223333","time":"2024-03-01T12:00:00Z",)"
    R"("region":"eu-west-1","resources":[],"detail":{"eventID":"e2","eventName":"StopLogging",)"
    R"("eventSource":"cloudtrail.amazonaws.com","awsRegion":"eu-west-1"}})";

struct Fixture {
  FakeClock clock;
  CaptureSink sink;
  Reports reports;
  MemorySource* source = nullptr;

  std::unique_ptr<Pipeline> Build(std::vector<std::string> documents,
                                  std::vector<std::unique_ptr<alert::Stage>> stages = {},
                                  state::StateStore* store = nullptr) {
    PipelineParts parts;
    parts.rules = Rules();
    auto s = std::make_unique<MemorySource>(std::move(documents));
    source = s.get();
    parts.sources.push_back(std::move(s));
    parts.stages = std::move(stages);
    parts.state = store;
    parts.sinks.push_back(&sink);
    parts.clock = &clock;
    parts.listener = &reports;
    PipelineOptions options;
    options.commit_retry = std::chrono::milliseconds(0);
    auto p = Pipeline::Create(std::move(parts), options);
    EXPECT_TRUE(p) << p.error().message;
    return std::move(*p);
  }
};

TEST(Pipeline, WithoutStateAlertsGoToTheSinksAndBatchesAreAcked) {
  Fixture f;
  auto p = f.Build({std::string(kRecord) + "\n{\"eventName\":\"Ignored\"}\n", kEnvelope});
  const std::atomic<bool> stop{false};
  ASSERT_TRUE(p->Run(stop));
  // The record, and the envelope's detail: the filter pattern fires on both (issue 7).
  ASSERT_EQ(f.sink.delivered.size(), 2u);
  EXPECT_EQ(f.sink.delivered[0].rule_id, "stop-logging");
  EXPECT_EQ(f.sink.delivered[0].rule_title, "CloudTrail stopped");
  EXPECT_EQ(f.sink.delivered[0].severity, rules::Severity::kHigh);
  EXPECT_EQ(f.sink.delivered[0].event_id, "e1");
  EXPECT_EQ(f.sink.delivered[0].record_json, kRecord);
  EXPECT_EQ(f.sink.delivered[0].input_file, "mem0.ndjson");
  EXPECT_TRUE(f.sink.delivered[0].input_is_line);
  EXPECT_EQ(f.sink.delivered[1].event_id, "e2");
  EXPECT_EQ(f.sink.delivered[1].record_json,
            R"({"eventID":"e2","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com",)"
            R"("awsRegion":"eu-west-1"})");
  EXPECT_EQ(f.source->acked, (std::vector<uint64_t>{0, 1}));
  ASSERT_EQ(f.reports.reports.size(), 2u);
  EXPECT_EQ(f.reports.reports[0].events, 2u);
  // The sink did not accept the "ignored" alert, but it was raised and reported.
  EXPECT_EQ(f.reports.reports[0].alerts.size(), 2u);
}

TEST(Pipeline, HeldAlertsAreReleasedByTickThroughTheLaterStages) {
  Fixture f;
  std::vector<std::unique_ptr<alert::Stage>> stages;
  stages.push_back(std::make_unique<HoldStage>());
  stages.push_back(std::make_unique<TagStage>());
  auto p = f.Build({kRecord}, std::move(stages));
  const std::atomic<bool> stop{false};
  ASSERT_TRUE(p->Run(stop));
  EXPECT_TRUE(f.sink.delivered.empty());
  EXPECT_EQ(f.source->acked, (std::vector<uint64_t>{0}));  // held alerts do not hold the ack
  ASSERT_TRUE(p->Tick());
  EXPECT_TRUE(f.sink.delivered.empty());  // not due yet
  f.clock.Advance(1min);
  ASSERT_TRUE(p->Tick());
  ASSERT_EQ(f.sink.delivered.size(), 1u);
  EXPECT_EQ(f.sink.delivered[0].id, "tagged-e1");
}

TEST(Pipeline, WithStateAlertsAndCheckpointAreCommittedTogether) {
  Fixture f;
  RecordingStore store;
  std::vector<std::unique_ptr<alert::Stage>> stages;
  stages.push_back(std::make_unique<TagStage>());
  auto p = f.Build({std::string(kRecord) + "\n{\"eventName\":\"Ignored\"}\n"}, std::move(stages),
                   &store);
  const std::atomic<bool> stop{false};
  ASSERT_TRUE(p->Run(stop));
  EXPECT_TRUE(f.sink.delivered.empty());  // the outbox delivery loop feeds sinks, not Run
  ASSERT_EQ(store.commits.size(), 1u);
  const auto& c = store.commits[0];
  ASSERT_EQ(c.checkpoints.size(), 1u);
  EXPECT_EQ(c.checkpoints[0].key, "mem0.ndjson");
  EXPECT_EQ(c.checkpoints[0].value, "done");
  ASSERT_EQ(c.entries.size(), 2u);
  EXPECT_EQ(c.entries[0].alert_id, "tagged-e1");
  EXPECT_EQ(c.entries[0].rule_id, "stop-logging");
  EXPECT_EQ(c.entries[0].severity, "high");
  EXPECT_EQ(c.entries[0].sinks, (std::vector<std::string>{"capture"}));
  EXPECT_TRUE(c.entries[1].sinks.empty());  // the sink does not accept "ignored"
  EXPECT_EQ(f.source->acked, (std::vector<uint64_t>{0}));
}

TEST(Pipeline, AFailedCommitNacksTheBatch) {
  Fixture f;
  RecordingStore store;
  store.fail = true;
  auto p = f.Build({kRecord}, {}, &store);
  const std::atomic<bool> stop{false};
  auto ran = p->Run(stop);
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().code, ErrorCode::kIo);
  EXPECT_TRUE(f.source->acked.empty());
  EXPECT_EQ(f.source->nacked, (std::vector<uint64_t>{0}));
}

// Competing workers on shared state (DynamoDB): a conflict Nacks the batch for redelivery, as
// any failed commit does, but is not a failure of the run (watch exits 0; docs/state.md).
TEST(Pipeline, AConflictNacksTheBatchWithoutFailingTheRun) {
  Fixture f;
  RecordingStore store;
  store.fail = true;
  store.fail_code = ErrorCode::kConflict;
  auto p = f.Build({kRecord}, {}, &store);
  const std::atomic<bool> stop{false};
  EXPECT_TRUE(p->Run(stop));
  EXPECT_TRUE(f.source->acked.empty());
  EXPECT_EQ(f.source->nacked, (std::vector<uint64_t>{0}));
}

TEST(Pipeline, AFailedCommitIsReportedToTheListener) {
  Fixture f;
  RecordingStore store;
  store.fail = true;
  auto p = f.Build({kRecord}, {}, &store);
  const std::atomic<bool> stop{false};
  EXPECT_FALSE(p->Run(stop));
  ASSERT_EQ(f.reports.reports.size(), 1u);
  ASSERT_TRUE(f.reports.reports[0].commit_error.has_value());
  EXPECT_EQ(f.reports.reports[0].commit_error->message, "disk full");
}

// Hands out one batch, then waits for `stop`: a live source (as dir or http are).
class OneThenWaitSource final : public sources::Source {
 public:
  explicit OneThenWaitSource(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Result<std::optional<sources::Batch>> Next(const std::atomic<bool>& stop) override {
    if (!sent_) {
      sent_ = true;
      sources::Batch b;
      b.input = name_ + ".ndjson";
      b.documents.push_back(std::string(kRecord) + "\n");
      return b;
    }
    while (!stop) std::this_thread::yield();
    return std::nullopt;
  }
  void Ack(const sources::Batch&) override { ++acked; }
  std::atomic<int> acked{0};

 private:
  std::string name_;
  bool sent_ = false;
};

TEST(Pipeline, SourcesAndSinksCanBeSwappedWhileRunning) {
  Fixture f;
  RecordingStore store;
  auto p = f.Build({}, {}, &store);
  auto first = std::make_unique<OneThenWaitSource>("first");
  OneThenWaitSource* first_ptr = first.get();
  p->AddSource(std::move(first));  // before Run: starts with Run
  std::atomic<bool> stop{false};
  Result<void> ran;
  std::thread runner([&] { ran = p->Run(stop); });
  while (first_ptr->acked == 0) std::this_thread::yield();
  ASSERT_EQ(store.commits.size(), 1u);
  EXPECT_EQ(store.commits[0].entries.at(0).sinks, (std::vector<std::string>{"capture"}));

  CaptureSink other("other");
  p->SetSinks({&other});
  auto late = std::make_unique<OneThenWaitSource>("late");
  OneThenWaitSource* late_ptr = late.get();
  p->AddSource(std::move(late));  // while running: starts at once
  while (late_ptr->acked == 0) std::this_thread::yield();
  ASSERT_EQ(store.commits.size(), 2u);
  EXPECT_EQ(store.commits[1].entries.at(0).sinks, (std::vector<std::string>{"other"}));
  EXPECT_EQ(p->Sources().size(), 3u);      // the fixture's (exhausted), first, late
  EXPECT_TRUE(p->RemoveSource(late_ptr));  // stops its worker and destroys it
  EXPECT_FALSE(p->RemoveSource(late_ptr));
  EXPECT_EQ(p->Sources().size(), 2u);
  stop = true;
  runner.join();
  EXPECT_TRUE(ran) << ran.error().message;
}

// Ordered mode (scan): one large input first, then many small ones, over 3 workers. The small
// ones finish before the large one; the alerts still leave in input order, then record order,
// every batch is acknowledged once, and no more than 3 x threads batches are ever taken and not
// yet committed (checked at each Next against the listener's count of committed batches).
class CountingSource final : public sources::Source {
 public:
  CountingSource(std::vector<std::string> documents, const std::atomic<uint64_t>& committed)
      : committed_(committed) {
    for (size_t i = 0; i < documents.size(); ++i) {
      sources::Batch b;
      b.input = "in" + std::to_string(i) + ".ndjson";
      b.documents.push_back(std::move(documents[i]));
      b.handle = i;
      batches_.push_back(std::move(b));
    }
  }
  const std::string& name() const override { return name_; }
  Result<std::optional<sources::Batch>> Next(const std::atomic<bool>&) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (batches_.empty()) return std::nullopt;
    max_ahead = std::max(max_ahead, handed_ - committed_.load());
    ++handed_;
    sources::Batch b = std::move(batches_.front());
    batches_.pop_front();
    return b;
  }
  void Ack(const sources::Batch& batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    acked.push_back(batch.handle);
  }
  std::vector<uint64_t> acked;
  uint64_t max_ahead = 0;  // batches taken and not committed, before taking one more

 private:
  std::string name_ = "counting";
  const std::atomic<uint64_t>& committed_;
  std::mutex mu_;
  std::deque<sources::Batch> batches_;
  uint64_t handed_ = 0;
};

class CountingReports final : public BatchListener {
 public:
  void OnBatch(BatchReport& r) override {
    inputs.push_back(r.input);
    ++committed;
  }
  std::vector<std::string> inputs;
  std::atomic<uint64_t> committed{0};
};

TEST(Pipeline, OrderedDeliversInInputOrderWithBoundedBatchesInFlight) {
  auto record = [](const std::string& id) {
    return R"({"eventID":")" + id + R"(","eventName":"StopLogging"})" + std::string("\n");
  };
  std::vector<std::string> documents;
  std::vector<std::string> expected_ids;
  std::string big;
  for (int r = 0; r < 20000; ++r) {
    big += record("big-" + std::to_string(r));
    expected_ids.push_back("big-" + std::to_string(r));
  }
  documents.push_back(std::move(big));
  for (int i = 1; i <= 40; ++i) {
    std::string small;
    for (int r = 0; r < 3; ++r) {
      const std::string id = "s" + std::to_string(i) + "-" + std::to_string(r);
      small += record(id);
      expected_ids.push_back(id);
    }
    documents.push_back(std::move(small));
  }
  CaptureSink sink;
  CountingReports reports;
  FakeClock clock;
  PipelineParts parts;
  parts.rules = Rules();
  auto owned = std::make_unique<CountingSource>(std::move(documents), reports.committed);
  CountingSource* source = owned.get();
  parts.sources.push_back(std::move(owned));
  parts.sinks.push_back(&sink);
  parts.clock = &clock;
  parts.listener = &reports;
  PipelineOptions options;
  options.threads = 3;
  options.ordered = true;
  auto p = Pipeline::Create(std::move(parts), options);
  ASSERT_TRUE(p) << p.error().message;
  const std::atomic<bool> stop{false};
  ASSERT_TRUE((*p)->Run(stop));

  std::vector<std::string> ids;
  for (const alert::Alert& a : sink.delivered) ids.push_back(a.event_id);
  EXPECT_EQ(ids, expected_ids);
  ASSERT_EQ(reports.inputs.size(), 41u);
  for (size_t i = 0; i < reports.inputs.size(); ++i) {
    EXPECT_EQ(reports.inputs[i], "in" + std::to_string(i) + ".ndjson");
  }
  std::vector<uint64_t> acked = source->acked;
  std::sort(acked.begin(), acked.end());
  ASSERT_EQ(acked.size(), 41u);
  for (uint64_t i = 0; i < acked.size(); ++i) EXPECT_EQ(acked[i], i);
  EXPECT_LT(source->max_ahead, 9u);  // 3 x threads
}

// scan's files source hands out whole files unread (Batch::read_input); the workers read them,
// one after another into the same buffer: a larger .json.gz, then a smaller NDJSON file, then a
// file that does not exist, with 1 and 2 workers. Alerts leave in input order, the missing file
// is reported as an input error, and the progress counters count each event once (they used to
// count a worker's earlier batches again at each new batch).
TEST(Pipeline, FilesAreReadByTheWorkersIntoAReusedBuffer) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "pipeline_read_input";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto record = [](const std::string& id, const std::string& name) {
    return R"({"eventID":")" + id + R"(","eventName":")" + name + R"("})";
  };
  std::string trail = "{\"Records\":[";
  for (int i = 0; i < 50; ++i) {
    trail += (i ? "," : "") + record("g" + std::to_string(i), i % 10 == 0 ? "StopLogging" : "X");
  }
  trail += "]}";
  const std::string lines =
      record("n0", "X") + "\n" + record("n1", "StopLogging") + "\n" + record("n2", "X") + "\n";
  ASSERT_GT(trail.size(), lines.size());
  const std::string gz = (dir / "a.json.gz").string();
  const std::string nd = (dir / "b.ndjson").string();
  const std::string missing = (dir / "c.json").string();
  std::ofstream(gz, std::ios::binary) << decode::testing::GzipMember(trail);
  std::ofstream(nd, std::ios::binary) << lines;
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    CaptureSink sink;
    Reports reports;
    FakeClock clock;
    Progress progress;
    PipelineParts parts;
    parts.rules = Rules();
    parts.sources.push_back(
        std::make_unique<sources::FilesSource>(std::vector<std::string>{gz, nd, missing}));
    parts.sinks.push_back(&sink);
    parts.clock = &clock;
    parts.listener = &reports;
    parts.progress = &progress;
    PipelineOptions options;
    options.threads = threads;
    options.ordered = true;
    auto p = Pipeline::Create(std::move(parts), options);
    ASSERT_TRUE(p) << p.error().message;
    const std::atomic<bool> stop{false};
    ASSERT_TRUE((*p)->Run(stop));
    std::vector<std::string> ids;
    for (const alert::Alert& a : sink.delivered) ids.push_back(a.event_id);
    EXPECT_EQ(ids, (std::vector<std::string>{"g0", "g10", "g20", "g30", "g40", "n1"}));
    ASSERT_EQ(reports.reports.size(), 3u);
    EXPECT_EQ(reports.reports[0].events, 50u);
    EXPECT_EQ(reports.reports[0].bytes, trail.size());
    EXPECT_TRUE(reports.reports[0].errors.empty());
    EXPECT_EQ(reports.reports[1].events, 3u);
    EXPECT_EQ(reports.reports[1].bytes, lines.size());
    EXPECT_TRUE(reports.reports[1].errors.empty());
    EXPECT_EQ(reports.reports[2].events, 0u);
    ASSERT_EQ(reports.reports[2].errors.size(), 1u);
    EXPECT_EQ(reports.reports[2].errors[0].file, missing);
    EXPECT_EQ(reports.reports[2].errors[0].where, "");
    EXPECT_EQ(reports.reports[2].errors[0].error.code, ErrorCode::kNotFound);
    EXPECT_EQ(progress.events.load(), 53u);
    EXPECT_EQ(progress.bytes.load(), trail.size() + lines.size());
    EXPECT_EQ(progress.batches.load(), 3u);
    EXPECT_EQ(progress.alerts.load(), 6u);
  }
  fs::remove_all(dir);
}

TEST(Pipeline, CreateRejectsMissingParts) {
  PipelineParts parts;
  EXPECT_FALSE(Pipeline::Create(std::move(parts), PipelineOptions{}));
}

}  // namespace
}  // namespace tw::pipeline

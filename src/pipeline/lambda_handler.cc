#include "pipeline/lambda_handler.h"

#include <fmt/format.h>

#include <map>

#include "common/strings.h"

namespace tw::pipeline {
namespace {

constexpr size_t kMaxRefs = 10'000;
constexpr size_t kMaxNotes = 20;

// The windows of one invocation: reads see the invocation's own writes over the warm store's
// windows; writes stay here until Apply(). Only the window methods are used by the stages (the
// outbox belongs to no stage); the others refuse.
class WindowOverlay final : public state::StateStore {
 public:
  explicit WindowOverlay(state::StateStore& base) : base_(base) {}

  Result<void> Apply() {
    for (const auto& [key, window] : written_) {
      if (auto r = base_.PutWindow(window); !r) return r;
    }
    written_.clear();
    return Ok();
  }

  Result<std::optional<state::Window>> GetWindow(const std::string& key,
                                                 Clock::WallTime now) override {
    if (auto it = written_.find(key); it != written_.end()) {
      if (now < it->second.expires) return std::optional<state::Window>(it->second);
      return std::optional<state::Window>();
    }
    return base_.GetWindow(key, now);
  }
  Result<void> PutWindow(const state::Window& window) override {
    written_[window.key] = window;
    return Ok();
  }
  Result<int64_t> ExpireWindows(Clock::WallTime now) override {
    int64_t n = 0;
    for (auto it = written_.begin(); it != written_.end();) {
      if (it->second.expires <= now) {
        it = written_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    auto base = base_.ExpireWindows(now);
    if (!base) return base;
    return n + *base;
  }

  Result<std::optional<std::string>> LoadCheckpoint(const std::string&,
                                                    const std::string&) override {
    return Refuse();
  }
  Result<void> Commit(const std::vector<state::NewOutboxEntry>&,
                      const std::vector<state::Checkpoint>&) override {
    return Refuse();
  }
  Result<std::vector<state::OutboxRow>> DueRows(const std::string&, Clock::WallTime,
                                                size_t) override {
    return Refuse();
  }
  Result<std::optional<Clock::WallTime>> NextDue(const std::string&) override { return Refuse(); }
  Result<void> MarkDelivered(int64_t, Clock::WallTime, const std::string&) override {
    return Refuse();
  }
  Result<void> Reschedule(int64_t, Clock::WallTime, const std::string&) override {
    return Refuse();
  }
  Result<void> MarkFailed(int64_t, const std::string&) override { return Refuse(); }
  Result<int64_t> Retry(const std::string&, Clock::WallTime) override { return Refuse(); }
  Result<std::vector<state::OutboxRow>> ListRows(std::optional<state::OutboxState>,
                                                 size_t) override {
    return Refuse();
  }
  Result<std::optional<std::string>> DeliveredRef(const std::string&, const std::string&) override {
    return Refuse();
  }
  Result<int64_t> PruneHistory(Clock::WallTime) override { return Refuse(); }

 private:
  static tl::unexpected<Error> Refuse() {
    return Fail(ErrorCode::kUnsupported, "lambda: the invocation's store holds windows only");
  }

  state::StateStore& base_;
  std::map<std::string, state::Window> written_;
};

// Feeds one item's records to the engine (as the pipeline's BatchVisitor does).
class ItemVisitor final : public decode::RecordVisitor {
 public:
  ItemVisitor(engine::Engine& engine, const std::string& input, std::vector<alert::Alert>& alerts,
              InvocationOutcome& outcome)
      : engine_(engine), input_(input), alerts_(alerts), outcome_(outcome) {}

  decode::RecordStatus OnRecord(const decode::RecordView& record, const decode::RecordWhere& where,
                                Error& error) override {
    return engine_.Evaluate(record, engine::Origin{input_, where}, alerts_, error);
  }
  void OnText(std::string_view text, const decode::RecordWhere& where) override {
    engine_.EvaluateText(text, engine::Origin{input_, where}, alerts_);
  }
  // The engine checks each record's whole text in its one pass (decode/record_reader.h).
  bool ChecksRecords() const override { return true; }
  void OnError(const decode::RecordWhere& where, Error error) override {
    // A damaged record costs that record, as in `watch`: retrying the event cannot mend it.
    Note(outcome_, EscapeForTerminal(input_) + " " + where.ToString() + ": " + error.message);
  }
  void OnSkipped(std::string why) override {
    Note(outcome_, EscapeForTerminal(input_) + ": skipped: " + why);
  }

  static void Note(InvocationOutcome& outcome, std::string note) {
    if (outcome.notes.size() < kMaxNotes) outcome.notes.push_back(std::move(note));
  }

 private:
  engine::Engine& engine_;
  const std::string& input_;
  std::vector<alert::Alert>& alerts_;
  InvocationOutcome& outcome_;
};

std::string BatchItemFailures(const std::vector<std::string>& ids) {
  std::string out = "{\"batchItemFailures\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"itemIdentifier\":\"";
    AppendJsonEscaped(out, ids[i]);
    out += "\"}";
  }
  out += "]}";
  return out;
}

}  // namespace

size_t LambdaHandler::rule_count() const { return parts_.processing.rules->size(); }

Result<std::unique_ptr<LambdaHandler>> LambdaHandler::Create(LambdaParts parts,
                                                             LambdaHandlerOptions options) {
  if (!parts.processing.rules) return Fail(ErrorCode::kInvalidArgument, "lambda: no rule set");
  if (parts.windows == nullptr) return Fail(ErrorCode::kInvalidArgument, "lambda: no windows");
  if (parts.clock == nullptr) return Fail(ErrorCode::kInvalidArgument, "lambda: no clock");
  if (!parts.wait) return Fail(ErrorCode::kInvalidArgument, "lambda: no wait function");
  return std::unique_ptr<LambdaHandler>(new LambdaHandler(std::move(parts), options));
}

LambdaHandler::LambdaHandler(LambdaParts parts, LambdaHandlerOptions options)
    : parts_(std::move(parts)),
      options_(options),
      engine_(parts_.processing.rules, options_.engine),
      reader_(options_.reader),
      rng_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {}

Result<void> LambdaHandler::Deliver(const alert::Alert& alert, Clock::MonoTime stop_at,
                                    InvocationOutcome& outcome) {
  const Clock& clock = *parts_.clock;
  for (sinks::Sink* sink : parts_.sinks) {
    if (!sink->Accepts(alert)) continue;
    std::string parent_ref;
    if (!alert.dedupe_parent_id.empty()) {
      if (auto it = refs_.find(alert.dedupe_parent_id + "\n" + sink->name()); it != refs_.end()) {
        parent_ref = it->second;
      }
    }
    for (int attempt = 0;; ++attempt) {
      if (clock.Monotonic() >= stop_at) {
        return Fail(ErrorCode::kResourceExhausted,
                    fmt::format("alert {} not delivered to {}: no time left before the deadline",
                                alert.id, sink->name()));
      }
      sinks::DeliveryResult result = sink->Deliver(alert, parent_ref);
      if (result.status == sinks::DeliveryStatus::kDelivered) {
        ++outcome.delivered;
        if (!result.sink_ref.empty() && alert.dedupe_parent_id.empty()) {
          if (refs_.size() >= kMaxRefs) refs_.clear();
          refs_[alert.id + "\n" + sink->name()] = result.sink_ref;
        }
        break;
      }
      if (result.status == sinks::DeliveryStatus::kPermanent) {
        return Fail(ErrorCode::kUnavailable, fmt::format("alert {} refused by sink {}: {}",
                                                         alert.id, sink->name(), result.error));
      }
      const std::chrono::milliseconds delay =
          result.retry_after ? *result.retry_after
                             : sinks::outbox::BackoffDelay(options_.backoff, attempt, rng_);
      const Clock::MonoTime until = clock.Monotonic() + delay;
      if (until >= stop_at) {
        return Fail(ErrorCode::kUnavailable,
                    fmt::format("alert {} not delivered to {} before the deadline: {}", alert.id,
                                sink->name(), result.error));
      }
      parts_.wait(until);
    }
  }
  return Ok();
}

InvocationOutcome LambdaHandler::Handle(const sources::InvocationEvent& event,
                                        const std::string& input, Clock::MonoTime deadline) {
  InvocationOutcome outcome;
  const Clock& clock = *parts_.clock;
  const Clock::MonoTime stop_at = deadline - options_.reserve;
  WindowOverlay windows(*parts_.windows);
  const alert::StageContext ctx{clock, &windows};
  auto& stages = parts_.processing.stages;
  const bool per_item = event.shape == sources::EventShape::kSqs;
  std::optional<sources::RuntimeError> failure;  // of the whole invocation
  auto fail_item = [&](const sources::InvocationItem& item, const char* type, std::string why) {
    ItemVisitor::Note(outcome, (item.id.empty() ? "" : "message " + item.id + ": ") + why);
    if (per_item) {
      outcome.failed_items.push_back(item.id);
    } else if (!failure) {
      failure = sources::RuntimeError{type, std::move(why)};
    }
  };
  // Runs the stages from `first` on over `alerts`.
  auto run_stages = [&](std::vector<alert::Alert>& alerts, size_t first) -> Result<void> {
    for (size_t i = first; i < stages.size() && !alerts.empty(); ++i) {
      if (auto r = stages[i]->Process(alerts, ctx); !r) return r;
    }
    return Ok();
  };

  std::vector<alert::Alert> alerts;
  for (const sources::InvocationItem& item : event.items) {
    ++outcome.items;
    if (item.error) {
      fail_item(item, kErrorBadEvent, item.error->message);
      continue;
    }
    if (!item.skipped.empty()) {
      ItemVisitor::Note(outcome, (item.id.empty() ? "" : "message " + item.id + ": ") +
                                     "skipped: " + item.skipped);
      continue;
    }
    if (clock.Monotonic() >= stop_at) {
      fail_item(item, kErrorDeadline, "not read: no time left before the deadline");
      continue;
    }
    alerts.clear();
    const uint64_t events_before = engine_.events();
    bool fetch_failed = false;
    const std::string item_input = item.id.empty() ? input : input + "/" + item.id;
    for (const std::string& document : item.documents) {
      ItemVisitor visitor(engine_, item_input, alerts, outcome);
      reader_.Read(item_input, document, visitor);
    }
    for (const sources::S3Object& object : item.objects) {
      const std::string name = "s3://" + object.bucket + "/" + object.key;
      Result<std::string> bytes =
          parts_.fetch ? parts_.fetch(object)
                       : Result<std::string>(tl::unexpected(
                             Error{ErrorCode::kUnsupported, "S3 fetch is not configured"}));
      if (!bytes) {
        fail_item(item, kErrorFetch, EscapeForTerminal(name) + ": " + bytes.error().message);
        fetch_failed = true;
        break;
      }
      ItemVisitor visitor(engine_, name, alerts, outcome);
      reader_.Read(name, *bytes, visitor);
    }
    outcome.events += engine_.events() - events_before;
    if (fetch_failed) continue;
    if (auto r = run_stages(alerts, 0); !r) {
      fail_item(item, kErrorDelivery, "alert stages: " + r.error().message);
      continue;
    }
    for (const alert::Alert& a : alerts) {
      ++outcome.alerts;
      if (a.suppressed) {
        ++outcome.suppressed;
        continue;
      }
      if (auto r = Deliver(a, stop_at, outcome); !r) {
        fail_item(item,
                  r.error().code == ErrorCode::kResourceExhausted ? kErrorDeadline : kErrorDelivery,
                  r.error().message);
        break;
      }
    }
  }

  // What time has made due in the windowed stages (a threshold's held alerts) belongs to no
  // item: its loss fails the whole invocation.
  for (size_t i = 0; i < stages.size() && !failure; ++i) {
    std::vector<alert::Alert> released;
    auto ticked = stages[i]->Tick(ctx, released);
    if (ticked) ticked = run_stages(released, i + 1);
    if (!ticked) {
      failure = sources::RuntimeError{kErrorDelivery, "alert stages: " + ticked.error().message};
      break;
    }
    for (const alert::Alert& a : released) {
      ++outcome.alerts;
      if (a.suppressed) {
        ++outcome.suppressed;
        continue;
      }
      if (auto r = Deliver(a, stop_at, outcome); !r) {
        failure = sources::RuntimeError{
            r.error().code == ErrorCode::kResourceExhausted ? kErrorDeadline : kErrorDelivery,
            r.error().message};
        break;
      }
    }
  }

  if (failure) {
    outcome.error = std::move(failure);
    return outcome;
  }
  if (outcome.failed_items.empty()) {
    if (auto r = windows.Apply(); !r) {
      // The alerts are delivered; only dedupe memory is lost. Not a reason to redeliver.
      ItemVisitor::Note(outcome, "windows not kept: " + r.error().message);
    }
  }
  outcome.response = per_item ? BatchItemFailures(outcome.failed_items) : std::string("{}");
  return outcome;
}

}  // namespace tw::pipeline

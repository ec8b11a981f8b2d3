#include "pipeline/daemon.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <utility>
#include <variant>

#include "alert/codec.h"
#include "alert/dedupe/dedupe_stage.h"
#include "alert/enrich/enricher.h"
#include "alert/format.h"
#include "alert/schedule/schedule_stage.h"
#include "alert/suppress/suppress_stage.h"
#include "alert/threshold/threshold_stage.h"
#include "aws/client_context.h"
#include "aws/dynamodb_state_store.h"
#include "aws/service_clients.h"
#include "http/http_client.h"
#include "sinks/file/file_sink.h"
#include "sinks/sink_filter.h"
#include "sinks/slack/slack_api_sink.h"
#include "sinks/slack/slack_webhook_sink.h"
#include "sinks/stdout/stdout_sink.h"
#include "sinks/webhook/webhook_sink.h"
#include "sources/dir/dir_source.h"
#include "sources/http/http_source.h"
#include "sources/s3/s3_poll_source.h"
#include "sources/sqs/sqs_source.h"
#include "sources/stdin/stdin_source.h"
#include "state/sqlite/sqlite_state_store.h"

namespace tw::pipeline {
namespace {

// ---- stages ------------------------------------------------------------------------------

Result<std::shared_ptr<const alert::PolicyTable>> PolicyTableFor(
    const std::vector<rules::Rule>& rules, const rules::PolicyLayer& defaults,
    const std::function<rules::RulePolicy(const rules::Rule&)>& resolve, bool dedupe) {
  rules::RulePolicy fallback =
      rules::ResolvePolicy(defaults, rules::RulePolicy{}, rules::PolicyKeys{}, nullptr);
  if (!dedupe) fallback.dedupe.enabled = false;
  std::map<std::string, rules::RulePolicy, std::less<>> per_rule;
  for (const rules::Rule& rule : rules) {
    rules::RulePolicy policy = resolve(rule);
    if (!dedupe) policy.dedupe.enabled = false;
    per_rule.emplace(rule.id, std::move(policy));
  }
  return alert::PolicyTable::Create(std::move(fallback), std::move(per_rule));
}

Result<Processing> Finish(std::vector<rules::Rule> rules,
                          std::shared_ptr<const alert::PolicyTable> policies,
                          const rules::GlobalPolicy& global, const StageSelection& selection,
                          size_t disabled) {
  auto stages = BuildStages(global, policies, selection);
  if (!stages) return tl::unexpected(stages.error());
  Processing out;
  out.rules = rules::RuleSet::Create(std::move(rules));
  out.policies = std::move(policies);
  out.stages = std::move(*stages);
  out.disabled_rules = disabled;
  return out;
}

// ---- the source registry -------------------------------------------------------------------

using SourceBuilder = Result<std::unique_ptr<sources::Source>> (*)(const config::SourceConfig&,
                                                                   state::StateStore*,
                                                                   const Clock&);

Result<std::unique_ptr<sources::Source>> BuildDirSource(const config::SourceConfig& c,
                                                        state::StateStore* store,
                                                        const Clock& clock) {
  const auto& dir = std::get<config::DirSourceConfig>(c.settings);
  sources::DirOptions options;
  options.name = c.type;
  options.path = dir.path;
  options.poll_interval = std::chrono::duration_cast<std::chrono::milliseconds>(dir.poll_interval);
  auto made = sources::DirSource::Create(std::move(options), store, clock);
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<sources::Source>(std::move(*made));
}

Result<std::unique_ptr<sources::Source>> BuildStdinSource(const config::SourceConfig& c,
                                                          state::StateStore* store,
                                                          const Clock& clock) {
  (void)store;
  sources::StdinOptions options;
  options.name = c.type;
  auto made = sources::StdinSource::Create(std::move(options), clock);
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<sources::Source>(std::move(*made));
}

Result<std::unique_ptr<sources::Source>> BuildHttpSource(const config::SourceConfig& c,
                                                         state::StateStore* store,
                                                         const Clock& clock) {
  (void)store;
  const auto& h = std::get<config::HttpSourceConfig>(c.settings);
  sources::HttpOptions options;
  options.name = c.type;
  options.listen = fmt::format("{}:{}", h.host, h.port);
  options.token = h.token.value;
  options.access_key = h.firehose_access_key.value;
  options.tls_cert_file = h.tls_cert_file;
  options.tls_key_file = h.tls_key_file;
  options.max_body_bytes = static_cast<size_t>(h.max_body);
  auto made = sources::HttpSource::Create(std::move(options), clock);
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<sources::Source>(std::move(*made));
}

Result<std::unique_ptr<sources::Source>> BuildS3Source(const config::SourceConfig& c,
                                                       state::StateStore* store,
                                                       const Clock& clock) {
  const auto& s3 = std::get<config::S3SourceConfig>(c.settings);
  auto context = aws::ClientContext::Create(aws::Environment::FromProcess(), clock);
  if (!context) return tl::unexpected(context.error());
  auto client = context->MakeS3Client(clock, s3.path_style);
  if (!client) return tl::unexpected(client.error());
  sources::S3PollOptions options;
  options.name = c.type;
  options.location = sources::S3Location{s3.bucket, s3.prefix};
  options.lookback = s3.lookback;
  options.interval = s3.interval;
  options.accounts = s3.accounts;
  options.regions = s3.regions;
  auto made = sources::S3PollSource::Create(std::move(*client), std::move(options), store, clock);
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<sources::Source>(std::move(*made));
}

Result<std::unique_ptr<sources::Source>> BuildSqsSource(const config::SourceConfig& c,
                                                        state::StateStore* store,
                                                        const Clock& clock) {
  const auto& q = std::get<config::SqsSourceConfig>(c.settings);
  auto setup = aws::DefaultAwsSetup(clock);
  if (!setup) return tl::unexpected(setup.error());
  auto sqs = aws::MakeSqsClient(*setup, q.queue_url, clock);
  if (!sqs) return tl::unexpected(sqs.error());
  auto s3 = aws::MakeS3Client(*setup, aws::RegionOfQueueUrl(q.queue_url), q.path_style, clock);
  if (!s3) return tl::unexpected(s3.error());
  sources::SqsOptions options;
  options.name = c.type;
  options.queue_url = q.queue_url;
  options.wait = q.wait;
  options.visibility_timeout = q.visibility_timeout;
  options.retry_delay = q.retry_delay;
  auto made =
      sources::SqsSource::Create(std::move(options), std::move(*sqs), std::move(*s3), store, clock);
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<sources::Source>(std::move(*made));
}

struct SourceFactory {
  std::string_view type;
  SourceBuilder build;
};

// The source registry: `sources: - {type: ...}` -> its builder.
constexpr SourceFactory kSourceFactories[] = {
    {"dir", &BuildDirSource}, {"stdin", &BuildStdinSource}, {"http", &BuildHttpSource},
    {"s3", &BuildS3Source},   {"sqs", &BuildSqsSource},
};

// ---- the sink registry ---------------------------------------------------------------------

sinks::SinkFilter FilterOf(const config::SinkConfig& c) {
  sinks::SinkFilter filter;
  if (c.min_severity != rules::Severity::kInfo) filter.min_severity = c.min_severity;
  filter.rules = c.rules;
  filter.exclude_rules = c.exclude_rules;
  return filter;
}

Result<std::unique_ptr<http::HttpClient>> NewHttpClient(const config::SinkConfig& c) {
  http::ClientOptions options;
  options.total_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.timeout);
  options.connect_timeout = std::min(options.connect_timeout, options.total_timeout);
  return http::MakeHttpClient(std::move(options));
}

// The JSON object of `scan --format json`, with the alert id and the processing results.
void JsonLine(const alert::Alert& alert, std::string& out) { alert::AppendAlertJson(alert, out); }

// The stdout sink with the configured name and filter (StdoutSink itself takes every alert that
// is not suppressed).
class FilteredStdoutSink final : public sinks::Sink {
 public:
  FilteredStdoutSink(std::string name, sinks::SinkFilter filter, sinks::StdoutFormat format)
      : name_(std::move(name)),
        filter_(std::move(filter)),
        out_(format, /*color=*/false, /*flush_each=*/true) {}
  const std::string& name() const override { return name_; }
  bool Accepts(const alert::Alert& alert) const override {
    return out_.Accepts(alert) && filter_.Accepts(alert);
  }
  sinks::DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent) override {
    return out_.Deliver(alert, parent);
  }

 private:
  std::string name_;
  sinks::SinkFilter filter_;
  sinks::StdoutSink out_;
};

using SinkBuilder = Result<std::unique_ptr<sinks::Sink>> (*)(const config::SinkConfig&,
                                                             const Clock&);

template <typename T>
Result<std::unique_ptr<sinks::Sink>> Upcast(Result<std::unique_ptr<T>> made) {
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<sinks::Sink>(std::move(*made));
}

Result<std::unique_ptr<sinks::Sink>> BuildSlackSink(const config::SinkConfig& c,
                                                    const Clock& clock) {
  const auto& s = std::get<config::SlackSinkConfig>(c.settings);
  sinks::slack::SlackWebhookOptions options;
  options.name = c.name;
  options.webhook_url = s.webhook_url.value;
  options.filter = FilterOf(c);
  auto client = NewHttpClient(c);
  if (!client) return tl::unexpected(client.error());
  return Upcast(
      sinks::slack::SlackWebhookSink::Create(std::move(options), std::move(*client), clock));
}

Result<std::unique_ptr<sinks::Sink>> BuildSlackApiSink(const config::SinkConfig& c,
                                                       const Clock& clock) {
  const auto& s = std::get<config::SlackApiSinkConfig>(c.settings);
  sinks::slack::SlackApiOptions options;
  options.name = c.name;
  options.token = s.token.value;
  options.channel = s.channel;
  options.api_url = s.api_url;
  options.dm_rules = s.dm_rules;
  options.filter = FilterOf(c);
  auto client = NewHttpClient(c);
  if (!client) return tl::unexpected(client.error());
  return Upcast(sinks::slack::SlackApiSink::Create(std::move(options), std::move(*client), clock));
}

Result<std::unique_ptr<sinks::Sink>> BuildWebhookSink(const config::SinkConfig& c,
                                                      const Clock& clock) {
  const auto& s = std::get<config::WebhookSinkConfig>(c.settings);
  sinks::webhook::WebhookOptions options;
  options.name = c.name;
  options.url = s.url;
  options.hmac_secret = s.hmac_secret.value;
  for (const auto& [key, value] : s.headers) options.headers.push_back({key, value});
  options.filter = FilterOf(c);
  auto client = NewHttpClient(c);
  if (!client) return tl::unexpected(client.error());
  return Upcast(sinks::webhook::WebhookSink::Create(std::move(options), &JsonLine,
                                                    std::move(*client), clock));
}

Result<std::unique_ptr<sinks::Sink>> BuildStdoutSink(const config::SinkConfig& c,
                                                     const Clock& clock) {
  (void)clock;
  const auto& s = std::get<config::StdoutSinkConfig>(c.settings);
  return std::unique_ptr<sinks::Sink>(std::make_unique<FilteredStdoutSink>(
      c.name, FilterOf(c),
      s.format == config::OutputFormat::kJson ? sinks::StdoutFormat::kJson
                                              : sinks::StdoutFormat::kText));
}

Result<std::unique_ptr<sinks::Sink>> BuildFileSink(const config::SinkConfig& c,
                                                   const Clock& clock) {
  (void)clock;
  const auto& s = std::get<config::FileSinkConfig>(c.settings);
  sinks::file::FileOptions options;
  options.name = c.name;
  options.path = s.path;
  options.fsync = s.fsync ? sinks::file::FsyncPolicy::kAlways : sinks::file::FsyncPolicy::kNever;
  options.filter = FilterOf(c);
  return Upcast(sinks::file::FileSink::Create(std::move(options), &JsonLine));
}

struct SinkFactory {
  std::string_view type;
  SinkBuilder build;
};

// The sink registry: `sinks: - {type: ...}` -> its builder.
constexpr SinkFactory kSinkFactories[] = {
    {"slack", &BuildSlackSink},   {"slack_api", &BuildSlackApiSink}, {"webhook", &BuildWebhookSink},
    {"stdout", &BuildStdoutSink}, {"file", &BuildFileSink},
};

}  // namespace

// ---- public builders -----------------------------------------------------------------------

Result<std::vector<std::unique_ptr<alert::Stage>>> BuildStages(
    const rules::GlobalPolicy& global, std::shared_ptr<const alert::PolicyTable> policies,
    const StageSelection& selection) {
  std::vector<std::unique_ptr<alert::Stage>> stages;
  if (selection.enrich) {
    auto s = alert::Enricher::Create(global);
    if (!s) return tl::unexpected(s.error());
    stages.push_back(std::move(*s));
  }
  if (selection.schedule) {
    auto s = alert::ScheduleStage::Create(global, policies);
    if (!s) return tl::unexpected(s.error());
    stages.push_back(std::move(*s));
  }
  if (selection.suppress) {
    auto s = alert::SuppressStage::Create(policies);
    if (!s) return tl::unexpected(s.error());
    stages.push_back(std::move(*s));
  }
  if (selection.threshold) stages.push_back(alert::ThresholdStage::Create(policies));
  if (selection.dedupe) {
    auto s = alert::DedupeStage::Create(policies);
    if (!s) return tl::unexpected(s.error());
    stages.push_back(std::move(*s));
  }
  return stages;
}

Result<Processing> BuildProcessing(const config::Config& config, std::vector<rules::Rule> rules,
                                   const StageSelection& selection) {
  std::vector<rules::Rule> kept;
  std::map<std::string, rules::RulePolicy> resolved;
  size_t disabled = 0;
  for (rules::Rule& rule : rules) {
    rules::RulePolicy policy = config.PolicyFor(rule.id, rule.policy, rule.policy_keys);
    if (!config.PackEnabled(rule.pack)) {
      // A pack switched off drops its rules, unless an override switches one back on.
      const config::RuleOverride* o = config.FindOverride(rule.id);
      if (o == nullptr || !o->policy.keys.enabled || !o->policy.values.enabled) {
        policy.enabled = false;
      }
    }
    if (!policy.enabled) {
      ++disabled;
      continue;
    }
    if (policy.severity) rule.severity = *policy.severity;
    resolved[rule.id] = std::move(policy);
    kept.push_back(std::move(rule));
  }
  if (kept.empty()) {
    return Fail(ErrorCode::kNotFound, "every rule is disabled: nothing to evaluate");
  }
  auto table = PolicyTableFor(
      kept, config.defaults, [&](const rules::Rule& r) { return resolved.at(r.id); },
      selection.dedupe);
  if (!table) return tl::unexpected(table.error());
  return Finish(std::move(kept), std::move(*table), config.global, selection, disabled);
}

Result<Processing> BuildPlainScanProcessing(std::vector<rules::Rule> rules) {
  StageSelection selection;
  selection.enrich = false;
  selection.suppress = false;
  selection.dedupe = false;
  const rules::PolicyLayer none;
  auto table = PolicyTableFor(
      rules, none,
      [&](const rules::Rule& r) {
        return rules::ResolvePolicy(none, r.policy, r.policy_keys, nullptr);
      },
      /*dedupe=*/false);
  if (!table) return tl::unexpected(table.error());
  return Finish(std::move(rules), std::move(*table), rules::GlobalPolicy{}, selection, 0);
}

Result<std::unique_ptr<sources::Source>> BuildSource(const config::SourceConfig& source,
                                                     state::StateStore* store, const Clock& clock) {
  for (const SourceFactory& f : kSourceFactories) {
    if (f.type == source.type) return f.build(source, store, clock);
  }
  return Fail(ErrorCode::kInvalidArgument, fmt::format("unknown source type `{}`", source.type));
}

Result<std::unique_ptr<sinks::Sink>> BuildSink(const config::SinkConfig& sink, const Clock& clock) {
  for (const SinkFactory& f : kSinkFactories) {
    if (f.type == sink.type) return f.build(sink, clock);
  }
  return Fail(ErrorCode::kInvalidArgument, fmt::format("unknown sink type `{}`", sink.type));
}

std::vector<std::string> SourceTypes() {
  std::vector<std::string> out;
  for (const SourceFactory& f : kSourceFactories) out.emplace_back(f.type);
  return out;
}

std::vector<std::string> SinkTypes() {
  std::vector<std::string> out;
  for (const SinkFactory& f : kSinkFactories) out.emplace_back(f.type);
  return out;
}

Result<std::unique_ptr<state::StateStore>> OpenStateStore(const config::StateConfig& state,
                                                          Clock& clock) {
  if (state.type != "sqlite" && state.type != "dynamodb") {
    return Fail(ErrorCode::kUnsupported,
                fmt::format("state type `{}` is not supported", state.type));
  }
  auto local = state::SqliteStateStore::Open(state.path, clock);
  if (!local) return tl::unexpected(local.error());
  if (state.type == "sqlite") return std::unique_ptr<state::StateStore>(std::move(*local));
  auto setup = aws::DefaultAwsSetup(clock);
  if (!setup) return tl::unexpected(setup.error());
  auto db = aws::MakeDynamoDbClient(*setup, clock);
  if (!db) return tl::unexpected(db.error());
  aws::DynamoDbStateOptions options;
  options.table = state.table;
  auto shared =
      aws::DynamoDbStateStore::Create(std::move(*local), std::move(*db), std::move(options), clock);
  if (!shared) return tl::unexpected(shared.error());
  return std::unique_ptr<state::StateStore>(std::move(*shared));
}

// ---- the daemon ----------------------------------------------------------------------------

// Wakes the delivery loops once a batch is committed, then tells the caller's listener.
class Daemon::Notifier final : public BatchListener {
 public:
  Notifier(Daemon& daemon, BatchListener* next) : daemon_(daemon), next_(next) {}
  void OnBatch(BatchReport& report) override {
    if (!report.alerts.empty()) daemon_.NotifyLoops();
    if (next_ != nullptr) next_->OnBatch(report);
  }

 private:
  Daemon& daemon_;
  BatchListener* next_;
};

Daemon::Daemon(const config::Config& config, Clock& clock, DaemonOptions options)
    : config_(config), clock_(clock), options_(std::move(options)) {}

Daemon::~Daemon() {
  // The pipeline first: its workers use the sinks and the notifier. Then the loops: they borrow
  // the sinks and the store.
  pipeline_.reset();
  for (SinkSlot& slot : sinks_) slot.loop.reset();
}

void Daemon::NotifyLoops() {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  for (SinkSlot& slot : sinks_) slot.loop->Notify();
}

Result<Daemon::SinkSlot> Daemon::MakeSinkSlot(const config::SinkConfig& c) {
  auto sink = BuildSink(c, clock_);
  if (!sink) {
    return Fail(sink.error().code, fmt::format("sink `{}`: {}", c.name, sink.error().message));
  }
  sinks::outbox::DeliveryLoopOptions delivery = options_.delivery;
  if (c.min_interval.count() > 0) {
    delivery.min_interval = std::chrono::duration_cast<std::chrono::milliseconds>(c.min_interval);
  }
  if (c.max_attempts > 0) delivery.max_attempts = c.max_attempts;
  auto loop = sinks::outbox::DeliveryLoop::Create(
      **sink, *state_, clock_, [](std::string_view p) { return alert::DecodeAlert(p); },
      std::move(delivery));
  if (!loop) return tl::unexpected(loop.error());
  SinkSlot slot;
  slot.config = c;
  slot.sink = std::move(*sink);
  slot.loop = std::move(*loop);
  return slot;
}

Result<std::unique_ptr<Daemon>> Daemon::Create(const config::Config& config,
                                               std::vector<rules::Rule> rules, Clock& clock,
                                               DaemonOptions options) {
  auto processing = BuildProcessing(config, std::move(rules));
  if (!processing) return tl::unexpected(processing.error());
  std::unique_ptr<Daemon> d(new Daemon(config, clock, std::move(options)));
  auto store = OpenStateStore(config.state, clock);
  if (!store) return tl::unexpected(store.error());
  d->state_ = std::move(*store);

  PipelineParts parts;
  for (const config::SourceConfig& s : config.sources) {
    auto source = BuildSource(s, d->state_.get(), clock);
    if (!source) {
      return Fail(source.error().code,
                  fmt::format("source `{}`: {}", s.type, source.error().message));
    }
    d->sources_.push_back(SourceSlot{s, source->get()});
    parts.sources.push_back(std::move(*source));
  }
  for (const config::SinkConfig& s : config.sinks) {
    auto slot = d->MakeSinkSlot(s);
    if (!slot) return tl::unexpected(slot.error());
    parts.sinks.push_back(slot->sink.get());
    d->sinks_.push_back(std::move(*slot));
  }
  d->notifier_ = std::make_unique<Notifier>(*d, d->options_.listener);
  d->rules_ = processing->rules;
  parts.rules = processing->rules;
  parts.stages = std::move(processing->stages);
  parts.state = d->state_.get();
  parts.clock = &clock;
  parts.listener = d->notifier_.get();
  parts.encode = [](const alert::Alert& a) { return alert::EncodeAlert(a); };
  auto pipe = Pipeline::Create(std::move(parts), PipelineOptions{});
  if (!pipe) return tl::unexpected(pipe.error());
  d->pipeline_ = std::move(*pipe);
  return d;
}

Result<void> Daemon::Run(const std::atomic<bool>& stop) {
  {
    std::lock_guard<std::mutex> lock(sinks_mu_);
    if (!started_) {
      for (SinkSlot& slot : sinks_) slot.loop->Start();
      started_ = true;
    }
  }
  return pipeline_->Run(stop);
}

Result<void> Daemon::Tick() {
  auto r = pipeline_->Tick();
  NotifyLoops();
  return r;
}

bool Daemon::Drain(Clock::MonoTime deadline) {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  if (!started_) return true;
  for (SinkSlot& slot : sinks_) slot.loop->Notify();
  // Each loop delivers until the shared deadline; stopping them one after another still ends
  // by the deadline because a stopped loop returns at once once nothing is due.
  bool all = true;
  for (SinkSlot& slot : sinks_) all = slot.loop->StopBy(deadline) && all;
  return all;
}

namespace {

std::string Describe(const config::SourceConfig& s) {
  if (const auto* dir = std::get_if<config::DirSourceConfig>(&s.settings)) {
    return fmt::format("dir {}", dir->path);
  }
  if (const auto* h = std::get_if<config::HttpSourceConfig>(&s.settings)) {
    return fmt::format("http {}:{}", h->host, h->port);
  }
  return s.type;
}

// An http source that listens where `old` listens (a fixed port): it can only bind once the old
// one has stopped.
bool SameAddress(const config::SourceConfig& next, const config::SourceConfig& old) {
  const auto* a = std::get_if<config::HttpSourceConfig>(&next.settings);
  const auto* b = std::get_if<config::HttpSourceConfig>(&old.settings);
  return a != nullptr && b != nullptr && a->port != 0 && a->port == b->port;
}

}  // namespace

Result<Daemon::ReloadResult> Daemon::Reload(const config::Config& next,
                                            std::vector<rules::Rule> rules) {
  if (next.state.type != config_.state.type || next.state.path != config_.state.path ||
      next.state.table != config_.state.table) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("`state` changed (path {} -> {}): the state store cannot be switched "
                            "while trailwatch runs; restart it to use the new state. Nothing "
                            "was reloaded.",
                            config_.state.path, next.state.path));
  }
  // ---- 1. Build everything new while the old runtime runs. ----
  auto processing = BuildProcessing(next, std::move(rules));
  if (!processing) return tl::unexpected(processing.error());

  // Sinks: keep the unchanged ones (by name and settings), build the others.
  std::vector<std::optional<size_t>> kept_sink(next.sinks.size());  // index into sinks_
  std::vector<SinkSlot> built_sinks;                                // for the others, in order
  std::vector<bool> old_sink_kept(sinks_.size(), false);
  for (size_t i = 0; i < next.sinks.size(); ++i) {
    for (size_t j = 0; j < sinks_.size(); ++j) {
      if (!old_sink_kept[j] && sinks_[j].config.SameAs(next.sinks[i])) {
        kept_sink[i] = j;
        old_sink_kept[j] = true;
        break;
      }
    }
    if (kept_sink[i]) continue;
    auto slot = MakeSinkSlot(next.sinks[i]);
    if (!slot) return tl::unexpected(slot.error());
    built_sinks.push_back(std::move(*slot));
  }

  // Sources: keep the unchanged ones, build the others (an http source on the address of one
  // that goes away is built after it has gone).
  std::vector<bool> old_source_kept(sources_.size(), false);
  std::vector<std::optional<size_t>> kept_source(next.sources.size());
  std::vector<std::unique_ptr<sources::Source>> built_sources(next.sources.size());
  std::vector<size_t> rebind;  // indexes into next.sources
  for (size_t i = 0; i < next.sources.size(); ++i) {
    for (size_t j = 0; j < sources_.size(); ++j) {
      if (!old_source_kept[j] && sources_[j].config.SameAs(next.sources[i])) {
        kept_source[i] = j;
        old_source_kept[j] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < next.sources.size(); ++i) {
    if (kept_source[i]) continue;
    bool after = false;
    for (size_t j = 0; j < sources_.size(); ++j) {
      if (!old_source_kept[j] && SameAddress(next.sources[i], sources_[j].config)) after = true;
    }
    if (after) {
      rebind.push_back(i);
      continue;
    }
    auto source = BuildSource(next.sources[i], state_.get(), clock_);
    if (!source) {
      return Fail(source.error().code, fmt::format("source `{}`: {}", Describe(next.sources[i]),
                                                   source.error().message));
    }
    built_sources[i] = std::move(*source);
  }

  // ---- 2. Swap. ----
  pipeline_->HoldRun(true);  // removing a source before adding its successor must not end Run
  int sources_removed = 0;
  std::vector<config::SourceConfig> removed_configs;
  for (size_t j = 0; j < sources_.size(); ++j) {
    if (old_source_kept[j]) continue;
    pipeline_->RemoveSource(sources_[j].source);  // finishes and commits what it holds
    removed_configs.push_back(sources_[j].config);
    ++sources_removed;
  }
  pipeline_->SetStages(std::move(processing->stages));

  std::vector<SinkSlot> next_slots;
  std::vector<SinkSlot> retired;
  int sinks_built = static_cast<int>(built_sinks.size());
  {
    size_t b = 0;
    for (size_t i = 0; i < next.sinks.size(); ++i) {
      if (kept_sink[i]) {
        next_slots.push_back(std::move(sinks_[*kept_sink[i]]));
        next_slots.back().config = next.sinks[i];
      } else {
        next_slots.push_back(std::move(built_sinks[b++]));
      }
    }
  }
  std::vector<sinks::Sink*> sink_ptrs;
  for (SinkSlot& slot : next_slots) sink_ptrs.push_back(slot.sink.get());
  pipeline_->SetSinks(sink_ptrs);  // from the next batch on, outbox rows name the new sinks
  {
    std::lock_guard<std::mutex> lock(sinks_mu_);
    for (size_t j = 0; j < sinks_.size(); ++j) {
      if (!old_sink_kept[j]) retired.push_back(std::move(sinks_[j]));
    }
    sinks_ = std::move(next_slots);
  }
  // A replaced sink's loop ends after its request in flight; only then may a loop of the same
  // name start, so that no row is delivered by two loops.
  const int sinks_removed = static_cast<int>(retired.size());
  bool started = false;
  {
    std::lock_guard<std::mutex> lock(sinks_mu_);
    started = started_;
  }
  for (SinkSlot& slot : retired) {
    if (started) slot.loop->Stop(clock_.Monotonic());
    slot.loop.reset();
    slot.sink.reset();
  }
  {
    std::lock_guard<std::mutex> lock(sinks_mu_);
    for (size_t i = 0; i < sinks_.size(); ++i) {
      if (kept_sink[i]) {
        sinks_[i].sink->Reopen();  // logrotate
      } else if (started_) {
        sinks_[i].loop->Start();
      }
    }
  }
  pipeline_->SetRules(processing->rules);
  rules_ = processing->rules;

  std::vector<SourceSlot> next_sources;
  std::string problems;
  for (size_t i = 0; i < next.sources.size(); ++i) {
    if (kept_source[i]) {
      next_sources.push_back(SourceSlot{next.sources[i], sources_[*kept_source[i]].source});
      continue;
    }
    if (!built_sources[i]) {  // rebind: the old one has gone, its port is free
      auto source = BuildSource(next.sources[i], state_.get(), clock_);
      if (!source) {
        problems += fmt::format(" source `{}` failed to start: {};", Describe(next.sources[i]),
                                source.error().message);
        for (const config::SourceConfig& old : removed_configs) {
          if (!SameAddress(next.sources[i], old)) continue;
          auto back = BuildSource(old, state_.get(), clock_);
          if (back) {
            problems += " the old one runs again;";
            next_sources.push_back(SourceSlot{old, back->get()});
            pipeline_->AddSource(std::move(*back));
          }
          break;
        }
        continue;
      }
      built_sources[i] = std::move(*source);
    }
    next_sources.push_back(SourceSlot{next.sources[i], built_sources[i].get()});
    pipeline_->AddSource(std::move(built_sources[i]));
  }
  const int sources_added =
      static_cast<int>(next.sources.size()) -
      static_cast<int>(std::count(old_source_kept.begin(), old_source_kept.end(), true));
  sources_ = std::move(next_sources);
  pipeline_->HoldRun(false);
  config_ = next;
  ReloadResult result;
  if (!problems.empty()) {
    problems.pop_back();
    result.problem = "reloaded, except:" + problems;
  }
  result.summary = fmt::format(
      "{} rules; sinks: {} kept, {} started, {} stopped; sources: {} kept, {} "
      "started, {} stopped",
      rules_->size(), next.sinks.size() - static_cast<size_t>(sinks_built), sinks_built,
      sinks_removed, next.sources.size() - static_cast<size_t>(sources_added), sources_added,
      sources_removed);
  return result;
}

size_t Daemon::rule_count() const { return rules_ ? rules_->size() : 0; }

size_t Daemon::sink_count() const {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  return sinks_.size();
}

size_t Daemon::source_count() const { return sources_.size(); }

}  // namespace tw::pipeline

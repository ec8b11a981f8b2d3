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
#include "http/curl_http_client.h"
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
  rules::RulePolicy fallback = rules::ResolvePolicy(defaults, rules::RulePolicy{},
                                                    rules::PolicyKeys{}, nullptr);
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
    {"dir", &BuildDirSource},
    {"stdin", &BuildStdinSource},
    {"http", &BuildHttpSource},
    {"s3", &BuildS3Source},
    {"sqs", &BuildSqsSource},
};

// ---- the sink registry ---------------------------------------------------------------------

sinks::SinkFilter FilterOf(const config::SinkConfig& c) {
  sinks::SinkFilter filter;
  if (c.min_severity != rules::Severity::kInfo) filter.min_severity = c.min_severity;
  filter.rules = c.rules;
  filter.exclude_rules = c.exclude_rules;
  return filter;
}

Result<std::unique_ptr<http::HttpClient>> NewHttpClient() {
  auto client = http::CurlHttpClient::Create(http::CurlOptions{});
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<http::HttpClient>(std::move(*client));
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
  auto client = NewHttpClient();
  if (!client) return tl::unexpected(client.error());
  return Upcast(sinks::slack::SlackWebhookSink::Create(std::move(options), std::move(*client),
                                                       clock));
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
  auto client = NewHttpClient();
  if (!client) return tl::unexpected(client.error());
  return Upcast(
      sinks::slack::SlackApiSink::Create(std::move(options), std::move(*client), clock));
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
  auto client = NewHttpClient();
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
                                                     state::StateStore* store,
                                                     const Clock& clock) {
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
    return Fail(ErrorCode::kUnsupported, fmt::format("state type `{}` is not supported", state.type));
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
  auto shared = aws::DynamoDbStateStore::Create(std::move(*local), std::move(*db),
                                                std::move(options), clock);
  if (!shared) return tl::unexpected(shared.error());
  return std::unique_ptr<state::StateStore>(std::move(*shared));
}

// ---- the daemon ----------------------------------------------------------------------------

// Wakes the delivery loops once a batch is committed, then tells the caller's listener.
class Daemon::Notifier final : public BatchListener {
 public:
  Notifier(std::vector<std::unique_ptr<sinks::outbox::DeliveryLoop>>& loops, BatchListener* next)
      : loops_(loops), next_(next) {}
  void OnBatch(BatchReport& report) override {
    if (!report.alerts.empty()) {
      for (auto& loop : loops_) loop->Notify();
    }
    if (next_ != nullptr) next_->OnBatch(report);
  }

 private:
  std::vector<std::unique_ptr<sinks::outbox::DeliveryLoop>>& loops_;
  BatchListener* next_;
};

Daemon::Daemon(const config::Config& config, Clock& clock, DaemonOptions options)
    : config_(config), clock_(clock), options_(std::move(options)) {}

Daemon::~Daemon() {
  // Loops first: they borrow the sinks and the store.
  loops_.clear();
  pipeline_.reset();
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
    parts.sources.push_back(std::move(*source));
  }
  for (const config::SinkConfig& s : config.sinks) {
    auto sink = BuildSink(s, clock);
    if (!sink) {
      return Fail(sink.error().code, fmt::format("sink `{}`: {}", s.name, sink.error().message));
    }
    d->sinks_.push_back(std::move(*sink));
  }
  for (auto& sink : d->sinks_) {
    auto loop = sinks::outbox::DeliveryLoop::Create(
        *sink, *d->state_, clock, [](std::string_view p) { return alert::DecodeAlert(p); },
        d->options_.delivery);
    if (!loop) return tl::unexpected(loop.error());
    d->loops_.push_back(std::move(*loop));
    parts.sinks.push_back(sink.get());
  }
  d->notifier_ = std::make_unique<Notifier>(d->loops_, d->options_.listener);
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
  if (!started_) {
    for (auto& loop : loops_) loop->Start();
    started_ = true;
  }
  return pipeline_->Run(stop);
}

Result<void> Daemon::Tick() {
  auto r = pipeline_->Tick();
  for (auto& loop : loops_) loop->Notify();
  return r;
}

void Daemon::Drain(Clock::MonoTime deadline) {
  if (!started_) return;
  for (auto& loop : loops_) loop->Notify();
  // Each loop delivers until the shared deadline; stopping them one after another still ends
  // by the deadline because a stopped loop returns at once once nothing is due.
  for (auto& loop : loops_) loop->Stop(deadline);
}

namespace {
bool SameSources(const config::Config& a, const config::Config& b) {
  if (a.sources.size() != b.sources.size()) return false;
  for (size_t i = 0; i < a.sources.size(); ++i) {
    if (a.sources[i].type != b.sources[i].type) return false;
    if (a.sources[i].settings.index() != b.sources[i].settings.index()) return false;
    if (const auto* x = std::get_if<config::DirSourceConfig>(&a.sources[i].settings)) {
      const auto& y = std::get<config::DirSourceConfig>(b.sources[i].settings);
      if (x->path != y.path) return false;
    }
    if (const auto* x = std::get_if<config::S3SourceConfig>(&a.sources[i].settings)) {
      const auto& y = std::get<config::S3SourceConfig>(b.sources[i].settings);
      if (x->bucket != y.bucket || x->prefix != y.prefix || x->lookback != y.lookback ||
          x->interval != y.interval || x->accounts != y.accounts || x->regions != y.regions ||
          x->path_style != y.path_style) {
        return false;
      }
    }
    if (const auto* x = std::get_if<config::SqsSourceConfig>(&a.sources[i].settings)) {
      if (x->queue_url != std::get<config::SqsSourceConfig>(b.sources[i].settings).queue_url) {
        return false;
      }
    }
    if (const auto* x = std::get_if<config::HttpSourceConfig>(&a.sources[i].settings)) {
      const auto& y = std::get<config::HttpSourceConfig>(b.sources[i].settings);
      if (x->host != y.host || x->port != y.port || x->token.value != y.token.value) return false;
    }
  }
  return true;
}

bool SameSinks(const config::Config& a, const config::Config& b) {
  if (a.sinks.size() != b.sinks.size()) return false;
  for (size_t i = 0; i < a.sinks.size(); ++i) {
    const config::SinkConfig& x = a.sinks[i];
    const config::SinkConfig& y = b.sinks[i];
    if (x.type != y.type || x.name != y.name || x.min_severity != y.min_severity ||
        x.rules != y.rules || x.exclude_rules != y.exclude_rules) {
      return false;
    }
  }
  return true;
}
}  // namespace

Result<void> Daemon::Reload(const config::Config& next_config, std::vector<rules::Rule> rules) {
  for (auto& sink : sinks_) sink->Reopen();
  if (next_config.state.path != config_.state.path ||
      next_config.state.type != config_.state.type ||
      next_config.state.table != config_.state.table || !SameSources(config_, next_config) ||
      !SameSinks(config_, next_config)) {
    return Fail(ErrorCode::kInvalidArgument,
                "the new config changes `state`, `sources` or `sinks`; a reload only changes "
                "rules and policy (restart to change those)");
  }
  auto processing = BuildProcessing(next_config, std::move(rules));
  if (!processing) return tl::unexpected(processing.error());
  // Stages first, then rules: a batch evaluated with new rules always meets the new policy.
  // Alerts of old rules still in flight find their policy in the new table or its fallback.
  pipeline_->SetStages(std::move(processing->stages));
  pipeline_->SetRules(processing->rules);
  rules_ = processing->rules;
  config_ = next_config;
  return Ok();
}

size_t Daemon::rule_count() const { return rules_ ? rules_->size() : 0; }

}  // namespace tw::pipeline

#include "cli/scan_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "aws/client_context.h"
#include "cli/cli_util.h"
#include "cli/watch_command.h"
#include "common/clock.h"
#include "common/strings.h"
#include "pipeline/daemon.h"
#include "pipeline/pipeline.h"
#include "pipeline/scan_filter_stages.h"
#include "sinks/stdout/stdout_sink.h"
#include "sources/files/files_source.h"
#include "sources/s3/s3_scan_source.h"
#include "sources/stdin/stdin_source.h"
#include "state/sqlite/sqlite_state_store.h"

namespace tw::cli {
namespace {

std::string HumanBytes(uint64_t b) {
  if (b >= 1000000000) return fmt::format("{:.2f} GB", static_cast<double>(b) / 1e9);
  if (b >= 1000000) return fmt::format("{:.1f} MB", static_cast<double>(b) / 1e6);
  if (b >= 1000) return fmt::format("{:.1f} kB", static_cast<double>(b) / 1e3);
  return fmt::format("{} B", b);
}

// Flushes the alerts the stdout sink wrote for a file, reports errors to stderr, and keeps the
// totals.
class Printer : public pipeline::BatchListener {
 public:
  explicit Printer(sinks::StdoutSink& out) : out_(out) {}

  void OnBatch(pipeline::BatchReport& r) override {
    // Standard input and large NDJSON files arrive as many batches (runs of lines, parts 0, 1,
    // ...) but are one input each.
    if (r.part == 0 && (r.input != "-" || !stdin_counted_)) ++files_;
    if (r.input == "-") stdin_counted_ = true;
    events_ += r.events;
    bytes_ += r.bytes;
    for (const auto& a : r.alerts) {
      if (a.suppressed) {  // --config: kept by the suppress stage, not printed
        ++suppressed_;
        continue;
      }
      ++alerts_;
      ++by_id_[a.rule_id];
    }
    if (auto flushed = out_.Flush(); !flushed && !output_error_) {
      output_error_ = flushed.error().message;
      ClearProgressLine();
      PrintError(*output_error_);
    }
    for (const auto& e : r.errors) ReportError(e);
    if (!r.skipped.empty()) skipped_.emplace_back(r.input, r.skipped);
  }

  void ReportError(const pipeline::InputError& e) {
    ++errors_;
    ClearProgressLine();
    std::fprintf(stderr, "trailwatch: error: %s\n", DescribeInputError(e).c_str());
  }

  void ClearProgressLine() {
    if (progress_shown_) {
      std::fputs("\r\x1b[K", stderr);
      progress_shown_ = false;
    }
  }

  // The summary as one JSON object on one line (--summary json; docs/output.md).
  void PrintSummaryJson(const rules::RuleSet& rules, double seconds) {
    ClearProgressLine();
    std::string out = fmt::format(
        R"({{"files":{},"bytes":{},"events":{},"alerts":{},"errors":{},"suppressed":{},)"
        R"("index_fallbacks":{},"seconds":{:.3f},"by_rule":{{)",
        files_, bytes_, events_, alerts_, errors_, suppressed_, rules.index().shape_set_fallbacks(),
        seconds);
    bool first = true;
    for (const auto& rule : rules.rules()) {
      auto it = by_id_.find(rule->id);
      if (it == by_id_.end()) continue;
      out += first ? "\"" : ",\"";
      first = false;
      AppendJsonEscaped(out, rule->id);
      out += fmt::format("\":{}", it->second);
    }
    out += "},\"skipped\":[";
    first = true;
    for (const auto& [file, why] : skipped_) {
      out += first ? "{\"file\":\"" : ",{\"file\":\"";
      first = false;
      AppendJsonEscaped(out, file);
      out += "\",\"why\":\"";
      AppendJsonEscaped(out, why);
      out += "\"}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stderr);
  }

  void PrintSummary(const rules::RuleSet& rules, double seconds) {
    ClearProgressLine();
    if (s3_stats_) {
      const S3Stats& st = *s3_stats_;
      std::fprintf(stderr, "\ntrailwatch: s3: %llu object%s listed, %llu fetched (%s, %.1f MB/s)",
                   static_cast<unsigned long long>(st.listed), st.listed == 1 ? "" : "s",
                   static_cast<unsigned long long>(st.fetched), HumanBytes(st.bytes).c_str(),
                   seconds > 0 ? static_cast<double>(st.bytes) / 1e6 / seconds : 0.0);
      if (st.digests > 0) {
        std::fprintf(stderr, ", %llu digest file%s skipped",
                     static_cast<unsigned long long>(st.digests), st.digests == 1 ? "" : "s");
      }
    }
    std::fprintf(stderr, "\ntrailwatch: %llu file%s (%s), %llu event%s, %llu alert%s in %.2f s\n",
                 static_cast<unsigned long long>(files_), files_ == 1 ? "" : "s",
                 HumanBytes(bytes_).c_str(), static_cast<unsigned long long>(events_),
                 events_ == 1 ? "" : "s", static_cast<unsigned long long>(alerts_),
                 alerts_ == 1 ? "" : "s", seconds);
    for (const auto& rule : rules.rules()) {
      auto it = by_id_.find(rule->id);
      if (it == by_id_.end()) continue;
      std::fprintf(stderr, "  %-9s %-34s %llu\n", rules::SeverityName(rule->severity),
                   rule->id.c_str(), static_cast<unsigned long long>(it->second));
    }
    if (suppressed_ > 0) {
      std::fprintf(stderr, "suppressed: %llu alert%s (the config's suppress conditions)\n",
                   static_cast<unsigned long long>(suppressed_), suppressed_ == 1 ? "" : "s");
    }
    if (!skipped_.empty()) {
      std::fprintf(stderr, "skipped: %zu file%s\n", skipped_.size(),
                   skipped_.size() == 1 ? "" : "s");
      for (const auto& [file, why] : skipped_) {
        std::fprintf(stderr, "  %s: %s\n", EscapeForTerminal(file).c_str(), why.c_str());
      }
    }
    if (const uint64_t fallbacks = rules.index().shape_set_fallbacks(); fallbacks > 0) {
      std::fprintf(stderr,
                   "index: %llu RE2::Set fallback%s (the set could not answer; every rule of it "
                   "was evaluated)\n",
                   static_cast<unsigned long long>(fallbacks), fallbacks == 1 ? "" : "s");
    }
    if (errors_ > 0) {
      std::fprintf(stderr, "errors: %llu (see above)\n", static_cast<unsigned long long>(errors_));
    }
  }

  uint64_t errors() const { return errors_; }
  bool output_failed() const { return output_error_.has_value(); }
  bool progress_shown_ = false;
  const sources::S3ScanSource* s3_ = nullptr;  // `scan s3://`: its counters for the summary

  void SnapshotS3() {
    s3_stats_ = S3Stats{s3_->objects_listed(), s3_->objects_fetched(), s3_->bytes_fetched(),
                        s3_->digests_skipped()};
    s3_ = nullptr;
  }

 private:
  sinks::StdoutSink& out_;
  std::map<std::string, uint64_t> by_id_;
  std::vector<std::pair<std::string, std::string>> skipped_;
  std::optional<std::string> output_error_;
  struct S3Stats {
    uint64_t listed, fetched, bytes, digests;
  };
  std::optional<S3Stats> s3_stats_;
  uint64_t files_ = 0, events_ = 0, bytes_ = 0, alerts_ = 0, errors_ = 0, suppressed_ = 0;
  bool stdin_counted_ = false;
};

}  // namespace

CLI::App* AddScanCommand(CLI::App& app, ScanArgs& args) {
  CLI::App* cmd =
      app.add_subcommand("scan", "Evaluate rules over CloudTrail logs and print the alerts");
  cmd->add_option("--rules", args.rule_paths,
                  "Rule file or directory (YAML); repeatable. Adds to the built-in pack; a rule "
                  "with a built-in's id replaces it")
      ->type_name("PATH")
      ->allow_extra_args(false);
  cmd->add_flag("--no-builtin-rules", args.no_builtin, "Do not load the built-in rule pack");
  cmd->add_option("--format", args.format, "Output: text (for people) or json (one alert per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--summary", args.summary,
                  "Summary on stderr: text (for people) or json (one object on one line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--index-set-memory", args.index_set_memory,
                  "Memory budget in bytes of each RE2::Set of the rule index (default 64 MiB); "
                  "when a set cannot answer, its rules are all evaluated and the summary counts "
                  "the fallback")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->group("");  // hidden: a tuning knob
  cmd->add_option("--threads", args.threads,
                  "Worker threads: files, and the windows of a large NDJSON file or of stdin, are "
                  "scanned in parallel; output stays in input order (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--config", args.config,
                  "Backtest: the rules and alert stages (schedule, suppress, threshold, dedupe, "
                  "enrichment) of this watch config; output still goes to stdout only")
      ->type_name("FILE");
  cmd->add_option("--state", args.state,
                  "With --config: keep dedupe/threshold windows in this SQLite file (default: in "
                  "memory for the run)")
      ->type_name("PATH");
  cmd->add_option("--min-severity", args.min_severity, "Only alerts of at least this severity")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--rule", args.only_rules, "Only this rule id (repeatable)")
      ->type_name("ID")
      ->allow_extra_args(false);
  cmd->add_option("--exclude-rule", args.exclude_rules, "Not this rule id (repeatable)")
      ->type_name("ID")
      ->allow_extra_args(false);
  cmd->add_option("--since", args.since,
                  "Only events with eventTime at or after this (YYYY-MM-DD or "
                  "YYYY-MM-DDTHH:MM:SSZ)")
      ->type_name("TIME");
  cmd->add_option("--until", args.until,
                  "Only events with eventTime before this (a date includes that whole day)")
      ->type_name("TIME");
  cmd->add_option("--account", args.accounts,
                  "s3:// inputs: only this account's CloudTrail folders (repeatable)")
      ->type_name("ID")
      ->allow_extra_args(false);
  cmd->add_option("--region", args.regions,
                  "s3:// inputs: only this region's CloudTrail folders (repeatable)")
      ->type_name("REGION")
      ->allow_extra_args(false);
  cmd->add_option("--fetch-concurrency", args.fetch_concurrency,
                  "s3:// inputs: objects downloaded in parallel (and at most held in memory)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_flag("--s3-path-style", args.s3_path_style,
                "s3:// inputs: path-style addressing (automatic for IP or localhost endpoints)");
  cmd->add_option("INPUT", args.inputs,
                  "CloudTrail log files (.json or .json.gz), NDJSON, CloudWatch Logs subscription "
                  "payloads, EventBridge events, or directories of them; - for stdin; or one "
                  "s3://bucket/prefix (the CloudTrail layout under it, listed by day with "
                  "--since/--until)")
      ->required();
  cmd->footer(
      "\nExit status: 0 when every input was read, 1 when some input failed (the rest is still "
      "scanned), 2 on a usage or rule error, 3 when the output could not be written.\n\nExamples:\n"
      "  trailwatch scan ~/cloudtrail/AWSLogs/\n"
      "  trailwatch scan --format json --rules my-rules/ logs/*.json.gz > alerts.jsonl\n"
      "  trailwatch scan --since 2024-01-01 --until 2024-01-07 --region us-east-1 "
      "s3://trail-bucket/AWSLogs/\n"
      "  aws s3 cp s3://trail-bucket/AWSLogs/.../file.json.gz - | trailwatch scan -");
  return cmd;
}

namespace {

// Keeps the rules --rule names (all when none) less those --exclude-rule names. An id that names
// no loaded rule is a usage error (a typo would otherwise silently scan for nothing).
Result<std::vector<rules::Rule>> SelectRules(std::vector<rules::Rule> loaded,
                                             const ScanArgs& args) {
  std::set<std::string> known;
  for (const rules::Rule& r : loaded) known.insert(r.id);
  for (const auto* list : {&args.only_rules, &args.exclude_rules}) {
    for (const std::string& id : *list) {
      if (known.count(id) == 0)
        return Fail(ErrorCode::kInvalidArgument, "unknown rule id `" + id + "`");
    }
  }
  std::vector<rules::Rule> out;
  for (rules::Rule& r : loaded) {
    const bool included =
        args.only_rules.empty() ||
        std::find(args.only_rules.begin(), args.only_rules.end(), r.id) != args.only_rules.end();
    const bool excluded = std::find(args.exclude_rules.begin(), args.exclude_rules.end(), r.id) !=
                          args.exclude_rules.end();
    if (included && !excluded) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

int RunScan(const ScanArgs& args) {
  std::vector<rules::Rule> loaded_rules;
  std::optional<config::Config> cfg;
  if (!args.config.empty()) {
    if (!args.rule_paths.empty() || args.no_builtin) {
      PrintError("--config takes its rules from the config; drop --rules/--no-builtin-rules");
      return kExitUsage;
    }
    auto loaded = LoadConfigAndRules(args.config);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().c_str());
      return kExitUsage;
    }
    cfg = std::move(loaded->config);
    loaded_rules = std::move(loaded->rules);
  } else {
    if (!args.state.empty()) {
      PrintError("--state needs --config");
      return kExitUsage;
    }
    auto rules = LoadRules(args.rule_paths, args.no_builtin, /*with_tests=*/false);
    if (!rules) {
      // Rule diagnostics are already "file:line:col: error: ...".
      std::fprintf(stderr, "%s\n", rules.error().message.c_str());
      return kExitUsage;
    }
    loaded_rules = std::move(*rules);
  }
  auto selected = SelectRules(std::move(loaded_rules), args);
  if (!selected) {
    PrintError(selected.error().message);
    return kExitUsage;
  }
  if (selected->empty()) {
    PrintError("no rules to evaluate (--no-builtin-rules without --rules, or every rule excluded)");
    return kExitUsage;
  }
  std::optional<alert::EventTime> since;
  std::optional<alert::EventTime> until;
  if (!args.since.empty()) {
    auto t = pipeline::ParseTimeBound(args.since, pipeline::BoundKind::kLower);
    if (!t) {
      PrintError("--since: " + t.error().message);
      return kExitUsage;
    }
    since = *t;
  }
  if (!args.until.empty()) {
    auto t = pipeline::ParseTimeBound(args.until, pipeline::BoundKind::kUpper);
    if (!t) {
      PrintError("--until: " + t.error().message);
      return kExitUsage;
    }
    until = *t;
  }
  // The stages: with --config those of `watch`; without, each rule's own schedule and threshold
  // (docs/alerting.md, "Plain scan").
  auto processing = cfg ? pipeline::BuildProcessing(*cfg, std::move(*selected))
                        : pipeline::BuildPlainScanProcessing(std::move(*selected));
  if (!processing) {
    PrintError(processing.error().message);
    return kExitUsage;
  }
  std::vector<std::unique_ptr<alert::Stage>> stages;
  if (since || until)
    stages.push_back(std::make_unique<pipeline::EventTimeRangeStage>(since, until));
  for (auto& stage : processing->stages) stages.push_back(std::move(stage));
  if (!args.min_severity.empty()) {
    stages.push_back(
        std::make_unique<pipeline::MinSeverityStage>(*rules::ParseSeverity(args.min_severity)));
  }
  SystemClock clock;
  std::unique_ptr<state::SqliteStateStore> window_store;
  if (!args.state.empty()) {
    auto opened = state::SqliteStateStore::Open(args.state, clock);
    if (!opened) {
      PrintError("--state " + args.state + ": " + opened.error().message);
      return kExitUsage;
    }
    window_store = std::move(*opened);
  }
  auto set = processing->rules;
  if (args.index_set_memory > 0) {  // the same rules, the index built with another budget
    match::RuleIndex::BuildOptions index_options;
    index_options.shape_set_max_mem = args.index_set_memory;
    set = rules::RuleSet::Create(set->rules(), index_options);
  }

  // s3://bucket/prefix: the S3 source instead of files (one such input, on its own).
  const bool s3_input = std::any_of(args.inputs.begin(), args.inputs.end(),
                                    [](const std::string& in) { return sources::IsS3Uri(in); });
  if (!s3_input && (!args.accounts.empty() || !args.regions.empty() || args.s3_path_style)) {
    PrintError("--account, --region and --s3-path-style apply to s3:// inputs only");
    return kExitUsage;
  }
  std::optional<aws::ClientContext> aws_context;
  std::unique_ptr<aws::S3Client> s3_client;
  std::unique_ptr<sources::S3ScanSource> s3_source;
  if (s3_input) {
    if (args.inputs.size() != 1) {
      PrintError("an s3:// input must be the only input of a scan");
      return kExitUsage;
    }
    auto location = sources::ParseS3Uri(args.inputs[0]);
    if (!location) {
      PrintError(location.error().message);
      return kExitUsage;
    }
    aws::CurlFetchOptions fetch_options;
    fetch_options.max_idle_handles = static_cast<size_t>(args.fetch_concurrency) + 2;
    auto context =
        aws::ClientContext::Create(aws::Environment::FromProcess(), clock, fetch_options);
    if (!context) {
      PrintError(context.error().message);
      return kExitUsage;
    }
    aws_context = std::move(*context);
    auto client = aws_context->MakeS3Client(clock, args.s3_path_style);
    if (!client) {
      PrintError(client.error().message);
      return kExitUsage;
    }
    s3_client = std::move(*client);
    sources::S3ScanOptions s3_options;
    s3_options.location = std::move(*location);
    if (since) s3_options.first_day = std::chrono::floor<std::chrono::days>(*since);
    if (until) {
      // --until is exclusive: its last included day is the one before the bound's last second.
      s3_options.last_day = std::chrono::floor<std::chrono::days>(*until - std::chrono::seconds(1));
    }
    s3_options.accounts = args.accounts;
    s3_options.regions = args.regions;
    s3_options.fetch_concurrency = args.fetch_concurrency;
    auto source = sources::S3ScanSource::Create(*s3_client, std::move(s3_options), clock);
    if (!source) {
      PrintError(source.error().message);
      return kExitUsage;
    }
    s3_source = std::move(*source);
  }

  std::vector<sources::ExpandError> expand_errors;
  std::vector<std::string> files =
      s3_input ? std::vector<std::string>{} : sources::ExpandInputs(args.inputs, expand_errors);
  // "-" is the stdin source: streamed in batches of lines as they arrive, so that alerts come
  // out while the input is still open and memory stays bounded (sources/stdin).
  const auto dash = std::remove(files.begin(), files.end(), std::string("-"));
  const bool read_stdin = dash != files.end();
  files.erase(dash, files.end());
  const size_t file_count = files.size() + (read_stdin ? 1 : 0);

  const int threads = args.threads > 0
                          ? args.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  sinks::StdoutSink out(
      args.format == "json" ? sinks::StdoutFormat::kJson : sinks::StdoutFormat::kText,
      args.format == "text" && StdoutIsColorTerminal(), /*flush_each=*/false);
  Printer printer(out);
  printer.s3_ = s3_source.get();
  for (const auto& e : expand_errors) printer.ReportError({e.input, "", e.error});

  // Progress on a terminal, once the scan has run for a second.
  pipeline::Progress progress;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread ticker;
  const auto start = std::chrono::steady_clock::now();
  const bool terminal = StderrIsTerminal();
  if (terminal || s3_source) {
    // `scan s3://` reports progress on any stderr: on a terminal one line rewritten every
    // second, otherwise a line every 10 s (a long download should not look hung in a log).
    const sources::S3ScanSource* s3 = s3_source.get();
    ticker = std::thread([&, s3] {
      std::unique_lock<std::mutex> lock(mu);
      int ticks = 0;
      while (!cv.wait_for(lock, std::chrono::seconds(1), [&] { return done; })) {
        ++ticks;
        if (!terminal && ticks % 10 != 0) continue;
        const char* lead = terminal ? "\r\x1b[K" : "";
        const char* tail = terminal ? "" : "\n";
        if (s3 != nullptr) {
          const double secs =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          std::fprintf(stderr,
                       "%sscanning s3: %llu/%llu%s objects, %s, %llu events, %llu alerts, "
                       "%.1f MB/s%s",
                       lead, static_cast<unsigned long long>(progress.batches.load()),
                       static_cast<unsigned long long>(s3->objects_listed()),
                       s3->listing_done() ? "" : "+", HumanBytes(s3->bytes_fetched()).c_str(),
                       static_cast<unsigned long long>(progress.events.load()),
                       static_cast<unsigned long long>(progress.alerts.load()),
                       secs > 0 ? static_cast<double>(s3->bytes_fetched()) / 1e6 / secs : 0.0,
                       tail);
        } else {
          std::fprintf(stderr, "%sscanning: %llu/%zu files, %llu events, %llu alerts%s", lead,
                       static_cast<unsigned long long>(progress.batches.load()), file_count,
                       static_cast<unsigned long long>(progress.events.load()),
                       static_cast<unsigned long long>(progress.alerts.load()), tail);
        }
        printer.progress_shown_ = terminal;
      }
    });
  }
  int status = kExitOk;
  {
    // The ticker and the listener both touch stderr; the listener runs under the pipeline's
    // commit lock and the ticker under `mu`, so serialise them through `mu`.
    struct Locked : pipeline::BatchListener {
      Printer& p;
      std::mutex& m;
      Locked(Printer& printer_in, std::mutex& mutex_in) : p(printer_in), m(mutex_in) {}
      void OnBatch(pipeline::BatchReport& r) override {
        std::lock_guard<std::mutex> lock(m);
        p.OnBatch(r);
      }
    } locked(printer, mu);
    // scan = the files source -> the pipeline (the stages above; no outbox) -> the stdout sink.
    pipeline::PipelineParts parts;
    parts.rules = set;
    parts.stages = std::move(stages);
    parts.stage_state = window_store.get();
    const bool any_files = !files.empty() || s3_source != nullptr;
    if (s3_source) {
      parts.sources.push_back(std::move(s3_source));
    } else if (any_files || !read_stdin) {
      parts.sources.push_back(std::make_unique<sources::FilesSource>(std::move(files)));
    }
    if (read_stdin) {
      auto in = sources::StdinSource::Create(sources::StdinOptions{}, clock);
      TW_CHECK(in.has_value());
      parts.sources.push_back(std::move(*in));
    }
    parts.sinks.push_back(&out);
    parts.clock = &clock;
    parts.listener = &locked;
    parts.progress = &progress;
    pipeline::PipelineOptions options;
    // Workers per source: `threads` whatever the number of files, since one large NDJSON file
    // (or standard input) is read in windows that the workers share; batches are committed in
    // input order (`ordered`), and a worker that finds no batch left ends at once.
    options.threads = threads;
    options.ordered = true;  // input order, then record order, with any --threads
    auto pipe = pipeline::Pipeline::Create(std::move(parts), options);
    TW_CHECK(pipe.has_value());
    const std::atomic<bool> stop{false};
    if (auto ran = (*pipe)->Run(stop); !ran) {
      std::lock_guard<std::mutex> lock(mu);
      printer.ClearProgressLine();
      PrintError(ran.error().message);
      status = kExitInputError;
    }
    // The S3 source dies with the pipeline: stop the ticker and keep its counters first.
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    if (ticker.joinable()) ticker.join();
    if (printer.s3_ != nullptr) printer.SnapshotS3();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  if (ticker.joinable()) ticker.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.summary == "json") {
    printer.PrintSummaryJson(*set, seconds);
  } else {
    printer.PrintSummary(*set, seconds);
  }
  if (printer.output_failed()) return kExitOutputError;
  return printer.errors() > 0 ? kExitInputError : status;
}

}  // namespace tw::cli

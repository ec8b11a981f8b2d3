#include "cli/scan_command.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "cli/cli_util.h"
#include "common/strings.h"
#include "scan/scanner.h"

namespace tw::cli {
namespace {

std::vector<scan::ScanRule> ToScanRules(const std::vector<rules::Rule>& rules) {
  std::vector<scan::ScanRule> out;
  out.reserve(rules.size());
  for (const auto& r : rules) {
    out.push_back(scan::ScanRule{{r.id, r.title, rules::SeverityName(r.severity)}, r.matcher});
  }
  return out;
}

std::string HumanBytes(uint64_t b) {
  if (b >= 1000000000) return fmt::format("{:.2f} GB", static_cast<double>(b) / 1e9);
  if (b >= 1000000) return fmt::format("{:.1f} MB", static_cast<double>(b) / 1e6);
  if (b >= 1000) return fmt::format("{:.1f} kB", static_cast<double>(b) / 1e3);
  return fmt::format("{} B", b);
}

// Writes alerts to stdout as they arrive, errors to stderr, and keeps the totals.
class Printer : public scan::ScanListener {
 public:
  Printer(bool json, bool color) : json_(json), color_(color) {}

  void OnFile(scan::FileResult& r) override {
    ++files_;
    events_ += r.events;
    bytes_ += r.bytes;
    out_.clear();
    for (const auto& a : r.alerts) {
      if (json_) {
        scan::AppendAlertJson(a, out_);
      } else {
        scan::AppendAlertText(a, color_, out_);
      }
      ++alerts_;
      ++by_id_[a.rule->id];
    }
    if (!out_.empty()) {
      std::fwrite(out_.data(), 1, out_.size(), stdout);
      std::fflush(stdout);
    }
    for (const auto& e : r.errors) ReportError(e);
    if (!r.skipped.empty()) skipped_.emplace_back(r.file, r.skipped);
  }

  void ReportError(const scan::InputError& e) {
    ++errors_;
    ClearProgressLine();
    std::string where = EscapeForTerminal(e.file);
    if (!e.where.empty()) where += ": " + e.where;
    std::fprintf(stderr, "trailwatch: error: %s: %s\n", where.c_str(),
                 EscapeForTerminal(e.error.message).c_str());
  }

  void ClearProgressLine() {
    if (progress_shown_) {
      std::fputs("\r\x1b[K", stderr);
      progress_shown_ = false;
    }
  }

  void PrintSummary(const std::vector<scan::ScanRule>& rules, double seconds) {
    ClearProgressLine();
    std::fprintf(stderr, "\ntrailwatch: %llu file%s (%s), %llu event%s, %llu alert%s in %.2f s\n",
                 static_cast<unsigned long long>(files_), files_ == 1 ? "" : "s",
                 HumanBytes(bytes_).c_str(), static_cast<unsigned long long>(events_),
                 events_ == 1 ? "" : "s", static_cast<unsigned long long>(alerts_),
                 alerts_ == 1 ? "" : "s", seconds);
    for (const auto& rule : rules) {
      auto it = by_id_.find(rule.info.id);
      if (it == by_id_.end()) continue;
      std::fprintf(stderr, "  %-9s %-34s %llu\n", rule.info.severity.c_str(), rule.info.id.c_str(),
                   static_cast<unsigned long long>(it->second));
    }
    if (!skipped_.empty()) {
      std::fprintf(stderr, "skipped: %zu file%s\n", skipped_.size(),
                   skipped_.size() == 1 ? "" : "s");
      for (const auto& [file, why] : skipped_) {
        std::fprintf(stderr, "  %s: %s\n", EscapeForTerminal(file).c_str(), why.c_str());
      }
    }
    if (errors_ > 0) {
      std::fprintf(stderr, "errors: %llu (see above)\n", static_cast<unsigned long long>(errors_));
    }
  }

  uint64_t errors() const { return errors_; }
  bool progress_shown_ = false;

 private:
  bool json_;
  bool color_;
  std::map<std::string, uint64_t> by_id_;
  std::vector<std::pair<std::string, std::string>> skipped_;
  std::string out_;
  uint64_t files_ = 0, events_ = 0, bytes_ = 0, alerts_ = 0, errors_ = 0;
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
  cmd->add_option("--threads", args.threads, "Files scanned in parallel (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("INPUT", args.inputs,
                  "CloudTrail log files (.json or .json.gz), NDJSON, CloudWatch Logs subscription "
                  "payloads, EventBridge events, or directories of them; - for stdin")
      ->required();
  cmd->footer(
      "\nExit status: 0 when every input was read, 1 when some input failed (the rest is still "
      "scanned), 2 on a usage or rule error.\n\nExamples:\n"
      "  trailwatch scan ~/cloudtrail/AWSLogs/\n"
      "  trailwatch scan --format json --rules my-rules/ logs/*.json.gz > alerts.jsonl\n"
      "  aws s3 cp s3://trail-bucket/AWSLogs/.../file.json.gz - | trailwatch scan -");
  return cmd;
}

int RunScan(const ScanArgs& args) {
  auto rules = LoadRules(args.rule_paths, args.no_builtin, /*with_tests=*/false);
  if (!rules) {
    // Rule diagnostics are already "file:line:col: error: ...".
    std::fprintf(stderr, "%s\n", rules.error().message.c_str());
    return kExitUsage;
  }
  if (rules->empty()) {
    PrintError("no rules to evaluate (--no-builtin-rules without --rules)");
    return kExitUsage;
  }
  auto set = scan::CompiledRuleSet::Create(ToScanRules(*rules));
  std::vector<scan::InputError> input_errors;
  const std::vector<std::string> files = scan::ExpandInputs(args.inputs, input_errors);

  scan::ScanOptions options;
  options.threads = args.threads > 0
                        ? args.threads
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Printer printer(args.format == "json", args.format == "text" && StdoutIsColorTerminal());
  for (const auto& e : input_errors) printer.ReportError(e);

  // Progress on a terminal, once the scan has run for a second.
  scan::ScanProgress progress;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread ticker;
  const auto start = std::chrono::steady_clock::now();
  if (StderrIsTerminal()) {
    ticker = std::thread([&] {
      std::unique_lock<std::mutex> lock(mu);
      while (!cv.wait_for(lock, std::chrono::seconds(1), [&] { return done; })) {
        std::fprintf(stderr, "\r\x1b[Kscanning: %llu/%zu files, %llu events, %llu alerts",
                     static_cast<unsigned long long>(progress.files.load()), files.size(),
                     static_cast<unsigned long long>(progress.events.load()),
                     static_cast<unsigned long long>(progress.alerts.load()));
        printer.progress_shown_ = true;
      }
    });
  }
  {
    // The ticker and the listener both touch stderr; the listener runs under the scanner's
    // delivery lock and the ticker under `mu`, so serialise them through `mu`.
    struct Locked : scan::ScanListener {
      Printer& p;
      std::mutex& m;
      Locked(Printer& printer_in, std::mutex& mutex_in) : p(printer_in), m(mutex_in) {}
      void OnFile(scan::FileResult& r) override {
        std::lock_guard<std::mutex> lock(m);
        p.OnFile(r);
      }
    } locked(printer, mu);
    scan::Scan(*set, files, options, locked, &progress);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  if (ticker.joinable()) ticker.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  printer.PrintSummary(set->rules(), seconds);
  return printer.errors() > 0 ? kExitInputError : kExitOk;
}

}  // namespace tw::cli

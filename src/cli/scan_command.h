// `trailwatch scan`: evaluate the rules over CloudTrail logs and print alerts.
#pragma once

#include <CLI/CLI.hpp>

namespace tw::cli {

struct ScanArgs {
  std::vector<std::string> rule_paths;
  bool no_builtin = false;
  std::string format = "text";
  int threads = 0;  // 0: all cores
  std::vector<std::string> inputs;
  // `--config FILE`: the rules and the stages of `watch` (a backtest); the config's sinks and
  // sources are not used. `--state PATH`: dedupe and threshold windows in that SQLite file
  // instead of in memory.
  std::string config;
  std::string state;
  std::string min_severity;                // empty: every severity
  std::vector<std::string> only_rules;     // --rule ID (repeatable)
  std::vector<std::string> exclude_rules;  // --exclude-rule ID (repeatable)
  std::string since;                       // --since, on eventTime
  std::string until;                       // --until, on eventTime
  std::string summary = "text";            // --summary text|json (on stderr)
  int64_t index_set_memory = 0;            // --index-set-memory BYTES; 0: the index's default
  // s3://bucket/prefix inputs (sources/s3/s3_scan_source.h).
  std::vector<std::string> accounts;  // --account ID (repeatable)
  std::vector<std::string> regions;   // --region NAME (repeatable)
  int fetch_concurrency = 8;          // --fetch-concurrency
  bool s3_path_style = false;         // --s3-path-style
};

// Registers the subcommand's options on `app` and returns it.
CLI::App* AddScanCommand(CLI::App& app, ScanArgs& args);

// Runs it. Returns the exit status.
int RunScan(const ScanArgs& args);

}  // namespace tw::cli

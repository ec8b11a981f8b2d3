// `trailwatch watch --config FILE`: the daemon (pipeline/daemon.h) under signal control.
//
// Start-up: loads the config and its rule set (the built-in pack unless `builtin_rules: false`,
// plus `rules:`), checks the rule ids the config names, builds the daemon and runs it. Exit 2
// when the config, the rules or a component cannot be set up (diagnostics on stderr).
//
// Signals are taken with signalfd on the main thread (blocked in every thread before any starts),
// so no work runs in a signal handler:
//   SIGTERM, SIGINT: stop reading; finish the batches already read (their alerts committed to
//     the outbox); deliver from the outbox for up to `shutdown_grace`; exit 0. What is still
//     pending stays in the outbox for the next start.
//   SIGHUP: reload the config and the rules. A config that does not parse, names unknown rules,
//     builds no valid policy, or changes sources/sinks/state is rejected with its diagnostics on
//     stderr and the old one keeps running; either way the file sinks reopen (logrotate).
// Every second the pipeline is ticked (Pipeline::Tick). When every source is exhausted (a stdin
// source at end of file) the daemon drains as for SIGTERM and exits 0. Exit 1 when the state
// store or a source fails while running. Logs go to stderr, one line each, never a secret.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/config.h"
#include "rules/rule.h"

namespace tw::cli {

struct WatchArgs {
  std::string config;
};

CLI::App* AddWatchCommand(CLI::App& app, WatchArgs& args);
int RunWatch(const WatchArgs& args);

// Loads the config at `path` and its rules, and checks the rule ids the config names. On
// failure returns the diagnostics as one printable text (file:line:col lines).
struct LoadedConfig {
  config::Config config;
  std::vector<rules::Rule> rules;
};
[[nodiscard]] tl::expected<LoadedConfig, std::string> LoadConfigAndRules(const std::string& path);

}  // namespace tw::cli

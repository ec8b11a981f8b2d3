#include "cli/watch_command.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "cli/cli_util.h"
#include "common/log_line.h"
#include "common/strings.h"
#include "pipeline/daemon.h"
#include "rules/diagnostic.h"

namespace tw::cli {
namespace {

// Counts each batch for the log (under the pipeline's commit lock).
class BatchLog final : public pipeline::BatchListener {
 public:
  void OnBatch(pipeline::BatchReport& report) override {
    for (const pipeline::InputError& e : report.errors) {
      LogLine("warning", DescribeInputError(e));
    }
    if (report.commit_error) {
      LogLine("error", EscapeForTerminal(report.input) + ": " + std::to_string(report.events) +
                           " events, " + std::to_string(report.alerts.size()) +
                           " alert(s) NOT committed: " + report.commit_error->message +
                           " (not acknowledged: the source reads it again if it can; alerts "
                           "already in the outbox are kept and delivered)");
      return;
    }
    LogLine("info", EscapeForTerminal(report.input) + ": " + std::to_string(report.events) +
                        " events, " + std::to_string(report.alerts.size()) + " alert(s) committed");
  }
};

}  // namespace

tl::expected<LoadedConfig, std::string> LoadConfigAndRules(const std::string& path) {
  auto parsed = config::LoadConfig(path);
  if (!parsed) return tl::unexpected(rules::FormatDiagnostics(parsed.error()));
  auto loaded = LoadRules(parsed->rule_paths, !parsed->builtin_rules, /*with_tests=*/false);
  if (!loaded) return tl::unexpected(loaded.error().message);
  std::vector<std::string> ids;
  ids.reserve(loaded->size());
  for (const rules::Rule& r : *loaded) ids.push_back(r.id);
  std::vector<rules::Diagnostic> unknown = config::ValidateOverrides(*parsed, ids);
  std::vector<std::string> packs;
  for (const rules::Rule& r : *loaded) packs.push_back(r.pack);
  for (rules::Diagnostic& d : config::ValidatePacks(*parsed, packs))
    unknown.push_back(std::move(d));
  if (!unknown.empty()) return tl::unexpected(rules::FormatDiagnostics(unknown));
  return LoadedConfig{std::move(*parsed), std::move(*loaded)};
}

CLI::App* AddWatchCommand(CLI::App& app, WatchArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "watch", "Run as a daemon: watch the configured sources and deliver alerts to the sinks");
  cmd->add_option("--config", args.config, "The YAML config (docs/config.md)")
      ->type_name("FILE")
      ->required();
  cmd->footer(
      "\nSignals: SIGTERM/SIGINT stop reading, finish the events already read, deliver for up to "
      "shutdown_grace (default 10s) and exit 0; SIGHUP reloads the config and rules (a bad one "
      "is rejected and the old one keeps running) and reopens file sinks.\n"
      "Exit status: 0 after a signal or when every source is exhausted, 1 when the state store "
      "or a source fails while running, 2 when the config or rules cannot be loaded.\n\n"
      "Examples:\n"
      "  trailwatch config example > trailwatch.yml && trailwatch watch --config trailwatch.yml");
  return cmd;
}

int RunWatch(const WatchArgs& args) {
  // Block the signals in this thread before any other starts, so that every thread inherits the
  // mask and only the signalfd below sees them.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) {
    PrintError("cannot block signals");
    return kExitInputError;
  }
  const int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) {
    PrintError("signalfd failed");
    return kExitInputError;
  }

  auto loaded = LoadConfigAndRules(args.config);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().c_str());
    close(sfd);
    return kExitUsage;
  }
  SystemClock clock;
  BatchLog batch_log;
  pipeline::DaemonOptions options;
  options.listener = &batch_log;
  auto daemon = pipeline::Daemon::Create(loaded->config, std::move(loaded->rules), clock, options);
  if (!daemon) {
    PrintError(daemon.error().message);
    close(sfd);
    return kExitUsage;
  }
  pipeline::Daemon& d = **daemon;
  LogLine("info", "watching with " + std::to_string(d.rule_count()) + " rules, " +
                      std::to_string(d.source_count()) + " source(s), " +
                      std::to_string(d.sink_count()) + " sink(s); state " + d.config().state.path);

  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  Result<void> run_result;
  std::thread runner([&] {
    run_result = d.Run(stop);
    finished = true;
  });

  int status = kExitOk;
  auto next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!finished) {
    pollfd p{sfd, POLLIN, 0};
    const int ready = poll(&p, 1, 100);
    if (ready > 0 && (p.revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (read(sfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGHUP) {
          LogLine("info", "SIGHUP: reloading " + args.config);
          auto next = LoadConfigAndRules(args.config);
          if (!next) {
            LogLine("error", "reload rejected, the old config keeps running:\n" + next.error());
          } else if (auto r = d.Reload(next->config, std::move(next->rules)); !r) {
            LogLine("error", "reload rejected, the old config keeps running: " + r.error().message);
          } else {
            LogLine("info", "reloaded: " + r->summary);
            if (!r->problem.empty()) LogLine("error", r->problem);
          }
        } else {
          LogLine("info", std::string(info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT") +
                              ": stopping (finishing the events already read)");
          stop = true;
          break;
        }
      }
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      if (auto r = d.Tick(); !r) LogLine("error", "tick: " + r.error().message);
      next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
  }
  runner.join();
  if (!run_result) {
    LogLine("error", run_result.error().message);
    status = kExitInputError;
  }
  if (auto r = d.Tick(); !r) LogLine("error", "tick: " + r.error().message);
  const std::chrono::seconds grace = d.config().shutdown_grace;
  LogLine("info", "delivering from the outbox for up to " + std::to_string(grace.count()) + "s");
  if (!d.Drain(clock.Monotonic() + grace)) {
    // A request still hangs past the grace: leave without waiting for it. Its row is still
    // pending in the outbox and goes out at the next start (docs/delivery.md).
    LogLine("warning",
            "a delivery was still in flight at the end of shutdown_grace; exiting "
            "without waiting for it (its alert stays pending in the outbox)");
    std::fflush(nullptr);
    std::_Exit(status);
  }
  LogLine("info", "stopped");
  close(sfd);
  return status;
}

}  // namespace tw::cli

// trailwatch: watch AWS CloudTrail for what matters.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "cli/alerts_command.h"
#include "cli/aws_command.h"
#include "cli/cli_util.h"
#include "cli/config_command.h"
#include "cli/lambda_command.h"
#include "cli/match_command.h"
#include "cli/rules_command.h"
#include "cli/scan_command.h"
#include "cli/sigma_command.h"
#include "cli/state_command.h"
#include "cli/watch_command.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace tw::cli;
  LambdaArgs lambda_args;  // records the process start for the cold-start log line
  // Buffers of a few MB (decompressed log files, parser tapes) are allocated and freed for every
  // input. Keep them on the heap instead of a fresh mmap each time: that is a syscall and a page
  // fault per 4 KiB on every reuse.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  // The Lambda zip's `bootstrap` is this binary: inside a Lambda execution environment it is the
  // runtime, whatever argv says (lambda_command.h).
  if (std::getenv("AWS_LAMBDA_RUNTIME_API") != nullptr) return RunLambda(lambda_args);
  CLI::App app{
      "trailwatch: catches what matters in AWS CloudTrail, using the CloudWatch Logs filter "
      "patterns and EventBridge event patterns you already write.",
      "trailwatch"};
  app.set_version_flag("--version", std::string("trailwatch ") + TW_VERSION);
  app.require_subcommand(1);
  app.footer(
      "\nStart here:\n"
      "  trailwatch scan AWSLogs/                 alerts from the built-in pack (CIS + seed "
      "rules)\n"
      "  trailwatch rules list                    what the built-in pack detects\n"
      "  trailwatch match --filter-pattern P F    which events of F a filter pattern matches\n"
      "  trailwatch watch --config trailwatch.yml  run as a daemon, alerts to Slack\n"
      "Run 'trailwatch COMMAND --help' for a command's options.");

  ScanArgs scan_args;
  MatchArgs match_args;
  RulesArgs rules_args;
  std::string rules_which;
  CLI::App* scan = AddScanCommand(app, scan_args);
  CLI::App* match = AddMatchCommand(app, match_args);
  CLI::App* rules = AddRulesCommand(app, rules_args, rules_which);
  ConfigArgs config_args;
  std::string config_which;
  CLI::App* config = AddConfigCommand(app, config_args, config_which);
  ImportSigmaArgs sigma_args;
  AddImportSigmaCommand(*rules, sigma_args, rules_which);
  WatchArgs watch_args;
  CLI::App* watch = AddWatchCommand(app, watch_args);
  AlertsArgs alerts_args;
  std::string alerts_which;
  CLI::App* alerts = AddAlertsCommand(app, alerts_args, alerts_which);
  StateArgs state_args;
  std::string state_which;
  CLI::App* state = AddStateCommand(app, state_args, state_which);

  AwsArgs aws_args;
  std::string aws_which;
  CLI::App* aws = AddAwsCommand(app, aws_args, aws_which);

  CLI::App* lambda = AddLambdaCommand(app, lambda_args);

  int status = ParseArgs(app, argc, argv);
  if (status < 0) {
    if (scan->parsed()) {
      status = RunScan(scan_args);
    } else if (match->parsed()) {
      status = RunMatch(match_args);
    } else if (rules->parsed() && rules_which == "import-sigma") {
      status = RunImportSigma(sigma_args);
    } else if (rules->parsed()) {
      status = RunRules(rules_args, rules_which);
    } else if (config->parsed()) {
      status = RunConfig(config_args, config_which);
    } else if (watch->parsed()) {
      status = RunWatch(watch_args);
    } else if (aws->parsed()) {
      status = RunAws(aws_args, aws_which);
    } else if (lambda->parsed()) {
      status = RunLambda(lambda_args);
    } else if (alerts->parsed()) {
      status = RunAlerts(alerts_args, alerts_which);
    } else if (state->parsed()) {
      status = RunState(state_args, state_which);
    } else {
      status = kExitUsage;
    }
  }
  // Every command writes its results to stdout through stdio; a failed write (a full disk,
  // /dev/full, a closed descriptor) leaves the stream's error flag set, and the final flush can
  // fail too. Either way the output is incomplete: never exit 0 then.
  return CheckStdout(status);
}

// trailwatch: watch AWS CloudTrail for what matters.
#include <malloc.h>

#include <cstdio>

#include "cli/cli_util.h"
#include "cli/config_command.h"
#include "cli/match_command.h"
#include "cli/rules_command.h"
#include "cli/scan_command.h"

#ifndef TW_VERSION
#define TW_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace tw::cli;
  // Buffers of a few MB (decompressed log files, parser tapes) are allocated and freed for every
  // input. Keep them on the heap instead of a fresh mmap each time: that is a syscall and a page
  // fault per 4 KiB on every reuse.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
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

  const int parsed = ParseArgs(app, argc, argv);
  if (parsed >= 0) return parsed;
  if (scan->parsed()) return RunScan(scan_args);
  if (match->parsed()) return RunMatch(match_args);
  if (rules->parsed()) return RunRules(rules_args, rules_which);
  if (config->parsed()) return RunConfig(config_args, config_which);
  return kExitUsage;
}

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
};

// Registers the subcommand's options on `app` and returns it.
CLI::App* AddScanCommand(CLI::App& app, ScanArgs& args);

// Runs it. Returns the exit status.
int RunScan(const ScanArgs& args);

}  // namespace tw::cli

// `trailwatch rules list|test|lint`: inspect, test and check rule files.
#pragma once

#include <CLI/CLI.hpp>

namespace tw::cli {

struct RulesArgs {
  std::vector<std::string> paths;
  bool no_builtin = false;
  bool stats = false;
  bool strict = false;
};

// Adds `rules` with its three subcommands; `which` receives the chosen one's name.
CLI::App* AddRulesCommand(CLI::App& app, RulesArgs& args, std::string& which);
int RunRules(const RulesArgs& args, const std::string& which);

}  // namespace tw::cli

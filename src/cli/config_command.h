// `trailwatch config check FILE` and `trailwatch config example`.
//
// check: parses the config (config/config.h) with the process environment, loads the rule set it
// names (the built-in pack unless `builtin_rules: false`, plus `rules:`) and checks every rule id
// it mentions. Diagnostics go to stderr; exit 0 when valid, 2 when not. FILE `-` reads standard
// input (relative paths then resolve against the working directory).
// example: prints the commented example config (deploy/trailwatch.example.yml) to stdout.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tw::cli {

struct ConfigArgs {
  std::string file;
};

// Adds `config` with its subcommands; `which` receives the chosen one's name.
CLI::App* AddConfigCommand(CLI::App& app, ConfigArgs& args, std::string& which);
int RunConfig(const ConfigArgs& args, const std::string& which);

}  // namespace tw::cli

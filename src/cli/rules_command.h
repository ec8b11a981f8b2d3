// `trailwatch rules list|show|test|lint`: inspect, test and check rule files.
//
// `rules list` filters with --tag, --mitre (a technique id also selects its sub-techniques),
// --severity and --pack (each repeatable: a rule passes a filter when it matches any of its
// values, and must pass every filter given), and prints a table (--format text), one JSON object
// per line (--format json: id, title, severity, pack, description, tags, mitre_attack,
// references) or the Markdown catalogue table of docs/rules.md (--format markdown).
// `rules show ID` prints one rule whole, its pattern included.
#pragma once

#include <CLI/CLI.hpp>

namespace tw::cli {

struct RulesArgs {
  std::vector<std::string> paths;
  bool no_builtin = false;
  bool stats = false;
  bool strict = false;
  std::vector<std::string> tags;  // list filters
  std::vector<std::string> mitre;
  std::vector<std::string> severities;
  std::vector<std::string> packs;
  std::string format = "text";  // list: text | json | markdown
  std::string show_id;          // show: the rule id
};

// Adds `rules` with its four subcommands; `which` receives the chosen one's name.
CLI::App* AddRulesCommand(CLI::App& app, RulesArgs& args, std::string& which);
int RunRules(const RulesArgs& args, const std::string& which);

}  // namespace tw::cli

// `trailwatch alerts list|retry`: the outbox of a state file (docs/delivery.md).
//
// list [--pending|--failed|--suppressed|--delivered] [--config FILE | --state PATH]
//      [--format text|json] [--limit N]: the outbox rows, newest first, one per (alert, sink).
//      Text is a table whose cells are escaped for the terminal (rule ids, sinks and the last
//      error, which holds a receiver's response body, come from outside); json is one object
//      per line with every column.
// retry ID|--all-failed [--config FILE | --state PATH]: dead-lettered rows of that alert (on
//      every sink) or all of them back to pending, due now; a running `watch` picks them up
//      within its idle poll (5 s). Prints how many rows were revived; exit 1 when none was.
// The state file is the config's `state.path` (--config) or PATH. Exit 2 when neither is given or
// the file cannot be opened.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tw::cli {

struct AlertsArgs {
  std::string config;
  std::string state;
  std::string format = "text";
  bool pending = false;
  bool failed = false;
  bool suppressed = false;
  bool delivered = false;
  int limit = 1000;
  std::string id;
  bool all_failed = false;
};

CLI::App* AddAlertsCommand(CLI::App& app, AlertsArgs& args, std::string& which);
int RunAlerts(const AlertsArgs& args, const std::string& which);

}  // namespace tw::cli

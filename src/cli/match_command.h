// `trailwatch match`: test one pattern against events, the local twin of
// `aws logs test-metric-filter` (--filter-pattern) and `aws events test-event-pattern`
// (--event-pattern).
#pragma once

#include <CLI/CLI.hpp>

namespace tw::cli {

struct MatchArgs {
  std::string filter_pattern;
  std::string event_pattern;  // JSON text, or @FILE
  bool envelope = false;
  bool given_filter = false;  // set after parsing: an empty pattern is valid syntax
  bool given_event = false;
  std::vector<std::string> inputs;
};

CLI::App* AddMatchCommand(CLI::App& app, MatchArgs& args);
int RunMatch(const MatchArgs& args);

}  // namespace tw::cli

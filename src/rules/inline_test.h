// Matching one event against one rule, and running rules' inline tests.
//
// Inline tests are the examples a rule carries (`tests:` in its YAML): an event and whether the
// rule must match it. They run in CI for the built-in pack and in `trailwatch rules test` for
// user rules, so a pattern that drifts from its intent fails loudly.
//
// An example event is either a CloudTrail record or an EventBridge event (an envelope whose
// `detail` is the record). How a rule sees it:
//   * filter_pattern: the record text itself, as CloudWatch Logs would hold it (surrounding
//     whitespace trimmed; a record delivered to CloudWatch Logs is its compact JSON).
//   * event_pattern: an EventBridge envelope. An event that already is one (a string
//     `detail-type` that CloudTrail uses, and an object `detail`) is matched as is; a bare
//     record is wrapped the way EventBridge would wrap it (event/envelope.h).
//
// Thread-safety: reentrant; each call uses its own JSON parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "rules/rule.h"

namespace tw::rules {

// Whether `rule` matches the event in `event_json`. kParse when the text is not JSON or not a
// JSON object. Parses on every call: meant for tests and one-off checks, not the scan loop.
[[nodiscard]] Result<bool> MatchEventJson(const Rule& rule, std::string_view event_json);

struct TestFailure {
  const Rule* rule;      // borrowed from the vector given to RunInlineTests
  const RuleTest* test;  // borrowed likewise
  // `file:line:col: test "name" expected match, got no match` (or "expected no match, got
  // match", or why the event could not be evaluated).
  std::string message;
};

// Runs every inline test of every rule, in order. Returns the failures; empty means all passed.
// The pointers in the result stay valid while `rules` is neither modified nor destroyed.
std::vector<TestFailure> RunInlineTests(const std::vector<Rule>& rules);

// The number of inline tests in `rules`.
size_t CountInlineTests(const std::vector<Rule>& rules);

}  // namespace tw::rules

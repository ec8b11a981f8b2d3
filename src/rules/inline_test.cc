#include "rules/inline_test.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "match/dom_parser.h"
#include "match/evaluator.h"
#include "match/subject.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

std::string TestLabel(const RuleTest& test, size_t index) {
  return test.name.empty() ? fmt::format("#{}", index + 1) : fmt::format("\"{}\"", test.name);
}

}  // namespace

Result<bool> MatchEventJson(const Rule& rule, std::string_view event_json) {
  TW_CHECK(rule.matcher != nullptr);
  // Read as scan reads a record (match::DomParser, docs/json-input.md): numbers beyond
  // simdjson's range, and unpaired surrogate escapes as U+FFFD.
  match::DomParser parser;
  simdjson::dom::element root;
  if (auto error = parser.Parse(TrimWhitespace(event_json), /*padded=*/false, root);
      error != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse,
                fmt::format("event is not valid JSON: {}", simdjson::error_message(error)));
  }
  if (!root.is_object()) return Fail(ErrorCode::kParse, "event is not a JSON object");

  // What the rule sees is decided where scan decides it (match/subject.h): a filter pattern sees
  // an envelope's detail, an event pattern the envelope.
  match::SubjectSelector selector;
  selector.Reset(root, parser.text(), match::IsCloudTrailEnvelope(root), /*as_given=*/false,
                 parser.wide_numbers());
  return match::Evaluate(*rule.matcher->root, selector.For(rule.matcher->language));
}

std::vector<TestFailure> RunInlineTests(const std::vector<Rule>& rules) {
  std::vector<TestFailure> failures;
  for (const Rule& rule : rules) {
    for (size_t i = 0; i < rule.tests.size(); ++i) {
      const RuleTest& test = rule.tests[i];
      const std::string prefix =
          fmt::format("{}: test {}", test.where.ToString(), TestLabel(test, i));
      Result<bool> matched = MatchEventJson(rule, test.event_json);
      if (!matched) {
        failures.push_back({&rule, &test, fmt::format("{}: {}", prefix, matched.error().message)});
      } else if (*matched != test.expect) {
        failures.push_back(
            {&rule, &test,
             fmt::format("{} expected {}, got {}", prefix, test.expect ? "match" : "no match",
                         *matched ? "match" : "no match")});
      }
    }
  }
  return failures;
}

size_t CountInlineTests(const std::vector<Rule>& rules) {
  size_t n = 0;
  for (const Rule& rule : rules) n += rule.tests.size();
  return n;
}

}  // namespace tw::rules

#include "rules/lint.h"

#include <fmt/format.h>

#include "rules/inline_test.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

void Warn(std::vector<Diagnostic>& out, const SourceLocation& where, std::string message,
          std::string hint) {
  Diagnostic d;
  d.level = DiagnosticLevel::kWarning;
  d.where = where;
  d.message = std::move(message);
  d.hint = std::move(hint);
  out.push_back(std::move(d));
}

}  // namespace

std::vector<Diagnostic> LintRules(const std::vector<Rule>& rules) {
  std::vector<Diagnostic> out;
  for (const Rule& rule : rules) {
    int positive = 0;
    int negative = 0;
    for (const RuleTest& test : rule.tests) ++(test.expect ? positive : negative);
    if (positive < kLintMinPositiveTests || negative < kLintMinNegativeTests) {
      Warn(out, rule.where,
           fmt::format("rule `{}` has {} positive and {} negative inline tests", rule.id, positive,
                       negative),
           fmt::format("add at least {} events it must match and {} similar events it must not",
                       kLintMinPositiveTests, kLintMinNegativeTests));
    }
    if (rule.references.empty()) {
      Warn(out, rule.where, fmt::format("rule `{}` has no references", rule.id),
           "cite the AWS documentation or benchmark control behind the rule in `references`");
    }
    if (rule.description.size() < kLintMinDescriptionLength) {
      Warn(out, rule.where, fmt::format("rule `{}` has a very short description", rule.id),
           "say what happened, why it matters and what the responder should check");
    }
    if (rule.title.size() > kLintMaxTitleLength) {
      Warn(out, rule.where,
           fmt::format("rule `{}` has a title of {} characters", rule.id, rule.title.size()),
           fmt::format("keep titles under {} characters; they head alert messages",
                       kLintMaxTitleLength));
    }
    if (rule.matcher == nullptr) continue;
    const match::Matcher& matcher = *rule.matcher;
    if (matcher.language == match::Language::kFilterPattern &&
        TrimWhitespace(matcher.text).substr(0, 1) != "{") {
      Warn(out, rule.pattern_where,
           fmt::format("rule `{}` has a filter pattern that matches raw text, not JSON fields",
                       rule.id),
           "a term, regex or space-delimited pattern searches the whole record text; use a JSON "
           "pattern such as '{ $.eventName = \"StopLogging\" }'");
    }
    if (Result<bool> matched = MatchEventJson(rule, "{}"); matched && *matched) {
      Warn(out, rule.pattern_where,
           fmt::format("rule `{}` matches the empty event `{{}}`", rule.id),
           "the pattern does not constrain any field, so it fires on every event");
    }
  }
  return out;
}

}  // namespace tw::rules

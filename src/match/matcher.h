// Matcher: a compiled pattern in either language, ready to evaluate.
//
// CompileMatcher parses the user's text with the language's front end (match/cwl/ or
// match/eventbridge/) and lowers it into the IR. A Matcher is immutable and shared between
// threads as std::shared_ptr<const Matcher>.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "match/evaluator.h"
#include "match/ir.h"

namespace tw::match {

enum class Language : uint8_t {
  kFilterPattern,  // CloudWatch Logs filter pattern, evaluated on the CloudTrail record
  kEventPattern,   // EventBridge event pattern, evaluated on the EventBridge envelope
  // Sigma detection (docs/sigma.md), evaluated on the CloudTrail record. Compiled from YAML by
  // rules/sigma/, not by CompileMatcher; `text` is the detection as written in the rule file.
  kSigma,
};

const char* LanguageName(Language language);

struct Matcher {
  Language language;
  std::string text;  // the pattern as the user wrote it
  NodePtr root;
};

// A compile error as data, for positioned diagnostics (rules/loader.cc places it in the rule
// file): no text is parsed back.
struct PatternProblem {
  // One line. Filter patterns: "invalid filter pattern: <what>" (without the column); event
  // patterns: AWS's error text and the field path.
  std::string message;
  size_t column = 0;  // 1-based byte column in the pattern; 0: not known
  std::string hint;   // empty: none
  // The pattern, or a window of it, with the caret's 1-based column under it; empty: none.
  std::string excerpt;
  size_t caret_column = 0;
};

// Compiles `text`. kSigma is not compiled here (it needs the YAML reader): kInvalidArgument.
// Errors are kInvalidArgument with a message that shows the column, a caret
// under the spot and a hint (filter patterns) or the AWS error text and the field path (event
// patterns). With `problem`, a failure also fills it with the same content as data.
[[nodiscard]] Result<std::shared_ptr<const Matcher>> CompileMatcher(
    Language language, std::string_view text, PatternProblem* problem = nullptr);

}  // namespace tw::match

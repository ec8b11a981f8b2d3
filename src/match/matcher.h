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
};

const char* LanguageName(Language language);

struct Matcher {
  Language language;
  std::string text;  // the pattern as the user wrote it
  NodePtr root;
};

// Compiles `text`. Errors are kInvalidArgument with a message that shows the column, a caret
// under the spot and a hint (filter patterns) or the AWS error text and the field path (event
// patterns).
[[nodiscard]] Result<std::shared_ptr<const Matcher>> CompileMatcher(Language language,
                                                                    std::string_view text);

}  // namespace tw::match

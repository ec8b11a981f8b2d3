#include "match/matcher.h"

#include "match/cwl/compile.h"
#include "match/eventbridge/compile.h"

namespace tw::match {

const char* LanguageName(Language language) {
  switch (language) {
    case Language::kFilterPattern:
      return "filter_pattern";
    case Language::kEventPattern:
      return "event_pattern";
    case Language::kSigma:
      return "sigma";
  }
  return "?";
}

namespace {

Result<NodePtr> CompileFilter(std::string_view text, PatternProblem* problem) {
  auto parsed = cwl::ParseFilterPattern(text);
  if (!parsed) {
    const cwl::PatternError& e = parsed.error();
    if (problem != nullptr) {
      const cwl::PatternExcerpt excerpt = cwl::ExcerptOf(text, e.column);
      *problem = PatternProblem{"invalid filter pattern: " + e.message, e.column, e.hint,
                                excerpt.shown, excerpt.caret_column};
    }
    return Fail(ErrorCode::kInvalidArgument, cwl::RenderPatternError(text, e));
  }
  return cwl::LowerFilterPattern(*parsed);
}

}  // namespace

Result<std::shared_ptr<const Matcher>> CompileMatcher(Language language, std::string_view text,
                                                      PatternProblem* problem) {
  if (language == Language::kSigma) {
    return Fail(ErrorCode::kInvalidArgument,
                "Sigma detections are compiled from their YAML (rules/sigma/sigma_compiler.h)");
  }
  Result<NodePtr> root = language == Language::kFilterPattern
                             ? CompileFilter(text, problem)
                             : eventbridge::CompileEventPattern(text);
  if (!root) {
    if (problem != nullptr && language == Language::kEventPattern) {
      const std::string& message = root.error().message;
      *problem = PatternProblem{message.substr(0, message.find('\n')), 0, {}, {}, 0};
    }
    return tl::unexpected(root.error());
  }
  auto m = std::make_shared<Matcher>();
  m->language = language;
  m->text = std::string(text);
  m->root = std::move(*root);
  return std::shared_ptr<const Matcher>(std::move(m));
}

}  // namespace tw::match

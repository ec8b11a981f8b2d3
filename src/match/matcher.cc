#include "match/matcher.h"

#include "match/cwl/compile.h"
#include "match/eventbridge/compile.h"

namespace tw::match {

const char* LanguageName(Language language) {
  return language == Language::kFilterPattern ? "filter_pattern" : "event_pattern";
}

Result<std::shared_ptr<const Matcher>> CompileMatcher(Language language, std::string_view text) {
  Result<NodePtr> root = language == Language::kFilterPattern
                             ? cwl::CompileFilterPattern(text)
                             : eventbridge::CompileEventPattern(text);
  if (!root) return tl::unexpected(root.error());
  auto m = std::make_shared<Matcher>();
  m->language = language;
  m->text = std::string(text);
  m->root = std::move(*root);
  return std::shared_ptr<const Matcher>(std::move(m));
}

}  // namespace tw::match

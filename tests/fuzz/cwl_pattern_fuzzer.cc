// Fuzz target: CloudWatch Logs filter patterns. Compiles the input as a pattern; when it
// compiles, evaluates it on a CloudTrail record (JSON) and on plain text lines (json = nullptr),
// which is how the scanner calls it. Neither step may crash, whatever the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_events.h"
#include "match/cwl/compile.h"
#include "match/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tw::fuzz::ParsedJson record(tw::fuzz::kCloudTrailRecord);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto node = tw::match::cwl::CompileFilterPattern(text);
  if (!node) {
    // Error messages carry a column; computing it must not crash either.
    (void)tw::match::cwl::ErrorColumn(node.error());
    return 0;
  }
  const tw::match::Node& root = **node;
  (void)tw::match::Evaluate(root, {tw::fuzz::kCloudTrailRecord, &record.root, nullptr});
  (void)tw::match::Evaluate(root, {tw::fuzz::kPlainLine, nullptr, nullptr});
  (void)tw::match::Evaluate(root, {{}, nullptr, nullptr});
  // The pattern's own text as the message: terms and regexes then see their own bytes.
  (void)tw::match::Evaluate(root, {text, nullptr, nullptr});
  return 0;
}

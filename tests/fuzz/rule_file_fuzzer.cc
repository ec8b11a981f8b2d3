// Fuzz target: rule files. Loads the input as a YAML rule file (yaml-cpp, the structure checks,
// both pattern compilers, positioned diagnostics); when rules load, runs their inline tests,
// which parse the test events and evaluate the matchers on them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/inline_test.h"
#include "rules/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  // "/nonexistent": a relative event_file resolves to a path that does not exist.
  auto rules = tw::rules::LoadRulesFromText(yaml, "fuzz.yml", "/nonexistent");
  if (!rules) return 0;
  (void)tw::rules::CountInlineTests(*rules);
  (void)tw::rules::RunInlineTests(*rules);
  return 0;
}

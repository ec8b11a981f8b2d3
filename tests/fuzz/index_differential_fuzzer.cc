// Fuzz target: the rule index must never change the answer (issue 8). The bytes drive
// HostileRecord (index_differential.h) to build a few adversarial records, and are also tried
// as a document of their own; the alerts of `scan`'s indexed path must equal those of
// evaluating every rule (Engine with use_index = false). A difference aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "index_differential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tw::fuzz::IndexDifferential check = [] {
    auto rules = tw::fuzz::DifferentialRules();
    if (!rules) {
      std::fprintf(stderr, "index_differential_fuzzer: the rules do not load\n");
      std::abort();
    }
    return tw::fuzz::IndexDifferential(rules);
  }();
  auto fail = [](const std::string& doc, const std::string& diff) {
    std::fprintf(stderr, "index differential: %s\ndocument: %s\n", diff.c_str(), doc.c_str());
    std::abort();
  };
  // The bytes as a document (after a first byte that is only a choice).
  if (size > 0 && data[0] % 4 == 0) {
    const std::string raw(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (std::string diff = check.Check(raw); !diff.empty()) fail(raw, diff);
    return 0;
  }
  tw::fuzz::Choices choices(data, size);
  std::string doc;
  for (int i = 0; i < 4 && !choices.exhausted(); ++i) {
    doc += tw::fuzz::HostileRecord(choices);
    doc += '\n';
  }
  if (std::string diff = check.Check(doc); !diff.empty()) fail(doc, diff);
  return 0;
}

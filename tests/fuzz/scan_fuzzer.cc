// Fuzz target: the whole input path of `trailwatch scan`. The bytes become a file (an anonymous
// memfd, reached by its /proc/self/fd path) which tw::scan::Scan reads, gunzips if gzip,
// classifies and evaluates with the built-in rules, twice: as `scan` does (rule index, EventBridge
// envelopes) and as `match` does (every rule on every event, documents as given, text lines).
// Bad input must become InputErrors, never a crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "rules/builtin.h"
#include "rules/rule.h"
#include "scan/scanner.h"

namespace {

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::abort();
}

std::shared_ptr<const tw::scan::CompiledRuleSet> BuiltinRules() {
  auto rules = tw::rules::LoadBuiltinRules(tw::rules::InlineTests::kSkip);
  if (!rules) {
    std::fprintf(stderr, "scan_fuzzer: built-in rules: %s\n", rules.error().message.c_str());
    std::abort();
  }
  std::vector<tw::scan::ScanRule> scan_rules;
  for (const auto& r : *rules) {
    scan_rules.push_back(
        tw::scan::ScanRule{{r.id, r.title, tw::rules::SeverityName(r.severity)}, r.matcher});
  }
  return tw::scan::CompiledRuleSet::Create(std::move(scan_rules));
}

// Touches every result so that dangling views in alerts or errors show up under ASan.
class Sink : public tw::scan::ScanListener {
 public:
  void OnFile(tw::scan::FileResult& result) override {
    for (const auto& alert : result.alerts) {
      total_ += alert.rule->id.size() + alert.raw_event.size() + alert.input_file.size();
    }
    for (const auto& error : result.errors) {
      total_ += error.where.size() + error.error.message.size();
    }
    total_ += result.skipped.size();
  }
  size_t total_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto rules = BuiltinRules();
  static const int fd = [] {
    const int f = memfd_create("scan_fuzzer_input", 0);
    if (f < 0) Die("memfd_create");
    return f;
  }();
  static const std::vector<std::string> files{"/proc/self/fd/" + std::to_string(fd)};

  if (ftruncate(fd, 0) != 0) Die("ftruncate");
  for (size_t done = 0; done < size;) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) Die("pwrite");
    done += static_cast<size_t>(n);
  }

  Sink sink;
  tw::scan::ScanOptions scan_like;
  tw::scan::Scan(*rules, files, scan_like, sink);

  tw::scan::ScanOptions match_like;
  match_like.envelope_mode = tw::scan::EnvelopeMode::kAsGiven;
  match_like.use_index = false;
  match_like.text_lines = true;
  match_like.keep_raw = true;
  tw::scan::Scan(*rules, files, match_like, sink);
  return 0;
}

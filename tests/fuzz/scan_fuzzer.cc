// Fuzz target: the whole input path of `trailwatch scan`. The bytes become a file (an anonymous
// memfd, reached by its /proc/self/fd path) which the scan pipeline reads, gunzips if gzip,
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
#include "common/clock.h"
#include "pipeline/pipeline.h"
#include "rules/rule_set.h"
#include "sources/files/files_source.h"

namespace {

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::abort();
}

std::shared_ptr<const tw::rules::RuleSet> BuiltinRules() {
  auto rules = tw::rules::LoadBuiltinRules(tw::rules::InlineTests::kSkip);
  if (!rules) {
    std::fprintf(stderr, "scan_fuzzer: built-in rules: %s\n", rules.error().message.c_str());
    std::abort();
  }
  return tw::rules::RuleSet::Create(std::move(*rules));
}

// Touches every result so that dangling views in alerts or errors show up under ASan.
class Sink : public tw::pipeline::BatchListener {
 public:
  void OnBatch(tw::pipeline::BatchReport& result) override {
    for (const auto& alert : result.alerts) {
      total_ += alert.rule_id.size() + alert.raw_event.size() + alert.input_file.size() +
                alert.record_json.size();
    }
    for (const auto& error : result.errors) {
      total_ += error.where.size() + error.error.message.size();
    }
    total_ += result.skipped.size();
  }
  size_t total_ = 0;
};

void Scan(const std::shared_ptr<const tw::rules::RuleSet>& rules,
          const std::vector<std::string>& files, const tw::pipeline::PipelineOptions& options,
          Sink& sink) {
  tw::SystemClock clock;
  tw::pipeline::PipelineParts parts;
  parts.rules = rules;
  parts.sources.push_back(std::make_unique<tw::sources::FilesSource>(files));
  parts.clock = &clock;
  parts.listener = &sink;
  auto pipe = tw::pipeline::Pipeline::Create(std::move(parts), options);
  if (!pipe) std::abort();
  const std::atomic<bool> stop{false};
  (void)(*pipe)->Run(stop);
}

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
  tw::pipeline::PipelineOptions scan_like;
  Scan(rules, files, scan_like, sink);

  tw::pipeline::PipelineOptions match_like;
  match_like.engine.envelope_as_given = true;
  match_like.engine.use_index = false;
  match_like.engine.keep_raw = true;
  match_like.reader.text_lines = true;
  Scan(rules, files, match_like, sink);
  return 0;
}

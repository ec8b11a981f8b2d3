// Scanner: reads inputs, decodes them, and evaluates the rule set on every CloudTrail record.
//
// Data flow per file (one worker thread per file, --threads of them):
//   read bytes -> gunzip if gzip (libdeflate, multi-member) -> classify (decode/input_kind.h)
//   -> for each record: AnchorExtractor (simdjson On-Demand, no allocation)
//   -> RuleIndex::Candidates -> if any: DOM-parse that record once, build its EventBridge
//      envelope if an event pattern rule needs it, Evaluate each candidate -> Alert.
// A record no rule can match costs one On-Demand pass and no allocation.
//
// Bad input never stops the scan: each problem becomes one InputError naming the file and the
// record (or line), is counted, and the worker goes on with the next record, or the next file
// when the damage makes the rest unreadable (records before it have been evaluated).
//
// Results are delivered per file through ScanListener, one call at a time (the scanner holds a
// mutex), so listeners need no locking of their own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "match/index.h"
#include "match/matcher.h"
#include "scan/alert.h"

namespace tw::scan {

struct ScanRule {
  AlertRuleInfo info;
  std::shared_ptr<const match::Matcher> matcher;
};

// Rules compiled and indexed. Immutable; share as std::shared_ptr<const CompiledRuleSet>.
class CompiledRuleSet {
 public:
  static std::shared_ptr<const CompiledRuleSet> Create(std::vector<ScanRule> rules);

  const std::vector<ScanRule>& rules() const { return rules_; }
  const match::RuleIndex& index() const { return *index_; }

 private:
  std::vector<ScanRule> rules_;
  std::unique_ptr<match::RuleIndex> index_;
};

enum class EnvelopeMode : uint8_t {
  kEventBridge,  // event patterns see the EventBridge envelope (real, or built from the record)
  kAsGiven,      // event patterns see each JSON document as given (TestEventPattern)
};

struct ScanOptions {
  int threads = 1;
  EnvelopeMode envelope_mode = EnvelopeMode::kEventBridge;
  bool use_index = true;    // false: evaluate every rule on every event (match command)
  bool text_lines = false;  // a non-JSON line is a log event of raw text, not an error
  bool keep_raw = false;    // copy each matching event's text into Alert::raw_event
};

struct InputError {
  std::string file;
  std::string where;  // "record 12", "line 7", "logEvents[3]"; empty for the whole file
  Error error;
};

struct FileResult {
  std::string file;
  uint64_t events = 0;  // records evaluated
  uint64_t bytes = 0;   // decompressed bytes
  std::vector<Alert> alerts;
  std::vector<InputError> errors;
  std::string skipped;  // non-empty: the file was recognised and deliberately skipped (why)
};

class ScanListener {
 public:
  virtual ~ScanListener() = default;
  virtual void OnFile(FileResult& result) = 0;
};

// Live counters, readable from another thread for progress display.
struct ScanProgress {
  std::atomic<uint64_t> files{0};
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> alerts{0};
  std::atomic<uint64_t> bytes{0};
};

// Expands inputs: a directory is walked recursively (regular files, sorted by path); "-" is
// stdin. Missing paths become InputErrors.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<InputError>& errors);

// Scans `files` (already expanded) with `options.threads` workers.
void Scan(const CompiledRuleSet& rules, const std::vector<std::string>& files,
          const ScanOptions& options, ScanListener& listener, ScanProgress* progress = nullptr);

}  // namespace tw::scan

// Engine: one record in, the alerts of the rules it matches out. No I/O, no record splitting.
//
// Per record (RecordReader hands over its text, decode/record_reader.h):
//   AnchorExtractor (one pass that checks the grammar of every byte and extracts the anchors,
//   no allocation) -> RuleIndex::Candidates -> if any candidate:
//     - every candidate decided by the index (RuleIndex::Decides: its conditions all checked on
//       extracted strings) and the record one line, not an envelope: an alert per candidate,
//       its event fields read from the text (event_fields.h), no DOM and no evaluation;
//     - else: parse that record into a DOM once, choose what each rule sees (match/subject.h:
//       an envelope's detail for filter patterns, an envelope for event patterns), Evaluate
//       each candidate the index does not decide with one FieldCache -> alert::Alert.
// A record no rule can match costs that one pass and allocates nothing.
//
// Each alert owns what it keeps: the rule's metadata (rule_id, rule_title, severity), the event
// fields a person needs, the record's JSON (record_json: the CloudTrail record as written on one
// line, as CloudTrail files and NDJSON have it; a pretty-printed record or an envelope's detail
// minified) and where it was found. Alert::id is left empty (alert processing assigns
// it).
//
// Ownership and thread-safety: an Engine holds a shared, immutable RuleSet and its own parsers,
// caches and scratch buffers; make one per worker thread. Several engines may share a RuleSet.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "common/error.h"
#include "decode/record_reader.h"
#include "engine/extractor.h"
#include "match/dom_parser.h"
#include "match/field_cache.h"
#include "match/subject.h"
#include "rules/rule_set.h"

namespace tw::engine {

struct EngineOptions {
  // false: evaluate every rule on every record, without the index or the field cache (`match`,
  // and the reference the index is tested against).
  bool use_index = true;
  // true: an event pattern sees each document as given (`match` without --envelope).
  bool envelope_as_given = false;
  // Copy each matching event's text into Alert::raw_event (`match`).
  bool keep_raw = false;
};

// Where a record came from: the input's name (a path, "-", s3://bucket/key) and its place in it.
struct Origin {
  const std::string& input;
  const decode::RecordWhere& where;
};

class Engine {
 public:
  Engine(std::shared_ptr<const rules::RuleSet> rules, EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Evaluates one record and appends an alert per matching rule to `out`, in rule order.
  // Returns kOk; or, the record not evaluated and not counted in events(), with `error` saying
  // why and where in the record: kRejected for a record the reader delimited (RecordView::text)
  // whose text is not one JSON object the DOM can hold (damage anywhere, nesting deeper than
  // 1,024, a second object after it); kDamaged for the same in a record handed over at its
  // start (a Records array), which the reader then re-reads on its own. A member of an
  // unexpected type (eventName an array ...) is evaluated like any other value.
  decode::RecordStatus Evaluate(const decode::RecordView& record, const Origin& origin,
                                std::vector<alert::Alert>& out, Error& error);

  // A log event of raw text (not JSON; `match` only): every filter-pattern rule is evaluated
  // on the text.
  void EvaluateText(std::string_view text, const Origin& origin, std::vector<alert::Alert>& out);

  // Records evaluated since construction (a kRejected or kDamaged record is not counted).
  uint64_t events() const { return events_; }
  const rules::RuleSet& rules() const { return *rules_; }

 private:
  // Whether the index decides candidate `id` (RuleIndex::Decides) on this record's anchors.
  bool Decided(uint32_t id) const;
  // The index's second look (RuleIndex::first_look_slots), when the first walk skipped its
  // fields: extracts every slot of `text` and asks for the candidates again, when that may
  // spare the record its DOM.
  void SecondLook(std::string_view text, bool dom_free);
  // `one_line`: the text holds no newline (it is shown as written).
  void EvaluateCandidates(std::string_view text, const std::vector<uint32_t>& candidates,
                          bool envelope, bool one_line, const Origin& origin,
                          std::vector<alert::Alert>& out, Error& error,
                          decode::RecordStatus& status);
  // Appends to `out` an alert of `rule` from `origin`'s record, whose `text` it keeps when
  // asked to (EngineOptions::keep_raw), and returns it.
  alert::Alert& NewAlert(const rules::Rule& rule, const Origin& origin, std::string_view text,
                         std::vector<alert::Alert>& out) const;

  std::shared_ptr<const rules::RuleSet> rules_;
  EngineOptions options_;
  AnchorExtractor extractor_;  // the index's first look (and the second, for some events)
  std::optional<AnchorExtractor> every_slot_;  // the second look, when the first skipped it
  // The index's anchors for this record (the second look's kOther until it is taken, when the
  // first walk skipped them).
  std::vector<match::AnchorValue> anchors_;
  std::vector<uint32_t> candidates_;
  match::RuleIndex::ShapeMemo shape_memo_;  // the index's RE2::Set answers for recent values
  std::vector<uint32_t> all_rules_;
  std::string source_scratch_;
  match::FieldCache fields_;
  match::SubjectSelector subject_;
  match::DomParser dom_;  // simdjson's DOM, plus numbers beyond its range
  // A record with unpaired surrogate escapes, rewritten as \ufffd (match/json_escapes.h), with
  // simdjson padding.
  std::string repaired_;
  uint64_t events_ = 0;
};

}  // namespace tw::engine

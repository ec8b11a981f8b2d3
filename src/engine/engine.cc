#include "engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "engine/event_fields.h"
#include "match/evaluator.h"
#include "match/json_check.h"
#include "match/json_escapes.h"

namespace tw::engine {
namespace {

// The error of a record whose text fails match::CheckJson.
Error JsonCheckError(std::string_view text, const match::JsonCheck& check) {
  if (check.kind == match::JsonCheck::Kind::kTooDeep) {
    return Error{ErrorCode::kParse, fmt::format("the record cannot be evaluated: {}",
                                                match::DescribeJsonCheck(text, check))};
  }
  return Error{ErrorCode::kParse, fmt::format("damaged JSON: {} of the record",
                                              match::DescribeJsonCheck(text, check))};
}

AnchorExtractor::SecondLook SecondLookOf(const match::RuleIndex& index) {
  AnchorExtractor::SecondLook plan;
  plan.first_look = index.first_look_slots();
  plan.event_name_slot = index.event_name_slot();
  plan.event_names = index.second_look_event_names();
  return plan;
}

}  // namespace

Engine::Engine(std::shared_ptr<const rules::RuleSet> rules, EngineOptions options)
    : rules_(std::move(rules)),
      options_(options),
      extractor_(rules_->index().slots(), SecondLookOf(rules_->index())),
      anchors_(rules_->index().slots().size()) {
  const match::RuleIndex& index = rules_->index();
  if (index.first_look_slots() < index.slots().size()) every_slot_.emplace(index.slots());
  if (!options_.use_index) {
    for (uint32_t i = 0; i < rules_->size(); ++i) all_rules_.push_back(i);
  }
}

decode::RecordStatus Engine::Evaluate(const decode::RecordView& record, const Origin& origin,
                                      std::vector<alert::Alert>& out, Error& error) {
  // The record's text: delimited by the reader, or (a record of a Records array) from its start
  // to the end of the document, where the walk finds the record's end.
  const bool exact = !record.text.empty();
  std::string_view text =
      exact ? record.text
            : std::string_view(record.start, static_cast<size_t>(record.doc.data() +
                                                                 record.doc.size() - record.start));
  // One pass checks the whole text's grammar, every byte, whichever members the rules read, and
  // extracts the anchors (engine/extractor.h): the index and exhaustive evaluation count a
  // record alike (an event, or an error with its location).
  ExtractResult scanned;
  if (options_.use_index) {
    scanned = extractor_.Extract(text, !exact, anchors_.data(), source_scratch_);
  } else {
    scanned.check = exact ? match::CheckJson(text) : match::CheckJsonPrefix(text);
  }
  if (!scanned.check.ok()) {
    error = JsonCheckError(text, scanned.check);
    // A record the reader delimited is this record's error; else the reader, which knows where
    // it is, recovers and reports.
    return exact ? decode::RecordStatus::kRejected : decode::RecordStatus::kDamaged;
  }
  text = text.substr(0, scanned.check.offset);
  if (record.length != nullptr) *record.length = text.size();
  // The reader leaves UTF-8 to this pass (RecordVisitor::ChecksRecords), which saw whether a
  // string holds a byte above 0x7F: only such a record is validated. One that is not UTF-8 is
  // refused before it counts; the reader reads it again on its own and reports it.
  if (scanned.check.non_ascii && !simdjson::validate_utf8(text.data(), text.size())) {
    error = Error{ErrorCode::kParse, "invalid UTF-8 in the record"};
    return exact ? decode::RecordStatus::kRejected : decode::RecordStatus::kDamaged;
  }
  if (scanned.check.kind == match::JsonCheck::Kind::kLoneSurrogates) {
    // Unpaired surrogates read as U+FFFD (match/json_escapes.h): the DOM and the alert read
    // the rewritten copy, and so does the extractor, to see the record as they do.
    match::ReplaceLoneSurrogates(text, repaired_);
    const size_t size = repaired_.size();
    repaired_.append(simdjson::SIMDJSON_PADDING, '\0');  // readable, initialised padding
    repaired_.resize(size);
    text = repaired_;
    if (options_.use_index) {
      scanned = extractor_.Extract(text, /*prefix=*/false, anchors_.data(), source_scratch_);
    }
  }
  // A record of a CloudTrail file or an NDJSON line is shown as written (an unpaired surrogate
  // escape rewritten as \ufffd, as it was read); a pretty-printed one minified, from the DOM.
  const auto is_one_line = [&] { return std::memchr(text.data(), '\n', text.size()) == nullptr; };
  ++events_;
  decode::RecordStatus status = decode::RecordStatus::kOk;
  if (!options_.use_index) {  // every rule; the envelope is told from the DOM
    EvaluateCandidates(text, all_rules_, /*envelope=*/false, is_one_line(), origin, out, error,
                       status);
    return status;
  }
  rules_->index().Candidates(anchors_.data(), candidates_, &shape_memo_);
  if (candidates_.empty()) return status;
  const bool one_line = is_one_line();
  if (scanned.second_look_pending) SecondLook(text, /*dom_free=*/!scanned.envelope && one_line);
  if (candidates_.empty()) return status;
  EvaluateCandidates(text, candidates_, scanned.envelope, one_line, origin, out, error, status);
  return status;
}

bool Engine::Decided(uint32_t id) const {
  // Not in the exhaustive mode, nor when event patterns see documents as given (`match`).
  return options_.use_index && !options_.envelope_as_given &&
         rules_->index().Decides(id, anchors_.data());
}

void Engine::SecondLook(std::string_view text, bool dom_free) {
  if (!every_slot_ || options_.envelope_as_given) return;
  // Worth a walk only when it may leave no candidate that needs the DOM: each one either wants
  // the second look (which drops it or decides it), or is decided already on a record whose
  // alerts need no DOM.
  const match::RuleIndex& index = rules_->index();
  bool wanted = false;
  for (uint32_t id : candidates_) {
    if (index.WantsSecondLook(id)) {
      wanted = true;
    } else if (!dom_free || !Decided(id)) {
      return;
    }
  }
  if (!wanted) return;
  if (!every_slot_->Extract(text, /*prefix=*/false, anchors_.data(), source_scratch_).check.ok()) {
    // Not expected: the same text passed the first look's check. Nothing is decided on what
    // the walk left, and the candidates stay as they were.
    std::fill(anchors_.begin(), anchors_.end(),
              match::AnchorValue{match::AnchorValue::State::kOther, {}});
    return;
  }
  index.Candidates(anchors_.data(), candidates_, &shape_memo_);
}

alert::Alert& Engine::NewAlert(const rules::Rule& rule, const Origin& origin, std::string_view text,
                               std::vector<alert::Alert>& out) const {
  alert::Alert& alert = out.emplace_back();
  alert.rule_id = rule.id;
  alert.rule_title = rule.title;
  alert.severity = rule.severity;
  alert.input_file = origin.input;
  alert.input_record = origin.where.index();
  if (options_.keep_raw) alert.raw_event = std::string(text);
  return alert;
}

void Engine::EvaluateCandidates(std::string_view text, const std::vector<uint32_t>& candidates,
                                bool envelope, bool one_line, const Origin& origin,
                                std::vector<alert::Alert>& out, Error& error,
                                decode::RecordStatus& status) {
  // Candidates the index decides match without evaluation.
  const auto decided = [&](uint32_t id) { return Decided(id); };
  // Every candidate certainly matches: the alerts need no DOM, only the event's fields, read
  // from the text. An envelope's detail is shown minified, from the DOM.
  if (!envelope && one_line && std::all_of(candidates.begin(), candidates.end(), decided)) {
    const EventFields fields = ReadEventFields(text);
    for (uint32_t id : candidates) {
      alert::Alert& alert = NewAlert(*rules_->rules()[id], origin, text, out);
      ApplyEventFields(fields, alert);
      alert.record_json = text;
      alert.input_is_line = origin.where.lines();
    }
    return;
  }
  simdjson::dom::element root;
  if (auto err = dom_.Parse(text, /*padded=*/true, root)) {
    // The text passed the grammar check, which accepts what the DOM parser accepts: not
    // expected. Not evaluated, so not an event but an error of this record (events + errors =
    // records).
    --events_;
    error = Error{ErrorCode::kParse,
                  fmt::format("the record cannot be evaluated: {}", simdjson::error_message(err))};
    status = decode::RecordStatus::kRejected;
    return;
  }
  if (!options_.use_index && root.type() == simdjson::dom::element_type::OBJECT) {
    envelope = match::IsCloudTrailEnvelope(root);
  }
  subject_.Reset(root, text, envelope, options_.envelope_as_given, dom_.wide_numbers());
  // One memo of the fields for all candidates of this event. The exhaustive mode (the match
  // command, and the reference the index is tested against) evaluates without it.
  match::FieldCache* fields = nullptr;
  if (options_.use_index) {
    fields_.NextEvent();
    fields = &fields_;
  }
  EventFields event_fields;
  bool have_fields = false;  // read once, for the first alert
  for (uint32_t id : candidates) {
    const rules::Rule& rule = *rules_->rules()[id];
    if (!decided(id)) {
      match::Subject subject = subject_.For(rule.matcher->language);
      subject.fields = fields;
      if (!match::Evaluate(*rule.matcher->root, subject)) continue;
    }
    alert::Alert& alert = NewAlert(rule, origin, text, out);
    if (!have_fields) {
      event_fields = ReadEventFields(subject_.record());
      have_fields = true;
    }
    ApplyEventFields(event_fields, alert);
    if (subject_.is_envelope()) {
      alert.record_json = subject_.RecordText();  // the detail, minified once per event
    } else if (one_line) {
      alert.record_json = text;
    } else {
      alert.record_json = subject_.MinifiedRecord();  // a pretty-printed document
    }
    alert.input_is_line = origin.where.lines();
  }
}

void Engine::EvaluateText(std::string_view text, const Origin& origin,
                          std::vector<alert::Alert>& out) {
  ++events_;
  for (uint32_t id : all_rules_) {
    const rules::Rule& rule = *rules_->rules()[id];
    if (rule.matcher->language != match::Language::kFilterPattern) continue;
    match::Subject subject;
    subject.raw = text;
    if (!match::Evaluate(*rule.matcher->root, subject)) continue;
    NewAlert(rule, origin, text, out);
  }
}

}  // namespace tw::engine

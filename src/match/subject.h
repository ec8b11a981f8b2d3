// SubjectSelector: the one decision of what a rule sees of an event.
//
// An event reaches trailwatch either as a CloudTrail record or as an EventBridge event whose
// `detail` is one (detail-type "AWS API Call via CloudTrail" and its kin). Whatever the shape:
// - a filter-pattern rule (CloudWatch Logs) sees the CloudTrail record: the envelope's `detail`,
//   or the record itself, with the record's compact JSON as its raw text;
// - an event-pattern rule (EventBridge) sees an envelope: the event as given when it is one,
//   else a virtual envelope built around the record (event/envelope.h). With `as_given`
//   (`trailwatch match` without --envelope) an event pattern sees every document as given.
// `scan`, the engine and `rules test` (inline tests) all choose through this class, so an inline
// test tests what a scan does.
//
// Usage: Reset() once per event with its parsed DOM root and text, then For() per rule. The
// envelope and the record's compact text are built at most once per event, on first need, in
// storage the selector keeps (no allocation once warm). Views returned by For() are valid until
// the next Reset(). One selector per thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "event/envelope.h"
#include "match/dom_parser.h"
#include "match/evaluator.h"
#include "match/matcher.h"

namespace tw::match {

// True when `root` is an EventBridge event carrying a CloudTrail record in an object `detail`
// (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html).
bool IsCloudTrailEnvelope(simdjson::dom::element root);

class SubjectSelector {
 public:
  // Starts an event. `root`/`text`: the parsed document and its JSON text, which must outlive
  // the selector's use for this event. `is_envelope`: whether `root` is a CloudTrail envelope
  // (IsCloudTrailEnvelope; callers that know already pass it). `as_given`: see above.
  // `wide_numbers`: `root` was read with DomParser's number fallback (DomParser::wide_numbers),
  // so compact text is written with MinifyDom.
  void Reset(simdjson::dom::element root, std::string_view text, bool is_envelope, bool as_given,
             bool wide_numbers = false);

  // The subject a rule in `language` evaluates (Subject::fields is left null).
  Subject For(Language language);

  // The CloudTrail record: the envelope's detail, or the root.
  simdjson::dom::element record() const { return record_; }
  // The record's JSON text: the input text, or the compact form of an envelope's detail.
  std::string_view RecordText();
  // The record's compact JSON, written from the DOM (simdjson::minify, or MinifyDom).
  std::string MinifiedRecord() const;
  bool is_envelope() const { return is_envelope_; }

 private:
  simdjson::dom::element root_;
  simdjson::dom::element record_;
  std::string_view text_;
  bool is_envelope_ = false;
  bool as_given_ = false;
  bool wide_numbers_ = false;
  bool built_envelope_ = false;
  bool minified_ = false;
  std::string record_text_;
  event::EnvelopeStorage envelope_;
};

}  // namespace tw::match

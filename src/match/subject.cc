#include "match/subject.h"

namespace tw::match {

bool IsCloudTrailEnvelope(simdjson::dom::element root) {
  std::string_view detail_type;
  simdjson::dom::object detail;
  return root["detail-type"].get_string().get(detail_type) == simdjson::SUCCESS &&
         event::IsCloudTrailDetailType(detail_type) &&
         root["detail"].get_object().get(detail) == simdjson::SUCCESS;
}

void SubjectSelector::Reset(simdjson::dom::element root, std::string_view text, bool is_envelope,
                            bool as_given, bool wide_numbers) {
  root_ = root;
  record_ = root;
  text_ = text;
  is_envelope_ = is_envelope;
  as_given_ = as_given;
  wide_numbers_ = wide_numbers;
  built_envelope_ = false;
  minified_ = false;
  if (is_envelope && root["detail"].get(record_) != simdjson::SUCCESS) record_ = root;
}

std::string_view SubjectSelector::RecordText() {
  if (!is_envelope_) return text_;
  if (!minified_) {
    record_text_ = MinifiedRecord();
    minified_ = true;
  }
  return record_text_;
}

std::string SubjectSelector::MinifiedRecord() const {
  return wide_numbers_ ? MinifyDom(record_) : simdjson::minify(record_);
}

Subject SubjectSelector::For(Language language) {
  Subject subject;
  if (language != Language::kEventPattern) {  // filter patterns and Sigma see the record
    subject.raw = RecordText();
    subject.json = &record_;
  } else if (as_given_ || is_envelope_) {
    subject.raw = text_;
    subject.json = &root_;
  } else {
    if (!built_envelope_) {
      event::BuildEnvelope(record_, envelope_);
      built_envelope_ = true;
    }
    subject.raw = text_;
    subject.json = &record_;
    subject.envelope = &envelope_.envelope;
  }
  return subject;
}

}  // namespace tw::match

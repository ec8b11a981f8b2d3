// RecordFields: reading an alert's fields by name, for suppress conditions, dedupe key templates
// and threshold group_by.
//
// A name is either an Alert field ("rule_id", "actor", "account_id", "event_name", "source_ip",
// ... see AlertFieldNames()) or a dotted path into the record ("sourceIPAddress",
// "userIdentity.arn", "requestParameters.ipPermissions.items.ipRanges.items.cidrIp"). An Alert
// field wins when a name is both. A path crosses arrays by visiting every element, so a path can
// yield several values. Scalars are rendered as text: strings as themselves, numbers as written
// in the record, true/false as "true"/"false"; null, objects and arrays yield no value.
//
// The record is parsed once per Load() with simdjson DOM into this object's parser; the views
// Values() returns die at the next Load(). Not thread-safe: one per stage instance.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "common/error.h"
#include "match/dom_parser.h"

namespace tw::alert {

// The Alert fields a name can refer to, e.g. "rule_id", "actor".
const std::vector<std::string_view>& AlertFieldNames();

// The value of Alert field `name` as text, or nullopt when `name` is not an Alert field.
std::optional<std::string> AlertField(const Alert& alert, std::string_view name);

class RecordFields {
 public:
  // Parses `alert.record_json` (kept for Values()). kParse when it is not JSON; Values() then
  // yields only Alert fields.
  Result<void> Load(const Alert& alert);

  // Every value of `name` (see the header comment), in document order. Empty: absent.
  std::vector<std::string> Values(std::string_view name) const;

  // The first value of `name`, or "" when absent.
  std::string First(std::string_view name) const;

 private:
  const Alert* alert_ = nullptr;
  match::DomParser parser_;  // numbers beyond simdjson's range included
  simdjson::dom::element root_;
  std::string parsed_json_;  // the record root_ was parsed from (reused for the same record)
  bool has_root_ = false;
};

// Renders a key template: every "{name}" is replaced by First(name) (an absent value renders
// as ""), "{{" and "}}" are literal braces, any other text is copied. kInvalidArgument for an
// unclosed "{" or an empty name.
[[nodiscard]] Result<std::string> RenderKeyTemplate(std::string_view tmpl,
                                                    const RecordFields& fields);

// Checks a template's syntax without rendering it (config validation).
[[nodiscard]] Result<void> CheckKeyTemplate(std::string_view tmpl);

}  // namespace tw::alert

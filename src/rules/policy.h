// Policy: how alerts of one rule are processed before they reach the outbox, and the settings
// every rule shares (time zone, business hours, account names).
//
// A rule's policy comes from three layers, later ones winning key by key: the built-in defaults
// (dedupe on, 15 minutes), the config's `defaults:`, the rule's own YAML (`schedule:`, `suppress:`,
// `dedupe:`, `threshold:`), and the config's `overrides: {<rule id>: ...}`. pipeline/config
// and rules/ (the rule loader) parse the YAML into these structs; alert/ stages consume them. Plain value types.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "rules/rule.h"  // Severity

namespace tw::rules {

enum class Schedule {
  kAlways,
  kOutsideBusinessHours,  // alert only when eventTime is outside business hours
  kInsideBusinessHours,   // alert only when eventTime is inside business hours
};

// One suppress condition: the alert is suppressed when `field` (a dotted path into the record,
// e.g. "sourceIPAddress", "userIdentity.arn") satisfies any of the listed tests. Exactly one kind
// of test is set.
struct SuppressCondition {
  std::string field;
  std::vector<std::string> equals;  // `equals: x` or `in: [x, y]`
  std::vector<std::string> cidr;    // IPv4/IPv6 networks
  std::vector<std::string> prefix;
  std::string regex;  // RE2, full match
  std::string name;   // shown in `alerts list --suppressed` (defaults to a rendering of it)
};

struct DedupePolicy {
  bool enabled = true;
  // Template over alert and record fields: "{rule_id}|{actor}|{account_id}|{event_name}" is the
  // default. Names are Alert fields or dotted record paths in braces.
  std::string key = "{rule_id}|{actor}|{account_id}|{event_name}";
  std::chrono::seconds window{15 * 60};
};

struct ThresholdPolicy {
  int64_t count = 0;  // 0: no threshold
  std::chrono::seconds window{0};
  std::vector<std::string> group_by;  // dotted record paths or Alert fields, e.g. sourceIPAddress
};

struct RulePolicy {
  bool enabled = true;
  std::optional<rules::Severity> severity;  // overrides the rule's severity
  Schedule schedule = Schedule::kAlways;
  std::vector<SuppressCondition> suppress;
  DedupePolicy dedupe;
  ThresholdPolicy threshold;
};

struct BusinessHours {
  std::vector<int> days = {1, 2, 3, 4, 5};  // ISO weekday: 1 = Monday .. 7 = Sunday
  int start_minute = 8 * 60;                // inclusive, minutes after local midnight
  int end_minute = 22 * 60;                 // exclusive; may be <= start (spans midnight)
  std::vector<std::string> holidays;        // local dates, YYYY-MM-DD: never business hours
};

struct GlobalPolicy {
  std::string timezone = "UTC";  // IANA name, e.g. Asia/Seoul
  BusinessHours business_hours;
  std::vector<std::pair<std::string, std::string>> account_names;  // account id -> name
};

}  // namespace tw::rules

// Policy: how alerts of one rule are processed before they reach the outbox, and the settings
// every rule shares (time zone, business hours, account names).
//
// A rule's policy comes from four layers, later ones winning key by key (PolicyKeys says which
// keys a layer sets; ResolvePolicy applies them): the built-in defaults (dedupe on, 15 minutes),
// the config's `defaults:`, the rule's own YAML (`enabled:`, `schedule:`, `suppress:`, `dedupe:`,
// `threshold:`), and the config's `overrides: {<rule id>: ...}`. rules/policy_yaml.h parses the
// YAML (for rule files and for config/config.h); alert/ stages consume the result. Plain value
// types; the functions are pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/severity.h"

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

  bool operator==(const SuppressCondition&) const = default;
};

struct DedupePolicy {
  bool enabled = true;
  // Template over alert and record fields: "{rule_id}|{actor}|{account_id}|{event_name}" is the
  // default. Names are Alert fields or dotted record paths in braces.
  std::string key = "{rule_id}|{actor}|{account_id}|{event_name}";
  std::chrono::seconds window{15 * 60};

  bool operator==(const DedupePolicy&) const = default;
};

struct ThresholdPolicy {
  int64_t count = 0;  // 0: no threshold
  std::chrono::seconds window{0};
  std::vector<std::string> group_by;  // dotted record paths or Alert fields, e.g. sourceIPAddress

  bool operator==(const ThresholdPolicy&) const = default;
};

struct RulePolicy {
  bool enabled = true;
  std::optional<rules::Severity> severity;  // overrides the rule's severity
  Schedule schedule = Schedule::kAlways;
  std::vector<SuppressCondition> suppress;
  DedupePolicy dedupe;
  ThresholdPolicy threshold;

  bool operator==(const RulePolicy&) const = default;
};

// Which keys of a RulePolicy one layer (the config's `defaults:`, a rule's YAML, an override)
// sets. Layering is key by key; inside `dedupe` it is per sub-key (`dedupe: false` sets only
// dedupe_enabled, `dedupe: {window: 1h}` sets dedupe_enabled and dedupe_window), while a
// `threshold` mapping replaces the whole threshold and a `suppress` list replaces the list.
struct PolicyKeys {
  bool enabled = false;
  bool severity = false;
  bool schedule = false;
  bool suppress = false;
  bool dedupe_enabled = false;
  bool dedupe_key = false;
  bool dedupe_window = false;
  bool threshold = false;

  bool Any() const {
    return enabled || severity || schedule || suppress || dedupe_enabled || dedupe_key ||
           dedupe_window || threshold;
  }
  bool operator==(const PolicyKeys&) const = default;
};

// One layer: its values (keys it does not set hold the built-in defaults) and which keys it sets.
struct PolicyLayer {
  RulePolicy values;
  PolicyKeys keys;

  bool operator==(const PolicyLayer&) const = default;
};

// Copies into `policy` the keys `keys` marks as set, from `values`.
void ApplyPolicyLayer(const RulePolicy& values, const PolicyKeys& keys, RulePolicy& policy);

// The effective policy of a rule: the built-in defaults (RulePolicy{}), then `defaults` (the
// config's `defaults:`), then the rule's own keys, then `override_layer` (the config's
// `overrides: {<rule id>: ...}`; nullptr when there is none).
RulePolicy ResolvePolicy(const PolicyLayer& defaults, const RulePolicy& rule_values,
                         const PolicyKeys& rule_keys, const PolicyLayer* override_layer);

struct BusinessHours {
  std::vector<int> days = {1, 2, 3, 4, 5};  // ISO weekday: 1 = Monday .. 7 = Sunday
  int start_minute = 8 * 60;                // inclusive, minutes after local midnight
  int end_minute = 22 * 60;                 // exclusive; may be <= start (spans midnight)
  std::vector<std::string> holidays;        // local dates, YYYY-MM-DD: never business hours

  bool operator==(const BusinessHours&) const = default;
};

struct GlobalPolicy {
  std::string timezone = "UTC";  // IANA name, e.g. Asia/Seoul
  BusinessHours business_hours;
  std::vector<std::pair<std::string, std::string>> account_names;  // account id -> name
};

}  // namespace tw::rules

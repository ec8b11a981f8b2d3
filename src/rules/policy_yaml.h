// Reading processing policies (policy.h) from YAML, with positioned diagnostics.
//
// A policy is written as a mapping, in a rule file (beside `id:`, `filter_pattern:` ...) or in
// the config's `defaults:` and `overrides: {<rule id>: ...}`:
//
//   enabled: true                          # false: the rule raises no alert
//   severity: critical                     # replaces the rule's severity (not in rule files:
//                                          # there `severity` is the rule's own)
//   schedule: outside_business_hours       # | inside_business_hours | always
//   suppress:                              # any condition that holds suppresses the alert
//     - {field: sourceIPAddress, cidr: [10.0.0.0/8, "2001:db8::/32"], name: office}
//     - {field: userIdentity.arn, equals: "arn:aws:iam::111122223333:user/ci"}
//     - {field: userAgent, in: [a, b]}
//     - {field: eventSource, prefix: [sso]}          # a string or a list
//     - {field: userIdentity.principalId, regex: "AROA.*:ci-.*"}   # RE2, full match
//   dedupe: false                          # or {window: 15m, key: "{rule_id}|{actor}"}
//   threshold: {count: 5, window: 10m, group_by: [sourceIPAddress]}
//
// Durations are a whole number and a unit, s, m, h or d, and may be combined: 30s, 15m, 1h30m,
// 1d. CIDRs (IPv4 or IPv6, a bare address meaning one host; host bits must be zero) and regexes
// (RE2 syntax) are checked here, at load time. Unknown keys are errors with a did-you-mean hint.
//
// YamlChecker is the shared toolkit behind these diagnostics (the config parser in
// src/config uses it too): it reports at a node, or at a fallback when the node has no position
// (an empty value), with the file's line as excerpt unless the value is secret.
//
// Thread-safety: everything here is reentrant; a YamlChecker is used by one thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "rules/diagnostic.h"
#include "rules/policy.h"
#include "rules/yaml_adapter.h"

namespace tw::rules {

using YamlMember = std::pair<YamlNode, YamlNode>;

// How CollectMembers words its errors about one kind of mapping.
struct MemberWording {
  std::string_view key_of;   // "<key_of> must be a name, not a list" ("a rule key")
  std::string_view in_what;  // "unknown key `x` in <in_what>", "<in_what> has the keys ..."
};

// Reports one problem at `node`, or at `fallback` when `node` has no position.
using MemberErrorFn = std::function<void(const YamlNode& node, const YamlNode& fallback,
                                         std::string message, std::string hint)>;

// The members of `mapping` by key: reports (through `error`) a key that is not a scalar, a
// duplicate key (the first one is kept) and a key not in `allowed` (left out, with a did-you-mean
// hint or the list of keys). Shared by the rule loader and the policy/config checker.
std::map<std::string, const YamlMember*> CollectMembers(
    const YamlNode& mapping, const std::vector<std::string_view>& allowed,
    const MemberWording& wording, const MemberErrorFn& error);

// Reports problems in one YAML text into a diagnostics list it borrows.
class YamlChecker {
 public:
  // `text` and `name` (the display name) must outlive the checker; so must `out`.
  YamlChecker(std::string_view text, std::string_view name, std::vector<Diagnostic>& out)
      : text_(text), name_(name), out_(out) {}

  std::string_view text() const { return text_; }
  std::string_view name() const { return name_; }
  size_t error_count() const { return out_.size(); }

  SourceLocation Where(const YamlNode& node) const {
    return {std::string(name_), node.line, node.column};
  }

  // Appends an error at `node` (or at `fallback` when `node` has no position). `secret`: the
  // excerpt is left out, so that a secret written in the file is never echoed.
  void Error(const YamlNode& node, const YamlNode& fallback, std::string message,
             std::string hint = {}, bool secret = false);

  // The members of `mapping` by key. Reports non-scalar and duplicate keys, and keys not in
  // `allowed` ("unknown key `x` in <what>", with a did-you-mean hint or the list of keys).
  std::map<std::string, const YamlMember*> Members(const YamlNode& mapping,
                                                   const std::vector<std::string_view>& allowed,
                                                   std::string_view what);

  // A scalar of any style, not blank; reports `key` "must be a string" / "is empty" otherwise.
  std::optional<std::string> String(const YamlMember& member, bool secret = false);
  // A plain true/false (also True, TRUE...); a quoted "true" is an error.
  std::optional<bool> Bool(const YamlMember& member);
  // A plain decimal integer in [min, max].
  std::optional<int64_t> Integer(const YamlMember& member, int64_t min, int64_t max);
  // A duration (see above), at least `min`.
  std::optional<std::chrono::seconds> Duration(const YamlMember& member, std::chrono::seconds min);
  // A string, or a list of strings (non-empty, none blank).
  std::optional<std::vector<std::string>> StringList(const YamlMember& member);

 private:
  std::string_view text_;
  std::string_view name_;
  std::vector<Diagnostic>& out_;
};

// "a string", "a list", "a mapping", "nothing": for messages.
const char* YamlKindName(const YamlNode& node);

// `a`, `b`, `c`: names quoted for a hint.
std::string JoinQuotedNames(const std::vector<std::string_view>& names);

// Parses "30s", "15m", "2h", "1d", "1h30m". kInvalidArgument with a one-line message otherwise
// (no unit, unknown unit, zero is allowed, more than 3650 days is not).
[[nodiscard]] Result<std::chrono::seconds> ParseDuration(std::string_view text);

// The shortest rendering ParseDuration reads back: 900s -> "15m", 5400s -> "90m", 0 -> "0s".
std::string FormatDuration(std::chrono::seconds duration);

// Checks a CIDR ("10.0.0.0/8", "2001:db8::/32") or a bare IPv4/IPv6 address. kInvalidArgument
// when malformed or when host bits are set (the message then names the network meant).
[[nodiscard]] Result<void> CheckCidr(std::string_view text);

// The names of the schedule values, and conversions.
const std::vector<std::string_view>& ScheduleNames();  // always, outside_..., inside_...
std::optional<Schedule> ParseSchedule(std::string_view name);
const char* ScheduleName(Schedule schedule);

// The policy keys a rule file may carry (enabled, schedule, suppress, dedupe, threshold) and
// those a config layer may carry (the same and severity).
const std::vector<std::string_view>& RulePolicyKeyNames();
const std::vector<std::string_view>& PolicyKeyNames();

// Parses one policy key's value into `values` and marks it in `keys`. `key` must be one of
// PolicyKeyNames(). Returns false when it reported an error (then `values` is unchanged for it).
bool ParsePolicyKey(YamlChecker& checker, const YamlMember& member, RulePolicy& values,
                    PolicyKeys& keys);

// Parses a policy mapping (a config `defaults:` or an override). `member` is the key and its
// value; a null value is an empty layer. `what` names the mapping in messages ("override for
// `x`"). Unknown keys are reported with did-you-mean. nullopt when it reported an error.
std::optional<PolicyLayer> ParsePolicyMapping(YamlChecker& checker, const YamlMember& member,
                                              std::string_view what);

}  // namespace tw::rules

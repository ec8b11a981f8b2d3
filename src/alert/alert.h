// Alert: a rule hit on one event, after alert processing, owning everything it keeps.
//
// An alert outlives the parser that produced its event, the rule set that matched it (rules are
// reloaded on SIGHUP while alerts wait in the outbox) and the process (it is serialised into the
// outbox). So it copies the rule's metadata and the fields a person needs, and keeps the record
// itself as compact JSON text for stages that read arbitrary fields (suppress, dedupe key
// templates, threshold group_by) and for sinks that decode requestParameters.
//
// Every string that comes from the event is attacker-controlled. Formatters escape it for their
// medium: JSON (common/strings.h AppendJsonEscaped), terminals (EscapeForTerminal), Slack mrkdwn
// (sinks/slack). Alert itself is a plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/rule.h"

namespace tw::alert {

// One security-group rule added, removed or modified by the event (alert/enrich decodes them from
// requestParameters of Authorize*/Revoke*/ModifySecurityGroupRules, and
// Create/DeleteSecurityGroup).
struct SecurityGroupChange {
  std::string action;     // "added", "removed", "modified", "group created", "group deleted"
  std::string direction;  // "ingress", "egress", or empty for a group
  std::string group;      // group id and/or name
  std::string protocol;   // "tcp", "udp", "icmp", "-1" (all) ...; empty for a group
  int from_port = -1;     // -1: not given
  int to_port = -1;
  std::string peer;  // a CIDR (IPv4 or IPv6), a peer security group or a prefix list
  std::string description;
  std::string vpc;  // CreateSecurityGroup: the VPC the group was created in
};

// Bits of Alert::present_fields.
enum AlertField : uint32_t {
  kFieldEventId = 1u << 0,
  kFieldEventName = 1u << 1,
  kFieldEventSource = 1u << 2,
  kFieldEventTime = 1u << 3,
  kFieldAwsRegion = 1u << 4,
  kFieldAccountId = 1u << 5,
  kFieldActor = 1u << 6,
  kFieldSourceIp = 1u << 7,
  kFieldUserAgent = 1u << 8,
  kFieldErrorCode = 1u << 9,
  kFieldErrorMessage = 1u << 10,
};

struct Alert {
  // Stable: a hash of the rule id, the event id and (after dedupe) the dedupe key. See
  // alert/alert_id.h. Empty until the engine assigns it.
  std::string id;

  // The rule, copied.
  std::string rule_id;
  std::string rule_title;
  rules::Severity severity = rules::Severity::kInfo;

  // The event (the CloudTrail record; for an EventBridge envelope, its detail). Empty: absent.
  std::string event_id;
  std::string event_name;
  std::string event_source;
  std::string event_time;  // as in the record, ISO 8601 UTC
  std::string aws_region;
  std::string account_id;
  std::string actor;  // readable actor (alert/enrich): user, role/session, email, root, service
  std::string source_ip;
  std::string user_agent;
  std::string error_code;
  std::string error_message;
  // Which of the event fields above the record holds as a string (AlertField bits). A field
  // without its bit is absent (JSON output: null); with its bit and an empty value, the record
  // holds "" (JSON output: ""). Derived fields (actor, account_id) are present when derived.
  uint32_t present_fields = 0;
  std::string record_json;  // the record, compact JSON
  // The event's text exactly as read (an envelope, a log line), kept only when the engine is
  // asked to (EngineOptions::keep_raw, for `trailwatch match`). Empty otherwise.
  std::string raw_event;

  // Where it came from.
  std::string input_file;      // path, s3://bucket/key, "-", "http", "lambda:<request id>"
  uint64_t input_record = 0;   // the record's 0-based index in the file (the line for NDJSON);
                               // shown 1-based by every format (alert/format.h)
  bool input_is_line = false;  // true: input_record counts lines

  // Enrichment (alert/enrich). Empty: not known.
  std::string actor_email;   // when the actor resolves to an email (SSO session name)
  std::string account_name;  // from the configured account-name map
  std::string local_time;    // event_time in the configured time zone
  std::string console_url;   // region-aware link to the event in the CloudTrail console
  std::vector<SecurityGroupChange> security_group_changes;

  // Processing results.
  std::string dedupe_key;        // empty when dedupe is off for the rule
  uint64_t dedupe_count = 1;     // events folded into this alert within the dedupe window
  bool suppressed = false;       // kept and counted, never delivered
  std::string suppressed_by;     // which suppress condition matched
  uint64_t threshold_count = 0;  // >0: raised by a threshold, with this many events in the window
  // Non-empty: this alert is a repeat inside a dedupe window, and this is the id of the window's
  // first alert (sinks thread the repeat under it and update its count to dedupe_count).
  std::string dedupe_parent_id;
  // Things a person should know about how the alert was processed, e.g. "schedule: eventTime
  // unparseable, kept (fail open)". One short sentence each.
  std::vector<std::string> notes;
};

}  // namespace tw::alert

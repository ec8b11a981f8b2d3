// Alert: a rule hit on one event, with the fields a person needs to act on it.
//
// Alerts own their strings (they outlive the parser that produced the event). Every string that
// comes from the event is attacker-controlled: FormatJson escapes it for JSON and FormatText
// for a terminal.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>

namespace tw::scan {

struct AlertRuleInfo {
  std::string id;
  std::string title;
  std::string severity;  // "info" .. "critical"
};

struct Alert {
  const AlertRuleInfo* rule = nullptr;
  std::string event_id;
  std::string event_name;
  std::string event_source;
  std::string event_time;
  std::string aws_region;
  std::string account_id;
  std::string actor;
  std::string source_ip;
  std::string user_agent;
  std::string error_code;  // empty when the event has none
  std::string error_message;
  std::string input_file;
  uint64_t input_record = 0;   // 0-based record index in the file (line index for NDJSON)
  bool input_is_line = false;  // the input is line-oriented: people count its lines from 1
  std::string raw_event;       // the event text, when the scan keeps it (match command)
};

// Fills the event fields of `alert` from a CloudTrail record.
void FillAlertFromRecord(simdjson::dom::element record, Alert& alert);

// A readable principal: the IAM user name, "Role/session" for an assumed role, "root", the
// AWS service for service events, else the ARN or principalId.
std::string ActorOf(simdjson::dom::element record);

// One JSON object on one line, with a trailing newline. Event fields the record lacks are null;
// error_code and error_message are left out when absent.
void AppendAlertJson(const Alert& alert, std::string& out);

// One human line (two with the error), coloured with ANSI codes when `color`.
void AppendAlertText(const Alert& alert, bool color, std::string& out);

}  // namespace tw::scan

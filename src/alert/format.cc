#include "alert/format.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "common/strings.h"

namespace tw::alert {
namespace {

// "name":"value", or "name":null when the event has no such field (`present` false). `key` is
// the name quoted with its colon, `"name":`, written as one literal.
void Field(std::string& out, std::string_view key, std::string_view value, bool present,
           bool first = false) {
  if (!first) out += ',';
  out.append(key);
  if (!present) {
    out.append("null");
    return;
  }
  out += '"';
  AppendJsonEscaped(out, value);
  out += '"';
}

const char* SeverityColor(rules::Severity severity) {
  switch (severity) {
    case rules::Severity::kCritical:
      return "\x1b[1;37;41m";
    case rules::Severity::kHigh:
      return "\x1b[1;31m";
    case rules::Severity::kMedium:
      return "\x1b[1;33m";
    case rules::Severity::kLow:
      return "\x1b[36m";
    case rules::Severity::kInfo:
      break;
  }
  return "\x1b[2m";
}

}  // namespace

void AppendAlertJson(const Alert& a, std::string& out) {
  out += '{';
  bool first = true;
  if (!a.id.empty()) {
    Field(out, "\"id\":", a.id, true, true);
    first = false;
  }
  const auto has = [&a](uint32_t bit) { return (a.present_fields & bit) != 0; };
  Field(out, "\"rule_id\":", a.rule_id, true, first);
  Field(out, "\"severity\":", rules::SeverityName(a.severity), true);
  Field(out, "\"title\":", a.rule_title, true);
  Field(out, "\"event_id\":", a.event_id, has(kFieldEventId));
  Field(out, "\"event_name\":", a.event_name, has(kFieldEventName));
  Field(out, "\"event_source\":", a.event_source, has(kFieldEventSource));
  Field(out, "\"event_time\":", a.event_time, has(kFieldEventTime));
  Field(out, "\"aws_region\":", a.aws_region, has(kFieldAwsRegion));
  Field(out, "\"account_id\":", a.account_id, has(kFieldAccountId));
  Field(out, "\"actor\":", a.actor, has(kFieldActor));
  Field(out, "\"source_ip\":", a.source_ip, has(kFieldSourceIp));
  Field(out, "\"user_agent\":", a.user_agent, has(kFieldUserAgent));
  Field(out, "\"error_code\":", a.error_code, has(kFieldErrorCode));
  Field(out, "\"error_message\":", a.error_message, has(kFieldErrorMessage));
  // Enrichment and processing results: present once the alert went through the stages of
  // `watch` / `scan --config` (they assign the id).
  if (!a.id.empty()) {
    if (!a.account_name.empty()) Field(out, "\"account_name\":", a.account_name, true);
    if (!a.actor_email.empty()) Field(out, "\"actor_email\":", a.actor_email, true);
    if (!a.local_time.empty()) Field(out, "\"local_time\":", a.local_time, true);
    if (!a.console_url.empty()) Field(out, "\"console_url\":", a.console_url, true);
    out += fmt::format(
        ",\"processing\":{{\"dedupe_count\":{},\"threshold_count\":{},"
        "\"suppressed\":{}",
        a.dedupe_count, a.threshold_count, a.suppressed ? "true" : "false");
    if (!a.suppressed_by.empty()) Field(out, "\"suppressed_by\":", a.suppressed_by, true);
    if (!a.dedupe_parent_id.empty()) Field(out, "\"dedupe_parent_id\":", a.dedupe_parent_id, true);
    out += '}';
  }
  out += ",\"input\":{";
  Field(out, "\"file\":", a.input_file, true, true);
  // 1-based, as the text format and error messages count records and lines.
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, a.input_record + 1).ptr;
  out.append(",\"record\":");
  out.append(digits, end);
  out.append("}}\n");
}

void AppendAlertText(const Alert& a, bool color, std::string& out) {
  std::string sev = rules::SeverityName(a.severity);
  for (char& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const char* on = color ? SeverityColor(a.severity) : "";
  const char* off = color ? "\x1b[0m" : "";
  const char* dim = color ? "\x1b[2m" : "";
  out += fmt::format("{}{:<8}{} {} {}{}{}\n", on, sev, off, EscapeForTerminal(a.event_time),
                     color ? "\x1b[1m" : "", EscapeForTerminal(a.rule_title), off);
  out += fmt::format("         {} by {} from {} in {} ({})", EscapeForTerminal(a.event_name),
                     a.actor.empty() ? "?" : EscapeForTerminal(a.actor),
                     a.source_ip.empty() ? "?" : EscapeForTerminal(a.source_ip),
                     a.account_id.empty() ? "?" : EscapeForTerminal(a.account_id),
                     a.aws_region.empty() ? "?" : EscapeForTerminal(a.aws_region));
  if (!a.error_code.empty()) out += fmt::format(" -> {}", EscapeForTerminal(a.error_code));
  out += '\n';
  out += fmt::format(
      "         {}rule {} · event {} · {} {} {}{}\n", dim, EscapeForTerminal(a.rule_id),
      a.event_id.empty() ? "-" : EscapeForTerminal(a.event_id), EscapeForTerminal(a.input_file),
      a.input_is_line ? "line" : "record", a.input_record + 1, off);
}

}  // namespace tw::alert

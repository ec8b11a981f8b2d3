#include "scan/alert.h"

#include <fmt/format.h>

#include "common/strings.h"

namespace tw::scan {
namespace {

std::string Str(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

std::string StrAt(simdjson::dom::element e, std::initializer_list<std::string_view> keys) {
  simdjson::dom::element cur = e;
  for (std::string_view k : keys) {
    if (cur[k].get(cur) != simdjson::SUCCESS) return {};
  }
  std::string_view v;
  if (cur.get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

// "name":"value", or "name":null when the event has no such field.
void Field(std::string& out, std::string_view name, std::string_view value, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
  if (value.empty()) {
    out += "null";
    return;
  }
  out += '"';
  AppendJsonEscaped(out, value);
  out += '"';
}

const char* SeverityColor(const std::string& severity) {
  if (severity == "critical") return "\x1b[1;37;41m";
  if (severity == "high") return "\x1b[1;31m";
  if (severity == "medium") return "\x1b[1;33m";
  if (severity == "low") return "\x1b[36m";
  return "\x1b[2m";
}

}  // namespace

std::string ActorOf(simdjson::dom::element record) {
  simdjson::dom::element id;
  if (record["userIdentity"].get(id) != simdjson::SUCCESS) {
    return {};
  }
  const std::string type = Str(id, "type");
  const std::string arn = Str(id, "arn");
  if (type == "Root") return "root";
  if (type == "IAMUser") {
    const std::string user = Str(id, "userName");
    return user.empty() ? arn : user;
  }
  if (type == "AssumedRole") {
    // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName
    const size_t p = arn.find(":assumed-role/");
    if (p != std::string::npos) return arn.substr(p + 14);
    const std::string issuer = StrAt(id, {"sessionContext", "sessionIssuer", "userName"});
    if (!issuer.empty()) return issuer;
  }
  if (type == "AWSService") {
    const std::string by = Str(id, "invokedBy");
    if (!by.empty()) return by;
  }
  if (!arn.empty()) return arn;
  const std::string user = Str(id, "userName");
  if (!user.empty()) return user;
  return Str(id, "principalId");
}

void FillAlertFromRecord(simdjson::dom::element record, Alert& alert) {
  alert.event_id = Str(record, "eventID");
  alert.event_name = Str(record, "eventName");
  alert.event_source = Str(record, "eventSource");
  alert.event_time = Str(record, "eventTime");
  alert.aws_region = Str(record, "awsRegion");
  alert.account_id = Str(record, "recipientAccountId");
  if (alert.account_id.empty()) alert.account_id = StrAt(record, {"userIdentity", "accountId"});
  alert.actor = ActorOf(record);
  alert.source_ip = Str(record, "sourceIPAddress");
  alert.user_agent = Str(record, "userAgent");
  alert.error_code = Str(record, "errorCode");
  alert.error_message = Str(record, "errorMessage");
}

void AppendAlertJson(const Alert& a, std::string& out) {
  out += '{';
  Field(out, "rule_id", a.rule->id, true);
  Field(out, "severity", a.rule->severity);
  Field(out, "title", a.rule->title);
  Field(out, "event_id", a.event_id);
  Field(out, "event_name", a.event_name);
  Field(out, "event_source", a.event_source);
  Field(out, "event_time", a.event_time);
  Field(out, "aws_region", a.aws_region);
  Field(out, "account_id", a.account_id);
  Field(out, "actor", a.actor);
  Field(out, "source_ip", a.source_ip);
  Field(out, "user_agent", a.user_agent);
  if (!a.error_code.empty()) Field(out, "error_code", a.error_code);
  if (!a.error_message.empty()) Field(out, "error_message", a.error_message);
  out += ",\"input\":{";
  Field(out, "file", a.input_file, true);
  out += fmt::format(",\"record\":{}}}}}\n", a.input_record);
}

void AppendAlertText(const Alert& a, bool color, std::string& out) {
  std::string sev = a.rule->severity;  // NOLINT: copied to upper-case it
  for (char& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const char* on = color ? SeverityColor(a.rule->severity) : "";
  const char* off = color ? "\x1b[0m" : "";
  const char* dim = color ? "\x1b[2m" : "";
  out += fmt::format("{}{:<8}{} {} {}{}{}\n", on, sev, off, EscapeForTerminal(a.event_time),
                     color ? "\x1b[1m" : "", EscapeForTerminal(a.rule->title), off);
  out += fmt::format("         {} by {} from {} in {} ({})", EscapeForTerminal(a.event_name),
                     a.actor.empty() ? "?" : EscapeForTerminal(a.actor),
                     a.source_ip.empty() ? "?" : EscapeForTerminal(a.source_ip),
                     a.account_id.empty() ? "?" : EscapeForTerminal(a.account_id),
                     a.aws_region.empty() ? "?" : EscapeForTerminal(a.aws_region));
  if (!a.error_code.empty()) out += fmt::format(" -> {}", EscapeForTerminal(a.error_code));
  out += '\n';
  out += fmt::format("         {}rule {} · event {} · {} {} {}{}\n", dim, a.rule->id,
                     a.event_id.empty() ? "-" : EscapeForTerminal(a.event_id),
                     EscapeForTerminal(a.input_file), a.input_is_line ? "line" : "record",
                     a.input_is_line ? a.input_record + 1 : a.input_record, off);
}

}  // namespace tw::scan

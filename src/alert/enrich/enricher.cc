#include "alert/enrich/enricher.h"

#include "alert/alert_id.h"
#include "alert/enrich/actor.h"
#include "alert/enrich/security_group.h"

namespace tw::alert {
namespace {

void FillIfEmpty(std::string& field, simdjson::dom::element record, std::string_view key) {
  if (!field.empty()) return;
  std::string_view v;
  if (record[key].get_string().get(v) == simdjson::SUCCESS) field.assign(v);
}

}  // namespace

std::string CloudTrailEventUrl(std::string_view region, std::string_view event_id) {
  if (region.empty() || event_id.empty()) return "";
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return "";
  }
  std::string host = ".console.aws.amazon.com";
  if (region.starts_with("cn-")) {
    host = ".console.amazonaws.cn";
  } else if (region.starts_with("us-gov-")) {
    host = ".console.amazonaws-us-gov.com";
  }
  std::string id;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : event_id) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      id += static_cast<char>(c);
    } else {
      id += '%';
      id += kHex[c >> 4];
      id += kHex[c & 0xF];
    }
  }
  std::string url = "https://";
  url.append(region);
  url += host;
  url += "/cloudtrailv2/home?region=";
  url.append(region);
  url += "#/events/";
  url += id;
  return url;
}

Result<std::unique_ptr<Enricher>> Enricher::Create(const rules::GlobalPolicy& global) {
  auto zone = TimeZone::Create(global.timezone);
  if (!zone) return tl::unexpected(zone.error());
  std::map<std::string, std::string> names(global.account_names.begin(),
                                           global.account_names.end());
  return std::unique_ptr<Enricher>(new Enricher(std::move(*zone), std::move(names)));
}

void Enricher::Enrich(Alert& alert) {
  // Alerts of one record (several rules matching one event) come one after the other: parse
  // the record once for all of them.
  if (!parsed_ || alert.record_json != parsed_json_) {
    parsed_ =
        parser_.Parse(alert.record_json, /*padded=*/false, parsed_record_) == simdjson::SUCCESS;
    if (parsed_) {
      parsed_json_.assign(alert.record_json);
    }
  }
  const simdjson::dom::element record = parsed_record_;
  if (!parsed_ || !record.is_object()) {
    alert.notes.push_back("enrich: the record is not a JSON object; not enriched");
    if (alert.id.empty()) AssignAlertId(alert);
    return;
  }
  FillIfEmpty(alert.event_id, record, "eventID");
  FillIfEmpty(alert.event_name, record, "eventName");
  FillIfEmpty(alert.event_source, record, "eventSource");
  FillIfEmpty(alert.event_time, record, "eventTime");
  FillIfEmpty(alert.aws_region, record, "awsRegion");
  FillIfEmpty(alert.source_ip, record, "sourceIPAddress");
  FillIfEmpty(alert.user_agent, record, "userAgent");
  FillIfEmpty(alert.error_code, record, "errorCode");
  FillIfEmpty(alert.error_message, record, "errorMessage");
  FillIfEmpty(alert.account_id, record, "recipientAccountId");
  if (alert.account_id.empty()) {
    std::string_view v;
    if (record["userIdentity"]["accountId"].get_string().get(v) == simdjson::SUCCESS) {
      alert.account_id.assign(v);
    }
  }

  ReadableActor actor = DescribeActor(record);
  alert.actor = std::move(actor.name);
  alert.actor_email = std::move(actor.email);

  if (const auto it = account_names_.find(alert.account_id); it != account_names_.end()) {
    alert.account_name = it->second;
  }
  if (auto t = ParseEventTime(alert.event_time)) alert.local_time = zone_.Format(*t);
  alert.console_url = CloudTrailEventUrl(alert.aws_region, alert.event_id);
  alert.security_group_changes = DecodeSecurityGroupChanges(record);
  if (alert.id.empty()) AssignAlertId(alert);
}

Result<void> Enricher::Process(std::vector<Alert>& alerts, const StageContext& ctx) {
  (void)ctx;
  for (Alert& alert : alerts) Enrich(alert);
  return Ok();
}

}  // namespace tw::alert

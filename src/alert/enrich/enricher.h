// Enricher: fills the Alert's enrichment fields from its record and the global policy.
//
// Enrich(alert) parses alert.record_json once (simdjson DOM) and sets:
// - actor and actor_email (enrich/actor.h);
// - account_id when empty (recipientAccountId, else userIdentity.accountId), and account_name
//   from GlobalPolicy::account_names;
// - local_time: eventTime in GlobalPolicy::timezone, "2026-12-01 18:41:10 KST" (empty when
//   eventTime does not parse);
// - console_url: CloudTrailEventUrl(awsRegion, eventID);
// - security_group_changes (enrich/security_group.h);
// - event_id, event_name, event_source, event_time, aws_region, source_ip, user_agent,
//   error_code, error_message when they are still empty;
// - id (alert_id.h) when still empty.
// A record that is not JSON leaves the alert as it is, with a note. Never fails.
//
// It is also the first Stage of the chain ("enrich"): Process enriches every alert and keeps all.
// Not thread-safe (it owns a parser); use one per worker or stage thread.
#pragma once

#include <simdjson.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "alert/alert.h"
#include "alert/event_time.h"
#include "alert/stage.h"
#include "common/error.h"
#include "match/dom_parser.h"
#include "rules/policy.h"

namespace tw::alert {

// The event's page in the CloudTrail console's event history:
//   https://{region}.console.aws.amazon.com/cloudtrailv2/home?region={region}#/events/{eventID}
// (the form in ../shared/docs/alerting-and-aws-facts.md §4 "Event link", with the event's
// awsRegion, not the bucket's). The China regions (cn-*) use console.amazonaws.cn and GovCloud
// (us-gov-*) console.amazonaws-us-gov.com (same section, marked unverified there). The event id
// is percent-encoded. "" when the region is empty or not [a-z0-9-]+, or the event id is empty.
// The link resolves only for management events of the last 90 days, for a viewer signed in to
// the recipient account.
std::string CloudTrailEventUrl(std::string_view region, std::string_view event_id);

class Enricher final : public Stage {
 public:
  // kInvalidArgument for an unknown time zone.
  [[nodiscard]] static Result<std::unique_ptr<Enricher>> Create(const rules::GlobalPolicy& global);

  void Enrich(Alert& alert);

  const char* name() const override { return "enrich"; }
  // Enriches every alert; never fails.
  [[nodiscard]] Result<void> Process(std::vector<Alert>& alerts, const StageContext& ctx) override;

 private:
  Enricher(TimeZone zone, std::map<std::string, std::string> names)
      : zone_(std::move(zone)), account_names_(std::move(names)) {}
  TimeZone zone_;
  std::map<std::string, std::string> account_names_;
  match::DomParser parser_;  // numbers beyond simdjson's range included
  // The record last parsed by parser_ (reused while consecutive alerts share it).
  simdjson::dom::element parsed_record_;
  std::string parsed_json_;
  bool parsed_ = false;
};

}  // namespace tw::alert

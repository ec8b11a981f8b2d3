#include "event/envelope.h"

namespace tw::event {
namespace {

std::string_view StringField(simdjson::dom::element obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

}  // namespace

// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html lists the
// CloudTrail detail-types; eventType names come from the CloudTrail record contents reference.
std::string_view DetailTypeForEventType(std::string_view event_type) {
  if (event_type == "AwsConsoleSignIn" || event_type == "AwsConsoleSignin") {
    return "AWS Console Sign In via CloudTrail";
  }
  if (event_type == "AwsServiceEvent") return "AWS Service Event via CloudTrail";
  if (event_type == "AwsConsoleAction") return "AWS Console Action via CloudTrail";
  if (event_type == "AwsCloudTrailInsight") return "AWS Insight via CloudTrail";
  return "AWS API Call via CloudTrail";
}

bool IsCloudTrailDetailType(std::string_view detail_type) {
  return detail_type == "AWS API Call via CloudTrail" ||
         detail_type == "AWS Console Sign In via CloudTrail" ||
         // The EventBridge User Guide (eb-service-event-cloudtrail) spells it this way.
         detail_type == "AWS Console Signin via CloudTrail" ||
         detail_type == "AWS Service Event via CloudTrail" ||
         detail_type == "AWS Console Action via CloudTrail" ||
         detail_type == "AWS Insight via CloudTrail";
}

void SourceForEventSource(std::string_view event_source, std::string& out) {
  out.assign("aws.");
  out.append(event_source.substr(0, event_source.find('.')));
}

void BuildEnvelope(simdjson::dom::element record, EnvelopeStorage& out) {
  SourceForEventSource(StringField(record, "eventSource"), out.source);
  Envelope& e = out.envelope;
  e.source = out.source;
  e.detail_type = DetailTypeForEventType(StringField(record, "eventType"));
  e.id = StringField(record, "eventID");
  e.account = StringField(record, "recipientAccountId");
  if (e.account.empty()) {
    std::string_view account;
    if (record["userIdentity"]["accountId"].get_string().get(account) == simdjson::SUCCESS) {
      e.account = account;
    }
  }
  e.time = StringField(record, "eventTime");
  e.region = StringField(record, "awsRegion");
}

}  // namespace tw::event

// The EventBridge view of a CloudTrail record.
//
// EventBridge delivers a CloudTrail record as the `detail` of an envelope. An event pattern rule
// is always matched against that envelope: for input that arrived through EventBridge it is the
// real one; for a record read from S3, CloudWatch Logs or NDJSON, trailwatch builds it as
// EventBridge would (docs/envelope-mapping.md has the table and the AWS pages it follows):
//   source      "aws." + the eventSource up to its first '.'   (ec2.amazonaws.com -> aws.ec2)
//   detail-type from eventType (AwsApiCall -> "AWS API Call via CloudTrail", ...)
//   account     recipientAccountId, else userIdentity.accountId
//   region      awsRegion;  time  eventTime;  id  eventID;  resources  []
//
// Envelope holds views; EnvelopeStorage owns the one string that has to be made (source).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace tw::event {

struct Envelope {
  std::string_view id;
  std::string_view detail_type;
  std::string_view source;
  std::string_view account;
  std::string_view time;
  std::string_view region;
};

// The detail-type EventBridge gives a CloudTrail record of this eventType. Unknown or missing
// types get "AWS API Call via CloudTrail", the detail-type of ordinary API calls.
std::string_view DetailTypeForEventType(std::string_view event_type);

// Writes "aws.<service>" for an eventSource such as "ec2.amazonaws.com" into `out`.
void SourceForEventSource(std::string_view event_source, std::string& out);

// True for the detail-types EventBridge uses for CloudTrail records.
bool IsCloudTrailDetailType(std::string_view detail_type);

struct EnvelopeStorage {
  std::string source;
  Envelope envelope;
};

// Fills `out` from `record` (a CloudTrail record object). Views point into the record's parser
// buffers and into `out.source`: valid until the parser's next parse or the next call.
void BuildEnvelope(simdjson::dom::element record, EnvelopeStorage& out);

}  // namespace tw::event

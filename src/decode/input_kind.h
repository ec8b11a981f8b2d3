// Telling what a decompressed input document is, cheaply, before parsing it.
//
// trailwatch accepts CloudTrail log files from S3, NDJSON exports, CloudWatch Logs subscription
// payloads (as Lambda receives them or already decoded), EventBridge events, single records, a
// JSON array of records and `aws cloudtrail lookup-events` output. ClassifyInput looks at the
// top-level keys of the document's first object (and, to tell NDJSON from one pretty-printed
// object, at its first line) with a small string-aware scanner; it never parses values and never
// allocates. The decision is by content only, never by file name or S3 key, and by all the
// top-level keys of the first object together, not by the first one: a file is a digest only
// when it has every one of digestStartTime, digestEndTime and logFiles, and a document with a
// "Records" array is read for its records wherever that key lies and whatever else it has. The
// decision is a routing hint: the decoder chosen for the kind still validates everything.
//
// Cost: one pass over the first object (for a CloudTrail file, up to its "Records" key; the
// records themselves are not scanned except for the first one's keys). The first line is
// scanned up to kClassifyLineBytes to tell NDJSON from a pretty-printed object.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace tw::decode {

enum class InputKind {
  kCloudTrailFile,         // {"Records":[...]}: a CloudTrail log file as delivered to S3
  kNdjson,                 // one JSON object per line (CloudTrail records or EventBridge events)
  kCwlSubscriptionLambda,  // {"awslogs":{"data":"<base64 gzip>"}}: CWL subscription to Lambda
  kCwlSubscription,        // {"messageType":...,"logEvents":[...]}: the decoded CWL payload
  kEventBridge,            // one EventBridge event {"detail-type":...,"source":...,"detail":{}}
  kDigest,                 // a CloudTrail digest file (integrity validation, no records)
  kInsight,                // a CloudTrail Insights file (Records of eventType AwsCloudTrailInsight)
  kSingleEvent,            // one bare CloudTrail record, compact or pretty-printed
  kRecordArray,            // [{...},{...}]: a JSON array of records (or events)
  kLookupEvents,  // {"Events":[{"CloudTrailEvent":"<json>"}]}: aws cloudtrail lookup-events
  kUnknown,       // none of the above (not JSON, or an object with no telling key)
};

inline constexpr std::size_t kClassifyLineBytes = 1024 * 1024;

// Returns a stable lower-case name, e.g. "cloudtrail-file", "ndjson", "cwl-subscription-lambda".
const char* InputKindName(InputKind kind);

// Classifies a decompressed document. After an optional UTF-8 BOM and whitespace:
//   - '[' followed by '{' or ']'                     -> kRecordArray
//   - not '{'                                        -> kUnknown
// Otherwise by the first object's top-level keys, all of them, in this order of precedence:
//   - a "Records" array                              -> kInsight if the first record has eventType
//                                                       "AwsCloudTrailInsight" and insightDetails,
//                                                       else kCloudTrailFile
//   - "awslogs"                                      -> kCwlSubscriptionLambda
//   - "messageType", "logEvents", "logGroup", ...    -> kCwlSubscription
//   - all of digestStartTime, digestEndTime, logFiles -> kDigest
//   - "detail-type" or "detail"                      -> kEventBridge, or kNdjson (see below)
//   - a CloudTrail record key (eventVersion, eventTime, eventSource, eventName, userIdentity, ...)
//                                                    -> kSingleEvent, or kNdjson (see below)
//   - an "Events" array                              -> kLookupEvents
// Other keys (awsAccountId, version, id, @timestamp, ...) tell nothing. NDJSON versus one
// object: the document is kNdjson when its first object ends on its first line and another '{'
// follows; an object containing a line break is one (pretty-printed) event. A document holding a
// single compact line is therefore kSingleEvent (or kEventBridge).
InputKind ClassifyInput(std::string_view doc);

}  // namespace tw::decode

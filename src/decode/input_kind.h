// Telling what a decompressed input document is, cheaply, before parsing it.
//
// trailwatch accepts CloudTrail log files from S3, NDJSON exports, CloudWatch Logs subscription
// payloads (as Lambda receives them or already decoded), EventBridge events and single records.
// ClassifyInput looks at the first top-level keys of the document (and, to tell NDJSON from one
// pretty-printed object, at its first line) with a small string-aware scanner; it never parses
// the whole document and never allocates. The decision is a routing hint: the decoder chosen for
// the kind still validates everything.
//
// Limits: keys are looked for in the first kClassifyPrefixBytes bytes; the first line is scanned
// up to kClassifyLineBytes. A document whose deciding key lies beyond is kUnknown.
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
  kUnknown,                // none of the above (not a JSON object, or no telling key in reach)
};

inline constexpr std::size_t kClassifyPrefixBytes = 64 * 1024;
inline constexpr std::size_t kClassifyLineBytes = 1024 * 1024;

// Returns a stable lower-case name, e.g. "cloudtrail-file", "ndjson", "cwl-subscription-lambda".
const char* InputKindName(InputKind kind);

// Classifies by S3 key or file name alone: kDigest when `name` contains "/CloudTrail-Digest/" or
// "_CloudTrail-Digest_" (the digest key layout, AWS CloudTrail User Guide "CloudTrail digest file
// structure"), kInsight when it contains "/CloudTrail-Insight/" or "_CloudTrail-Insight_" (the
// Insights log file layout), otherwise kUnknown.
InputKind ClassifyName(std::string_view name);

// Classifies a decompressed document. `name_hint` (an S3 key or path, may be empty) wins when
// ClassifyName recognises it. Otherwise, after an optional UTF-8 BOM and whitespace:
//   - not '{'                                        -> kUnknown
//   - first telling key "Records"                    -> kInsight if the first record's eventType is
//                                                       "AwsCloudTrailInsight", else
//                                                       kCloudTrailFile
//   - "awslogs"                                      -> kCwlSubscriptionLambda
//   - "messageType", "logEvents", "logGroup", ...    -> kCwlSubscription
//   - "digestStartTime", "digestPublicKeyFingerprint", any "digest*"/"previousDigest*" -> kDigest
//   - "detail-type" or "detail"                      -> kEventBridge, or kNdjson (see below)
//   - a CloudTrail record key (eventVersion, eventTime, eventSource, eventName, userIdentity, ...)
//                                                    -> kSingleEvent, or kNdjson (see below)
// Keys that tell nothing (awsAccountId, version, id, @timestamp, ...) are skipped with their
// values. NDJSON versus one object: the document is kNdjson when its first object ends on its first
// line and another '{' follows; an object containing a line break is one (pretty-printed) event. A
// document holding a single compact line is therefore kSingleEvent (or kEventBridge).
InputKind ClassifyInput(std::string_view doc, std::string_view name_hint = {});

}  // namespace tw::decode

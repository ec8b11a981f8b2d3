// ParseNotification: what an SQS message body (or a Lambda S3/SNS/EventBridge record) tells
// trailwatch to read. A pure parser: no I/O, no AWS call.
//
// Accepted shapes (AWS documentation; each has a test built from the documented example):
//   * S3 event notifications, `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":
//     {"name":...},"object":{"key":...,"size":...}}}]}` ("Event message structure", Amazon S3
//     User Guide). The key is URL-encoded the way HTML forms are ("red flower.jpg" arrives as
//     "red+flower.jpg", other bytes as %XX; moto also encodes '/' as %2F): it is decoded here.
//     Only ObjectCreated records are kept; the others (ObjectRemoved, Restore, ...) are counted
//     in `skipped`.
//   * The same wrapped in SNS: `{"Type":"Notification","TopicArn":...,"Message":"<JSON text>"}`
//     ("Amazon SNS message and JSON formats"); with raw message delivery the body is the inner
//     message itself, which the previous case covers. SNS is unwrapped once.
//   * EventBridge "Object Created" events from S3 (`"source":"aws.s3"`, `detail.bucket.name`,
//     `detail.object.key`, `detail.object.size`; "Amazon S3 event notifications with
//     EventBridge"). EventBridge carries the key as stored, not URL-encoded (AWS's documented
//     examples show ':' and '/' raw), so it is taken as is. Other S3 detail-types ("Object
//     Deleted" ...) are counted in `skipped`.
//   * CloudTrail events delivered by EventBridge: a detail-type ending in " via CloudTrail"
//     ("AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", ...) with an object
//     `detail`. `event_json` is the event as received (the SNS Message when it was wrapped); the
//     record reader classifies it as an EventBridge event.
//   * CloudTrail's own SNS delivery notification, `{"s3Bucket":B,"s3ObjectKey":[K,...]}`
//     ("Configuring Amazon SNS notifications for CloudTrail"); these keys are not encoded.
//   * `s3:TestEvent` (`"Event":"s3:TestEvent"`, sent when a notification is configured),
//     directly or inside SNS.
// Anything else is kParse with a message that says what was seen (top-level keys, detail-type,
// a JSON error), escaped for a terminal and bounded in length: message bodies are untrusted.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tw::aws {

struct S3ObjectRef {
  std::string bucket;
  std::string key;         // decoded: the key as stored in S3 (bytes; usually UTF-8)
  std::uint64_t size = 0;  // 0 when the notification does not say
};

struct Notification {
  enum class Kind { kS3Objects, kCloudTrailEvent, kTestEvent };
  Kind kind = Kind::kS3Objects;
  // kS3Objects: the objects created, in message order (may be empty when every record was of
  // another event type).
  std::vector<S3ObjectRef> objects;
  // kCloudTrailEvent: the EventBridge event as received (the SNS Message when it was wrapped).
  std::string event_json;
  // kS3Objects: records or events of other types that were left out (ObjectRemoved ...).
  std::size_t skipped = 0;
  // True when the body was an SNS Notification envelope around the message.
  bool via_sns = false;
};

// Parses one message body (see the header comment). kParse on anything not listed there.
[[nodiscard]] Result<Notification> ParseNotification(std::string_view body);

// Decodes an S3 event notification key: '+' becomes a space, %XX the byte XX (either hex case).
// A '%' not followed by two hex digits is kept as is.
std::string DecodeS3EventKey(std::string_view key);

}  // namespace tw::aws

// InvocationEvent: what a Lambda invocation's event is, split into the units that succeed or
// fail together.
//
// A deployment can invoke trailwatch with five event shapes (docs/lambda.md), told apart by
// their top-level keys, never by configuration:
//   kCloudWatchLogs  {"awslogs":{"data":"<base64 gzip>"}}: a CloudWatch Logs subscription (the
//                    seed's path). One item; its document is the whole event (the record reader
//                    decodes it, decode/cwl_subscription.h).
//   kEventBridge     {"version":"0","detail-type":...,"source":...,"detail":{...}}. One item; the
//                    document is the event.
//   kS3              {"Records":[{"eventSource":"aws:s3","s3":{...}}]}: S3 notifications. One
//                    item naming every object (bucket, key) to fetch and scan.
//   kSns             {"Records":[{"EventSource":"aws:sns","Sns":{"Message":"<S3 event>"}}]}:
//                    SNS-wrapped S3 notifications. One item with the objects of every message.
//   kSqs             {"Records":[{"eventSource":"aws:sqs","messageId":...,"body":...}]}: one item
//                    per message, keyed by its messageId, so that a failing body is answered
//                    with batchItemFailures (AWS Lambda Developer Guide, "Reporting batch item
//                    failures"). A body is an S3 notification, an SNS envelope of one (raw
//                    delivery off), an EventBridge event, or s3:TestEvent (skipped).
// Anything else is an error (kInvalidArgument) whose message names what was seen: the top-level
// keys and, for a Records array, the first record's event source.
//
// S3 object keys arrive URL-encoded as form data ("red flower.jpg" is "red+flower.jpg"; S3 User
// Guide, "Event message structure"); S3Object::key is decoded. s3:TestEvent, sent once when a
// notification is configured, has no Records: the item is marked skipped.
//
// Bodies and messages are parsed by aws::ParseNotification (aws/notification.h), the parser the
// `sqs` source uses, so an SQS message means the same to both. A body that fails to parse inside
// an SQS record marks that item (Item::error); the others are unaffected. For the other shapes a
// malformed event is an error of the whole parse.
//
// The result owns all its strings. Thread-safety: a pure function (a parser per call).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/notification.h"
#include "common/error.h"

namespace tw::sources {

enum class EventShape { kCloudWatchLogs, kEventBridge, kS3, kSns, kSqs };

// "cloudwatch-logs", "eventbridge", "s3", "sns", "sqs".
const char* EventShapeName(EventShape shape);

// An object to fetch: bucket and decoded key (aws/notification.h).
using S3Object = aws::S3ObjectRef;

struct InvocationItem {
  std::string id;                      // the SQS messageId; empty for the other shapes
  std::vector<std::string> documents;  // to read as they are (EventBridge, CloudWatch Logs)
  std::vector<S3Object> objects;       // to fetch, then read
  std::string skipped;                 // non-empty: nothing to do, and why (s3:TestEvent)
  std::optional<Error> error;          // set: this item's body could not be understood
};

struct InvocationEvent {
  EventShape shape = EventShape::kEventBridge;
  std::vector<InvocationItem> items;
};

// Limit on the records of one event (SQS batches hold at most 10,000 messages).
inline constexpr std::size_t kMaxInvocationRecords = 10'000;

// Parses a Runtime API event body. Errors: kInvalidArgument for an unknown shape (the message
// names the keys seen), kParse for a body that is not JSON or a known shape that is malformed,
// kResourceExhausted past kMaxInvocationRecords.
[[nodiscard]] Result<InvocationEvent> ParseInvocationEvent(std::string_view body);

}  // namespace tw::sources

#include "sources/lambda/invocation_event.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "aws/notification.h"

namespace tw::sources {
namespace {

namespace dom = simdjson::dom;

// At most this many keys are named in an "unknown shape" message.
constexpr size_t kKeysNamed = 8;

std::string KeysOf(dom::object object) {
  std::string out;
  size_t n = 0;
  for (auto field : object) {
    if (n == kKeysNamed) {
      out += ", ...";
      break;
    }
    if (n++ > 0) out += ", ";
    // Keys are attacker-controlled text: keep them short and printable.
    std::string_view key = field.key;
    for (char c : key.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return "{" + out + "}";
}

std::string_view StringAt(dom::object object, std::string_view key) {
  std::string_view s;
  if (object.at_key(key).get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// What an S3 notification, an SNS message or an SQS body holds (aws/notification.h: S3
// notifications, SNS envelopes of them, EventBridge events, s3:TestEvent), added to `item`.
Result<void> AddNotification(std::string_view text, InvocationItem& item) {
  auto parsed = aws::ParseNotification(text);
  if (!parsed) return tl::unexpected(parsed.error());
  switch (parsed->kind) {
    case aws::Notification::Kind::kS3Objects:
      for (aws::S3ObjectRef& ref : parsed->objects) item.objects.push_back(std::move(ref));
      break;
    case aws::Notification::Kind::kCloudTrailEvent:
      item.documents.push_back(std::move(parsed->event_json));
      break;
    case aws::Notification::Kind::kTestEvent:
      item.skipped = "s3:TestEvent";
      break;
  }
  return Ok();
}

void MarkEmpty(InvocationItem& item) {
  if (item.objects.empty() && item.documents.empty() && item.skipped.empty()) {
    item.skipped = "no ObjectCreated records";
  }
}

InvocationItem WholeEvent(std::string_view body) {
  InvocationItem item;
  item.documents.emplace_back(body);
  return item;
}

}  // namespace

const char* EventShapeName(EventShape shape) {
  switch (shape) {
    case EventShape::kCloudWatchLogs:
      return "cloudwatch-logs";
    case EventShape::kEventBridge:
      return "eventbridge";
    case EventShape::kS3:
      return "s3";
    case EventShape::kSns:
      return "sns";
    case EventShape::kSqs:
      return "sqs";
  }
  return "unknown";
}

Result<InvocationEvent> ParseInvocationEvent(std::string_view body) {
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root); error) {
    return Fail(ErrorCode::kParse,
                fmt::format("event is not JSON: {}", simdjson::error_message(error)));
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument, "unknown event shape: not a JSON object");
  }
  InvocationEvent event;
  if (object.at_key("awslogs").error() == simdjson::SUCCESS) {
    event.shape = EventShape::kCloudWatchLogs;
    event.items.push_back(WholeEvent(body));
    return event;
  }
  if (object.at_key("detail-type").error() == simdjson::SUCCESS &&
      object.at_key("detail").error() == simdjson::SUCCESS) {
    event.shape = EventShape::kEventBridge;
    // S3 "Object Created" events name objects to fetch; any other event is read as it is.
    InvocationItem item;
    auto parsed = aws::ParseNotification(body);
    if (parsed && parsed->kind == aws::Notification::Kind::kS3Objects) {
      item.objects = std::move(parsed->objects);
      MarkEmpty(item);
    } else {
      item.documents.emplace_back(body);
    }
    event.items.push_back(std::move(item));
    return event;
  }
  if (StringAt(object, "Event") == "s3:TestEvent") {
    event.shape = EventShape::kS3;
    InvocationItem item;
    item.skipped = "s3:TestEvent";
    event.items.push_back(std::move(item));
    return event;
  }
  dom::array records;
  if (object.at_key("Records").get_array().get(records) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument, "unknown event shape: keys " + KeysOf(object));
  }
  if (records.size() > kMaxInvocationRecords) {
    return Fail(ErrorCode::kResourceExhausted, fmt::format("{} records in one event (limit {})",
                                                           records.size(), kMaxInvocationRecords));
  }
  dom::object first;
  if (records.size() == 0 || records.at(0).get_object().get(first) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument,
                "unknown event shape: a Records array without an object in it");
  }
  // SNS spells it EventSource, S3 and SQS eventSource (AWS Lambda Developer Guide, per service).
  std::string_view source = StringAt(first, "eventSource");
  if (source.empty()) source = StringAt(first, "EventSource");
  if (source == "aws:s3") {
    event.shape = EventShape::kS3;
    InvocationItem item;
    if (auto r = AddNotification(body, item); !r) return tl::unexpected(r.error());
    MarkEmpty(item);
    event.items.push_back(std::move(item));
    return event;
  }
  if (source == "aws:sns") {
    event.shape = EventShape::kSns;
    InvocationItem item;
    size_t i = 0;
    for (dom::element element : records) {
      std::string_view message;
      if (element["Sns"]["Message"].get_string().get(message) != simdjson::SUCCESS) {
        return Fail(ErrorCode::kParse, fmt::format("Records[{}]: missing Sns.Message", i));
      }
      if (auto r = AddNotification(message, item); !r) {
        return Fail(r.error().code,
                    fmt::format("Records[{}].Sns.Message: {}", i, r.error().message));
      }
      ++i;
    }
    MarkEmpty(item);
    event.items.push_back(std::move(item));
    return event;
  }
  if (source == "aws:sqs") {
    event.shape = EventShape::kSqs;
    size_t i = 0;
    for (dom::element element : records) {
      InvocationItem item;
      dom::object record;
      std::string_view id, text;
      if (element.get_object().get(record) != simdjson::SUCCESS ||
          record.at_key("messageId").get_string().get(id) != simdjson::SUCCESS || id.empty()) {
        // Without a messageId the failure cannot be reported per item: fail the batch.
        return Fail(ErrorCode::kParse, fmt::format("Records[{}]: missing messageId", i));
      }
      item.id = std::string(id);
      if (record.at_key("body").get_string().get(text) != simdjson::SUCCESS) {
        item.error = Error{ErrorCode::kParse, "missing body"};
      } else if (auto r = AddNotification(text, item); !r) {
        item.error = r.error();
      } else {
        MarkEmpty(item);
      }
      event.items.push_back(std::move(item));
      ++i;
    }
    return event;
  }
  std::string seen(source.substr(0, 40));
  for (char& c : seen) {
    if (c < 0x20 || c >= 0x7f) c = '?';
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown event shape: Records whose first eventSource is \"{}\"", seen));
}

}  // namespace tw::sources

#include "sources/lambda/invocation_event.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "aws/url.h"

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

// Form-decodes an S3 notification key: '+' is a space, then percent-decoding.
std::string DecodeS3Key(std::string_view key) {
  std::string plus(key);
  for (char& c : plus) {
    if (c == '+') c = ' ';
  }
  return aws::PercentDecode(plus);
}

// Appends the objects of S3 notification records. Records that are not ObjectCreated events
// (ObjectRemoved, replication ...) carry nothing to scan and are passed over.
Result<void> AppendS3Records(dom::array records, std::vector<S3Object>& out) {
  size_t i = 0;
  for (dom::element element : records) {
    dom::object record;
    if (element.get_object().get(record) != simdjson::SUCCESS) {
      return Fail(ErrorCode::kParse, fmt::format("Records[{}]: expected an object", i));
    }
    if (StringAt(record, "eventSource") != "aws:s3") {
      return Fail(ErrorCode::kParse, fmt::format("Records[{}]: eventSource is not aws:s3", i));
    }
    // "ObjectCreated:Put", without the "s3:" prefix of the configuration's event types.
    if (!StringAt(record, "eventName").starts_with("ObjectCreated:")) {
      ++i;
      continue;
    }
    std::string_view bucket, key;
    if (record["s3"]["bucket"]["name"].get_string().get(bucket) != simdjson::SUCCESS ||
        record["s3"]["object"]["key"].get_string().get(key) != simdjson::SUCCESS ||
        bucket.empty() || key.empty()) {
      return Fail(ErrorCode::kParse,
                  fmt::format("Records[{}]: missing s3.bucket.name or s3.object.key", i));
    }
    out.push_back(S3Object{std::string(bucket), DecodeS3Key(key)});
    ++i;
  }
  return Ok();
}

// What an SQS body or an SNS message holds: an S3 notification, an SNS envelope of one,
// s3:TestEvent or an EventBridge event. `depth` bounds SNS-in-SNS.
Result<void> ParseBody(std::string_view text, InvocationItem& item, int depth) {
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root); error) {
    return Fail(ErrorCode::kParse,
                fmt::format("body is not JSON: {}", simdjson::error_message(error)));
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "body is not a JSON object");
  }
  dom::array records;
  if (object.at_key("Records").get_array().get(records) == simdjson::SUCCESS) {
    return AppendS3Records(records, item.objects);
  }
  if (StringAt(object, "Event") == "s3:TestEvent") {
    item.skipped = "s3:TestEvent";
    return Ok();
  }
  const std::string_view message = StringAt(object, "Message");
  if (StringAt(object, "Type") == "Notification" && !message.empty()) {
    if (depth > 0) return Fail(ErrorCode::kParse, "an SNS envelope inside an SNS envelope");
    return ParseBody(message, item, depth + 1);
  }
  if (object.at_key("detail-type").error() == simdjson::SUCCESS &&
      object.at_key("detail").error() == simdjson::SUCCESS) {
    item.documents.emplace_back(text);
    return Ok();
  }
  return Fail(ErrorCode::kInvalidArgument,
              "body is not an S3 notification, an SNS envelope or an EventBridge event: keys " +
                  KeysOf(object));
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
    event.items.push_back(WholeEvent(body));
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
    return Fail(ErrorCode::kResourceExhausted,
                fmt::format("{} records in one event (limit {})", records.size(),
                            kMaxInvocationRecords));
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
    if (auto r = AppendS3Records(records, item.objects); !r) return tl::unexpected(r.error());
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
      if (auto r = ParseBody(message, item, 1); !r) {
        return Fail(r.error().code, fmt::format("Records[{}].Sns.Message: {}", i,
                                                r.error().message));
      }
      ++i;
    }
    if (item.objects.empty() && item.documents.empty() && item.skipped.empty()) {
      item.skipped = "no ObjectCreated records";
    }
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
      } else if (auto r = ParseBody(text, item, 0); !r) {
        item.error = r.error();
      } else if (item.objects.empty() && item.documents.empty() && item.skipped.empty()) {
        item.skipped = "no ObjectCreated records";
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

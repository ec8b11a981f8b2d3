#include "aws/notification.h"

#include <simdjson.h>

#include <utility>

#include "common/strings.h"

namespace tw::aws {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t kMaxExcerpt = 80;
constexpr size_t kMaxKeysNamed = 8;

// A bounded, terminal-safe excerpt of untrusted text for an error message.
std::string Excerpt(std::string_view s) {
  bool cut = s.size() > kMaxExcerpt;
  std::string out = EscapeForTerminal(s.substr(0, kMaxExcerpt));
  if (cut) out += "...";
  return out;
}

// "{a, b, c}" from an object's keys (at most kMaxKeysNamed, escaped).
std::string KeysOf(object obj) {
  std::string out = "{";
  size_t n = 0;
  for (auto field : obj) {
    if (n == kMaxKeysNamed) {
      out += ", ...";
      break;
    }
    if (n++ > 0) out += ", ";
    out += Excerpt(field.key);
  }
  return out + "}";
}

bool GetString(element e, std::string_view key, std::string_view& out) {
  return e[key].get_string().get(out) == simdjson::SUCCESS;
}

bool GetPointer(element e, std::string_view pointer, std::string_view& out) {
  return e.at_pointer(pointer).get_string().get(out) == simdjson::SUCCESS;
}

std::uint64_t GetSize(element e) {
  std::uint64_t u = 0;
  if (e["size"].get_uint64().get(u) == simdjson::SUCCESS) return u;
  double d = 0;
  if (e["size"].get_double().get(d) == simdjson::SUCCESS && d > 0) {
    return static_cast<std::uint64_t>(d);
  }
  return 0;
}

bool IsObjectCreated(std::string_view event_name) {
  if (StartsWith(event_name, "s3:")) event_name.remove_prefix(3);  // MinIO and others
  return StartsWith(event_name, "ObjectCreated:");
}

// {"Records":[...]} of S3 event notifications.
Result<Notification> ParseS3Records(array records) {
  Notification out;
  out.kind = Notification::Kind::kS3Objects;
  size_t index = 0;
  for (element record : records) {
    std::string where = "S3 notification Records[" + std::to_string(index++) + "]";
    if (!record.is_object()) return Fail(ErrorCode::kParse, where + " is not an object");
    element s3;
    if (record["s3"].get(s3) != simdjson::SUCCESS || !s3.is_object()) {
      return Fail(ErrorCode::kParse, where + " has no `s3` object (keys " +
                                         KeysOf(record.get_object().value()) +
                                         "; a CloudTrail log file is not a notification)");
    }
    std::string_view event_name;
    if (GetString(record, "eventName", event_name) && !IsObjectCreated(event_name)) {
      ++out.skipped;
      continue;
    }
    std::string_view bucket, key;
    if (!GetPointer(s3, "/bucket/name", bucket) || bucket.empty()) {
      return Fail(ErrorCode::kParse, where + " has no s3.bucket.name");
    }
    element object_element;
    if (s3["object"].get(object_element) != simdjson::SUCCESS ||
        !GetString(object_element, "key", key) || key.empty()) {
      return Fail(ErrorCode::kParse, where + " has no s3.object.key");
    }
    out.objects.push_back(
        S3ObjectRef{std::string(bucket), DecodeS3EventKey(key), GetSize(object_element)});
  }
  return out;
}

// An EventBridge event: S3 "Object Created" or a CloudTrail event.
Result<Notification> ParseEventBridge(element doc, std::string_view detail_type,
                                      std::string_view json) {
  std::string_view source;
  GetString(doc, "source", source);
  element detail;
  bool has_detail = doc["detail"].get(detail) == simdjson::SUCCESS && detail.is_object();
  if (EndsWith(detail_type, " via CloudTrail")) {
    if (!has_detail) {
      return Fail(ErrorCode::kParse,
                  "EventBridge event `" + Excerpt(detail_type) + "` has no `detail` object");
    }
    Notification out;
    out.kind = Notification::Kind::kCloudTrailEvent;
    out.event_json = std::string(json);
    return out;
  }
  if (source == "aws.s3") {
    Notification out;
    out.kind = Notification::Kind::kS3Objects;
    if (detail_type != "Object Created") {
      out.skipped = 1;
      return out;
    }
    std::string_view bucket, key;
    element object_element;
    if (!has_detail || !GetPointer(detail, "/bucket/name", bucket) || bucket.empty()) {
      return Fail(ErrorCode::kParse,
                  "EventBridge S3 `Object Created` event has no "
                  "detail.bucket.name");
    }
    if (detail["object"].get(object_element) != simdjson::SUCCESS ||
        !GetString(object_element, "key", key) || key.empty()) {
      return Fail(ErrorCode::kParse,
                  "EventBridge S3 `Object Created` event has no detail.object.key");
    }
    out.objects.push_back(
        S3ObjectRef{std::string(bucket), std::string(key), GetSize(object_element)});
    return out;
  }
  return Fail(ErrorCode::kParse, "EventBridge event of detail-type `" + Excerpt(detail_type) +
                                     "` from source `" + Excerpt(source) +
                                     "` is neither an S3 `Object Created` event nor a "
                                     "CloudTrail event");
}

Result<Notification> Parse(std::string_view body, bool allow_sns) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, std::string("message is not JSON (") +
                                       simdjson::error_message(err) + "): " + Excerpt(body));
  }
  object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "message is not a JSON object: " + Excerpt(body));
  }
  std::string_view s;
  if (GetString(doc, "Event", s) && s == "s3:TestEvent") {
    Notification out;
    out.kind = Notification::Kind::kTestEvent;
    return out;
  }
  if (GetString(doc, "Type", s)) {
    std::string_view message;
    if (s == "Notification" && GetString(doc, "Message", message)) {
      if (!allow_sns) return Fail(ErrorCode::kParse, "SNS notification nested in another one");
      auto inner = Parse(message, /*allow_sns=*/false);
      if (!inner) {
        return Fail(inner.error().code, "SNS notification Message: " + inner.error().message);
      }
      inner->via_sns = true;
      return inner;
    }
    if (doc["TopicArn"].error() == simdjson::SUCCESS) {
      return Fail(ErrorCode::kParse,
                  "SNS message of Type `" + Excerpt(s) + "` carries no notification");
    }
  }
  array records;
  if (doc["Records"].get_array().get(records) == simdjson::SUCCESS) {
    return ParseS3Records(records);
  }
  if (GetString(doc, "detail-type", s)) return ParseEventBridge(doc, s, body);
  std::string_view bucket;
  array keys;
  if (GetString(doc, "s3Bucket", bucket) &&
      doc["s3ObjectKey"].get_array().get(keys) == simdjson::SUCCESS) {
    Notification out;
    out.kind = Notification::Kind::kS3Objects;
    for (element k : keys) {
      std::string_view key;
      if (k.get_string().get(key) != simdjson::SUCCESS || key.empty()) {
        return Fail(ErrorCode::kParse, "CloudTrail notification s3ObjectKey holds a non-string");
      }
      out.objects.push_back(S3ObjectRef{std::string(bucket), std::string(key), 0});
    }
    return out;
  }
  return Fail(ErrorCode::kParse, "unrecognised message with keys " + KeysOf(obj) +
                                     ": not an S3, SNS, EventBridge or CloudTrail notification");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string DecodeS3EventKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < key.size() && HexValue(key[i + 1]) >= 0 &&
               HexValue(key[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(key[i + 1]) * 16 + HexValue(key[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<Notification> ParseNotification(std::string_view body) {
  return Parse(body, /*allow_sns=*/true);
}

}  // namespace tw::aws

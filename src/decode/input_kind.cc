#include "decode/input_kind.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace tw::decode {
namespace {

// Keys after which a document cannot be anything but a CloudTrail record (CloudTrail User Guide,
// "CloudTrail record contents"). Keys shared with EventBridge envelopes ("resources") or common
// elsewhere are left out so they cannot decide.
constexpr std::array<std::string_view, 22> kRecordKeys = {
    "eventVersion",       "eventTime",           "eventSource",
    "eventName",          "userIdentity",        "awsRegion",
    "sourceIPAddress",    "userAgent",           "eventID",
    "eventType",          "requestParameters",   "responseElements",
    "recipientAccountId", "requestID",           "readOnly",
    "eventCategory",      "errorCode",           "errorMessage",
    "managementEvent",    "additionalEventData", "sharedEventID",
    "insightDetails",
};

// Keys of the decoded CloudWatch Logs subscription payload (CloudWatch Logs User Guide,
// "Subscription filters": messageType, owner, logGroup, logStream, subscriptionFilters,
// logEvents). "owner" alone is too generic to decide.
constexpr std::array<std::string_view, 5> kCwlKeys = {"messageType", "logGroup", "logStream",
                                                      "subscriptionFilters", "logEvents"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

template <std::size_t N>
bool OneOf(std::string_view key, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), key) != set.end();
}

// A forgiving JSON tokenizer over a window: it only needs to find keys and skip values, and
// reports false when the window ends first. It does not validate.
class Scanner {
 public:
  Scanner(std::string_view window, std::size_t pos) : s_(window), pos_(pos) {}

  std::size_t pos() const { return pos_; }

  void SkipWs() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // Reads a string token; `raw` is its content with escapes left as written.
  bool ReadString(std::string_view& raw) {
    if (!Consume('"')) return false;
    const std::size_t start = pos_;
    // memchr to each quote (a Lambda event's awslogs.data is one string of up to ~1.3 MB, read
    // here at every invocation); a quote preceded by an odd run of backslashes is escaped.
    while (pos_ < s_.size()) {
      const void* hit = std::memchr(s_.data() + pos_, '"', s_.size() - pos_);
      if (hit == nullptr) break;
      const std::size_t quote = static_cast<std::size_t>(static_cast<const char*>(hit) - s_.data());
      std::size_t backslashes = 0;
      while (quote - backslashes > start && s_[quote - backslashes - 1] == '\\') ++backslashes;
      pos_ = quote + 1;
      if (backslashes % 2 == 0) {
        raw = s_.substr(start, quote - start);
        return true;
      }
    }
    pos_ = s_.size();
    return false;
  }

  // Skips one value: a string, an object or array (nested), or a scalar literal.
  bool SkipValue() {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') {
      std::string_view ignored;
      return ReadString(ignored);
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (pos_ < s_.size()) {
        const char d = s_[pos_];
        if (d == '"') {
          std::string_view ignored;
          if (!ReadString(ignored)) return false;
          continue;
        }
        ++pos_;
        if (d == '{' || d == '[') {
          ++depth;
        } else if (d == '}' || d == ']') {
          if (--depth == 0) return true;
        }
      }
      return false;
    }
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']' &&
           !IsSpace(s_[pos_])) {
      ++pos_;
    }
    return pos_ < s_.size();
  }

  // Moves to the next key of the object being scanned and reads it, leaving the scanner at the
  // start of the key's value. `first` is true for the first key after '{'.
  bool NextKey(bool first, std::string_view& key) {
    SkipWs();
    if (!first && !Consume(',')) return false;
    SkipWs();
    if (!ReadString(key)) return false;
    SkipWs();
    if (!Consume(':')) return false;
    SkipWs();
    return true;
  }

 private:
  std::string_view s_;
  std::size_t pos_;
};

enum class Shape {
  kUnknown,
  kCloudTrailFile,
  kInsightFile,
  kCwlLambda,
  kCwl,
  kDigest,
  kLookupEvents,
  kEventBridge,
  kRecord
};

// The fields every digest file has (CloudTrail User Guide, "CloudTrail digest file structure").
// A document is a digest only when it has all three (and no Records).
constexpr std::array<std::string_view, 3> kDigestKeys = {"digestStartTime", "digestEndTime",
                                                         "logFiles"};

// With `s` at the value of "Records": true when the first record is an Insights event: its
// eventType is "AwsCloudTrailInsight" and it has insightDetails (CloudTrail User Guide,
// "CloudTrail Insights events"). All of the record's keys are looked at.
bool FirstRecordIsInsight(Scanner& s) {
  s.SkipWs();
  if (!s.Consume('[')) return false;
  s.SkipWs();
  if (!s.Consume('{')) return false;
  std::string_view key;
  bool insight_type = false;
  bool details = false;
  for (bool first = true; s.NextKey(first, key); first = false) {
    if (key == "eventType") {
      std::string_view value;
      if (!s.ReadString(value)) return false;
      insight_type = value == "AwsCloudTrailInsight";
      continue;
    }
    if (key == "insightDetails") details = true;
    if (!s.SkipValue()) return false;
  }
  return insight_type && details;
}

// Looks at every top-level key of the object at `object_start` (to its end, or to the end of
// the window for an object that is cut short) and decides by what they are together.
Shape ShapeFromKeys(std::string_view window, std::size_t object_start) {
  Scanner s(window, object_start + 1);
  std::string_view key;
  bool awslogs = false, cwl = false, events = false, eventbridge = false, record = false;
  std::size_t digest_keys = 0;
  for (bool first = true; s.NextKey(first, key); first = false) {
    if (key == "Records") {
      // Records win over any other key: a document that holds records is read for them.
      Scanner peek = s;
      peek.SkipWs();
      if (peek.Consume('[')) {
        return FirstRecordIsInsight(s) ? Shape::kInsightFile : Shape::kCloudTrailFile;
      }
    } else if (key == "awslogs") {
      awslogs = true;
    } else if (OneOf(key, kCwlKeys)) {
      cwl = true;
    } else if (OneOf(key, kDigestKeys)) {
      ++digest_keys;
    } else if (key == "Events") {
      Scanner peek = s;
      peek.SkipWs();
      events = peek.Consume('[');
    } else if (key == "detail-type" || key == "detail") {
      eventbridge = true;
    } else if (OneOf(key, kRecordKeys)) {
      record = true;
    }
    if (!s.SkipValue()) break;
  }
  if (awslogs) return Shape::kCwlLambda;
  if (cwl) return Shape::kCwl;
  if (digest_keys == kDigestKeys.size()) return Shape::kDigest;
  if (eventbridge) return Shape::kEventBridge;
  if (record) return Shape::kRecord;
  if (events) return Shape::kLookupEvents;
  return Shape::kUnknown;
}

// True when the object at `object_start` ends before the first line break and another object
// follows it.
bool IsNdjson(std::string_view doc, std::size_t object_start) {
  const std::string_view window =
      doc.substr(0, std::min(doc.size(), object_start + kClassifyLineBytes));
  const std::size_t newline = window.find('\n', object_start);
  if (newline == std::string_view::npos) return false;  // one line, or a line beyond our reach
  Scanner line(window.substr(0, newline), object_start);
  if (!line.SkipValue()) return false;  // the object spans lines: pretty-printed
  Scanner rest(window, line.pos());
  rest.SkipWs();
  return rest.Consume('{');
}

}  // namespace

const char* InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kCloudTrailFile:
      return "cloudtrail-file";
    case InputKind::kNdjson:
      return "ndjson";
    case InputKind::kCwlSubscriptionLambda:
      return "cwl-subscription-lambda";
    case InputKind::kCwlSubscription:
      return "cwl-subscription";
    case InputKind::kEventBridge:
      return "eventbridge";
    case InputKind::kDigest:
      return "digest";
    case InputKind::kInsight:
      return "insight";
    case InputKind::kSingleEvent:
      return "single-event";
    case InputKind::kRecordArray:
      return "record-array";
    case InputKind::kLookupEvents:
      return "lookup-events";
    case InputKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

InputKind ClassifyInput(std::string_view doc) {
  std::size_t start = 0;
  if (doc.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
  while (start < doc.size() && IsSpace(doc[start])) ++start;
  if (start < doc.size() && doc[start] == '[') {
    Scanner s(doc, start + 1);
    s.SkipWs();
    return s.Consume('{') || s.Consume(']') ? InputKind::kRecordArray : InputKind::kUnknown;
  }
  if (start >= doc.size() || doc[start] != '{') return InputKind::kUnknown;

  switch (ShapeFromKeys(doc, start)) {
    case Shape::kCloudTrailFile:
      return InputKind::kCloudTrailFile;
    case Shape::kInsightFile:
      return InputKind::kInsight;
    case Shape::kCwlLambda:
      return InputKind::kCwlSubscriptionLambda;
    case Shape::kCwl:
      return InputKind::kCwlSubscription;
    case Shape::kDigest:
      return InputKind::kDigest;
    case Shape::kLookupEvents:
      return InputKind::kLookupEvents;
    case Shape::kEventBridge:
      return IsNdjson(doc, start) ? InputKind::kNdjson : InputKind::kEventBridge;
    case Shape::kRecord:
      return IsNdjson(doc, start) ? InputKind::kNdjson : InputKind::kSingleEvent;
    case Shape::kUnknown:
      break;
  }
  return InputKind::kUnknown;
}

}  // namespace tw::decode

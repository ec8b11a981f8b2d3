#include "engine/event_fields.h"

#include "match/json_escapes.h"
#include "match/json_walk.h"

namespace tw::engine {
namespace {

using F = EventFields::Field;

// The objects the readers follow, and the members each holds that matter: kFollow for the one
// object member followed below it.
enum class Level : uint8_t { kRecord, kIdentity, kSessionContext, kSessionIssuer };
constexpr int kFollow = -2;
constexpr int kNoField = -1;

// The field (or kFollow, kNoField) `key` names at `level`.
int FieldOf(Level level, std::string_view key) {
  switch (level) {
    case Level::kRecord:
      switch (key.size()) {
        case 7:
          if (key == "eventID") return F::kEventId;
          break;
        case 9:
          if (key == "eventName") return F::kEventName;
          if (key == "eventTime") return F::kEventTime;
          if (key == "awsRegion") return F::kAwsRegion;
          if (key == "userAgent") return F::kUserAgent;
          if (key == "errorCode") return F::kErrorCode;
          break;
        case 11:
          if (key == "eventSource") return F::kEventSource;
          break;
        case 12:
          if (key == "userIdentity") return kFollow;
          if (key == "errorMessage") return F::kErrorMessage;
          break;
        case 15:
          if (key == "sourceIPAddress") return F::kSourceIp;
          break;
        case 18:
          if (key == "recipientAccountId") return F::kRecipientAccountId;
          break;
        default:
          break;
      }
      return kNoField;
    case Level::kIdentity:
      if (key == "type") return F::kIdentityType;
      if (key == "arn") return F::kIdentityArn;
      if (key == "userName") return F::kIdentityUserName;
      if (key == "principalId") return F::kIdentityPrincipalId;
      if (key == "accountId") return F::kIdentityAccountId;
      if (key == "invokedBy") return F::kIdentityInvokedBy;
      if (key == "sessionContext") return kFollow;
      return kNoField;
    case Level::kSessionContext:
      return key == "sessionIssuer" ? kFollow : kNoField;
    case Level::kSessionIssuer:
      return key == "userName" ? F::kIssuerUserName : kNoField;
  }
  return kNoField;
}

// A bit per field, and one past them for the followed member of each level.
constexpr uint32_t kFollowBit = uint32_t{1} << F::kCount;
uint32_t BitOf(int field) { return field == kFollow ? kFollowBit : uint32_t{1} << field; }

// DOM: the members of `object` at `level` (first occurrences), and below the followed one.
void ReadObject(simdjson::dom::element e, Level level, EventFields& out) {
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return;
  uint32_t seen = 0;  // this object's members met (the bits of separate objects never mix)
  for (auto member : object) {
    const int field = FieldOf(level, member.key);
    if (field == kNoField || (seen & BitOf(field)) != 0) continue;
    seen |= BitOf(field);
    if (field == kFollow) {
      ReadObject(member.value, static_cast<Level>(static_cast<int>(level) + 1), out);
      continue;
    }
    std::string_view v;
    if (member.value.get_string().get(v) != simdjson::SUCCESS) continue;
    out.value[field] = v;
    out.present |= uint32_t{1} << field;
  }
}

// Text: the same, as match::WalkJson's listener (json_walk.h).
class Listener {
 public:
  static constexpr bool kTracks = true;

  explicit Listener(EventFields& out) : out_(out) {}

  bool Name(const char* begin, const char* end, bool escaped) {
    std::string_view key(begin, static_cast<size_t>(end - begin));
    if (escaped) {
      key_scratch_.clear();
      match::AppendUnescaped(key, key_scratch_);
      key = key_scratch_;
    }
    const int field = FieldOf(level_, key);
    uint32_t& seen = seen_[static_cast<size_t>(level_)];
    if (field == kNoField || (seen & BitOf(field)) != 0) return false;
    seen |= BitOf(field);
    field_ = field;
    return true;
  }

  void String(const char* begin, const char* end, bool escaped) {
    if (!inside_ || field_ < 0) return;  // the record itself, or the followed member
    out_.value[field_] = std::string_view(begin, static_cast<size_t>(end - begin));
    out_.present |= uint32_t{1} << field_;
    if (escaped) out_.escaped |= uint32_t{1} << field_;
  }

  void Scalar(const char*, const char*) {}
  void Array() {}

  bool Object() {
    if (!inside_) {  // the record
      inside_ = true;
      return true;
    }
    if (field_ != kFollow) return false;
    level_ = static_cast<Level>(static_cast<int>(level_) + 1);
    return true;
  }

  void Close() {
    if (level_ != Level::kRecord) level_ = static_cast<Level>(static_cast<int>(level_) - 1);
  }

 private:
  EventFields& out_;
  Level level_ = Level::kRecord;
  bool inside_ = false;
  int field_ = kNoField;  // of the member just named
  uint32_t seen_[4] = {};
  std::string key_scratch_;
};

// The field's characters ("" when absent).
std::string Get(const EventFields& fields, F f) {
  if (!fields.Has(f)) return {};
  if ((fields.escaped >> f & 1u) == 0) return std::string(fields.value[f]);
  std::string out;
  match::AppendUnescaped(fields.value[f], out);
  return out;
}

// A readable principal: "root", the IAM user name, "Role/session" for an assumed role (else
// its session issuer), the AWS service for service events, else the ARN, user name or
// principalId.
std::string Actor(const EventFields& fields) {
  const std::string type = Get(fields, F::kIdentityType);
  const std::string arn = Get(fields, F::kIdentityArn);
  if (type == "Root") return "root";
  if (type == "IAMUser") {
    std::string user = Get(fields, F::kIdentityUserName);
    return user.empty() ? arn : user;
  }
  if (type == "AssumedRole") {
    // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName
    const size_t p = arn.find(":assumed-role/");
    if (p != std::string::npos) return arn.substr(p + 14);
    std::string issuer = Get(fields, F::kIssuerUserName);
    if (!issuer.empty()) return issuer;
  }
  if (type == "AWSService") {
    std::string by = Get(fields, F::kIdentityInvokedBy);
    if (!by.empty()) return by;
  }
  if (!arn.empty()) return arn;
  std::string user = Get(fields, F::kIdentityUserName);
  if (!user.empty()) return user;
  return Get(fields, F::kIdentityPrincipalId);
}

}  // namespace

EventFields ReadEventFields(simdjson::dom::element record) {
  EventFields out;
  ReadObject(record, Level::kRecord, out);
  return out;
}

EventFields ReadEventFields(std::string_view record_text) {
  EventFields out;
  Listener listener(out);
  match::WalkJson(record_text, /*prefix=*/false, match::kJsonCheckDepth, listener);
  return out;
}

void ApplyEventFields(const EventFields& fields, alert::Alert& alert) {
  uint32_t& present = alert.present_fields;
  const auto set = [&](std::string& to, F f, uint32_t bit) {
    to = Get(fields, f);
    if (fields.Has(f)) present |= bit;
  };
  set(alert.event_id, F::kEventId, alert::kFieldEventId);
  set(alert.event_name, F::kEventName, alert::kFieldEventName);
  set(alert.event_source, F::kEventSource, alert::kFieldEventSource);
  set(alert.event_time, F::kEventTime, alert::kFieldEventTime);
  set(alert.aws_region, F::kAwsRegion, alert::kFieldAwsRegion);
  alert.account_id = Get(fields, F::kRecipientAccountId);
  if (alert.account_id.empty()) alert.account_id = Get(fields, F::kIdentityAccountId);
  if (!alert.account_id.empty()) present |= alert::kFieldAccountId;
  alert.actor = Actor(fields);
  if (!alert.actor.empty()) present |= alert::kFieldActor;
  set(alert.source_ip, F::kSourceIp, alert::kFieldSourceIp);
  set(alert.user_agent, F::kUserAgent, alert::kFieldUserAgent);
  set(alert.error_code, F::kErrorCode, alert::kFieldErrorCode);
  set(alert.error_message, F::kErrorMessage, alert::kFieldErrorMessage);
}

}  // namespace tw::engine

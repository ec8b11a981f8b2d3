#include "engine/engine.h"

#include <fmt/format.h>

#include <cstring>

#include "match/evaluator.h"
#include "match/json_check.h"
#include "match/json_escapes.h"

namespace tw::engine {
namespace {

// The error of a record whose text fails match::CheckJson.
Error JsonCheckError(std::string_view text, const match::JsonCheck& check) {
  if (check.kind == match::JsonCheck::Kind::kTooDeep) {
    return Error{ErrorCode::kParse, fmt::format("the record cannot be evaluated: {}",
                                                match::DescribeJsonCheck(text, check))};
  }
  return Error{ErrorCode::kParse, fmt::format("damaged JSON: {} of the record",
                                              match::DescribeJsonCheck(text, check))};
}

// The string member `key` of `e`, or "" when absent or not a string. With `present`, sets
// `bit` in it when the member is a string (even an empty one).
std::string Str(simdjson::dom::element e, std::string_view key, uint32_t* present = nullptr,
                uint32_t bit = 0) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) return {};
  if (present != nullptr) *present |= bit;
  return std::string(v);
}

std::string StrAt(simdjson::dom::element e, std::initializer_list<std::string_view> keys) {
  simdjson::dom::element cur = e;
  for (std::string_view k : keys) {
    if (cur[k].get(cur) != simdjson::SUCCESS) return {};
  }
  std::string_view v;
  if (cur.get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

}  // namespace

namespace {

// ActorOf, given the record's userIdentity member.
std::string ActorOfIdentity(simdjson::dom::element id) {
  const std::string type = Str(id, "type");
  const std::string arn = Str(id, "arn");
  if (type == "Root") return "root";
  if (type == "IAMUser") {
    const std::string user = Str(id, "userName");
    return user.empty() ? arn : user;
  }
  if (type == "AssumedRole") {
    // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName
    const size_t p = arn.find(":assumed-role/");
    if (p != std::string::npos) return arn.substr(p + 14);
    const std::string issuer = StrAt(id, {"sessionContext", "sessionIssuer", "userName"});
    if (!issuer.empty()) return issuer;
  }
  if (type == "AWSService") {
    const std::string by = Str(id, "invokedBy");
    if (!by.empty()) return by;
  }
  if (!arn.empty()) return arn;
  const std::string user = Str(id, "userName");
  if (!user.empty()) return user;
  return Str(id, "principalId");
}

// The top-level members FillAlertFromRecord reads.
enum class AlertMember : uint8_t {
  kEventId,
  kEventName,
  kEventSource,
  kEventTime,
  kAwsRegion,
  kRecipientAccountId,
  kUserIdentity,
  kSourceIp,
  kUserAgent,
  kErrorCode,
  kErrorMessage,
  kNone,  // not one of them; also how many there are
};

// Which AlertMember `key` names (kNone for none).
AlertMember AlertMemberOf(std::string_view key) {
  switch (key.size()) {
    case 7:
      if (key == "eventID") return AlertMember::kEventId;
      break;
    case 9:
      if (key == "eventName") return AlertMember::kEventName;
      if (key == "eventTime") return AlertMember::kEventTime;
      if (key == "awsRegion") return AlertMember::kAwsRegion;
      if (key == "userAgent") return AlertMember::kUserAgent;
      if (key == "errorCode") return AlertMember::kErrorCode;
      break;
    case 11:
      if (key == "eventSource") return AlertMember::kEventSource;
      break;
    case 12:
      if (key == "userIdentity") return AlertMember::kUserIdentity;
      if (key == "errorMessage") return AlertMember::kErrorMessage;
      break;
    case 15:
      if (key == "sourceIPAddress") return AlertMember::kSourceIp;
      break;
    case 18:
      if (key == "recipientAccountId") return AlertMember::kRecipientAccountId;
      break;
    default:
      break;
  }
  return AlertMember::kNone;
}

}  // namespace

std::string ActorOf(simdjson::dom::element record) {
  simdjson::dom::element id;
  if (record["userIdentity"].get(id) != simdjson::SUCCESS) {
    return {};
  }
  return ActorOfIdentity(id);
}

void FillAlertFromRecord(simdjson::dom::element record, alert::Alert& alert) {
  // One pass over the members instead of a lookup (a scan of the members) per field. The first
  // occurrence of a key is the one taken, as with a lookup (duplicate keys: first wins).
  constexpr auto kCount = static_cast<size_t>(AlertMember::kNone);
  simdjson::dom::element members[kCount];
  uint32_t found = 0;
  const auto bit = [](AlertMember m) { return uint32_t{1} << static_cast<unsigned>(m); };
  simdjson::dom::object object;
  if (record.get_object().get(object) == simdjson::SUCCESS) {
    for (auto field : object) {
      const AlertMember m = AlertMemberOf(field.key);
      if (m == AlertMember::kNone || (found & bit(m)) != 0) continue;
      found |= bit(m);
      members[static_cast<size_t>(m)] = field.value;
    }
  }
  uint32_t* p = &alert.present_fields;
  // The member's string, "" when absent or not a string; sets `present` when it is a string.
  const auto str = [&](AlertMember m, uint32_t present) -> std::string {
    std::string_view v;
    if ((found & bit(m)) == 0 ||
        members[static_cast<size_t>(m)].get_string().get(v) != simdjson::SUCCESS) {
      return {};
    }
    *p |= present;
    return std::string(v);
  };
  using M = AlertMember;
  alert.event_id = str(M::kEventId, alert::kFieldEventId);
  alert.event_name = str(M::kEventName, alert::kFieldEventName);
  alert.event_source = str(M::kEventSource, alert::kFieldEventSource);
  alert.event_time = str(M::kEventTime, alert::kFieldEventTime);
  alert.aws_region = str(M::kAwsRegion, alert::kFieldAwsRegion);
  alert.account_id = str(M::kRecipientAccountId, 0);
  const bool has_identity = (found & bit(M::kUserIdentity)) != 0;
  const simdjson::dom::element identity = members[static_cast<size_t>(M::kUserIdentity)];
  if (alert.account_id.empty() && has_identity) alert.account_id = StrAt(identity, {"accountId"});
  if (!alert.account_id.empty()) *p |= alert::kFieldAccountId;
  alert.actor = has_identity ? ActorOfIdentity(identity) : std::string();
  if (!alert.actor.empty()) *p |= alert::kFieldActor;
  alert.source_ip = str(M::kSourceIp, alert::kFieldSourceIp);
  alert.user_agent = str(M::kUserAgent, alert::kFieldUserAgent);
  alert.error_code = str(M::kErrorCode, alert::kFieldErrorCode);
  alert.error_message = str(M::kErrorMessage, alert::kFieldErrorMessage);
}

Engine::Engine(std::shared_ptr<const rules::RuleSet> rules, EngineOptions options)
    : rules_(std::move(rules)),
      options_(options),
      extractor_(rules_->index().slots()),
      anchors_(rules_->index().slots().size()) {
  if (!options_.use_index) {
    for (uint32_t i = 0; i < rules_->size(); ++i) all_rules_.push_back(i);
  }
}

decode::RecordStatus Engine::Evaluate(const decode::RecordView& record, const Origin& origin,
                                      std::vector<alert::Alert>& out, Error& error) {
  // The record's text: delimited by the reader, or (a record of a Records array) from its start
  // to the end of the document, where the walk finds the record's end.
  const bool exact = !record.text.empty();
  std::string_view text =
      exact ? record.text
            : std::string_view(record.start, static_cast<size_t>(record.doc.data() +
                                                                 record.doc.size() - record.start));
  // One pass checks the whole text's grammar, every byte, whichever members the rules read, and
  // extracts the anchors (engine/extractor.h): the index and exhaustive evaluation count a
  // record alike (an event, or an error with its location).
  ExtractResult scanned;
  if (options_.use_index) {
    scanned = extractor_.Extract(text, !exact, anchors_.data(), source_scratch_);
  } else {
    scanned.check = exact ? match::CheckJson(text) : match::CheckJsonPrefix(text);
  }
  if (!scanned.check.ok()) {
    error = JsonCheckError(text, scanned.check);
    // A record the reader delimited is this record's error; else the reader, which knows where
    // it is, recovers and reports.
    return exact ? decode::RecordStatus::kRejected : decode::RecordStatus::kDamaged;
  }
  text = text.substr(0, scanned.check.offset);
  if (record.length != nullptr) *record.length = text.size();
  if (scanned.check.kind == match::JsonCheck::Kind::kLoneSurrogates) {
    // Unpaired surrogates read as U+FFFD (match/json_escapes.h): the DOM and the alert read
    // the rewritten copy, and so does the extractor, to see the record as they do.
    match::ReplaceLoneSurrogates(text, repaired_);
    const size_t size = repaired_.size();
    repaired_.append(simdjson::SIMDJSON_PADDING, '\0');  // readable, initialised padding
    repaired_.resize(size);
    text = repaired_;
    if (options_.use_index) {
      scanned = extractor_.Extract(text, /*prefix=*/false, anchors_.data(), source_scratch_);
    }
  }
  const std::vector<uint32_t>* candidates = &all_rules_;
  bool envelope = false;
  if (options_.use_index) {
    envelope = scanned.envelope;
    rules_->index().Candidates(anchors_.data(), candidates_, &shape_memo_);
    candidates = &candidates_;
  }
  ++events_;
  if (candidates->empty()) return decode::RecordStatus::kOk;
  decode::RecordStatus status = decode::RecordStatus::kOk;
  EvaluateCandidates(text, *candidates, envelope, origin, out, error, status);
  return status;
}

alert::Alert Engine::NewAlert(const rules::Rule& rule, const Origin& origin) const {
  alert::Alert alert;
  alert.rule_id = rule.id;
  alert.rule_title = rule.title;
  alert.severity = rule.severity;
  alert.input_file = origin.input;
  return alert;
}

void Engine::EvaluateCandidates(std::string_view text, const std::vector<uint32_t>& candidates,
                                bool envelope, const Origin& origin, std::vector<alert::Alert>& out,
                                Error& error, decode::RecordStatus& status) {
  simdjson::dom::element root;
  if (auto err = dom_.Parse(text, /*padded=*/true, root)) {
    // The text passed the grammar check, which accepts what the DOM parser accepts: not
    // expected. Not evaluated, so not an event but an error of this record (events + errors =
    // records).
    --events_;
    error = Error{ErrorCode::kParse,
                  fmt::format("the record cannot be evaluated: {}", simdjson::error_message(err))};
    status = decode::RecordStatus::kRejected;
    return;
  }
  if (!options_.use_index && root.type() == simdjson::dom::element_type::OBJECT) {
    envelope = match::IsCloudTrailEnvelope(root);
  }
  subject_.Reset(root, text, envelope, options_.envelope_as_given, dom_.wide_numbers());
  // One memo of the fields for all candidates of this event. The exhaustive mode (the match
  // command, and the reference the index is tested against) evaluates without it.
  match::FieldCache* fields = nullptr;
  if (options_.use_index) {
    fields_.NextEvent();
    fields = &fields_;
  }
  for (uint32_t id : candidates) {
    const rules::Rule& rule = *rules_->rules()[id];
    match::Subject subject = subject_.For(rule.matcher->language);
    subject.fields = fields;
    if (!match::Evaluate(*rule.matcher->root, subject)) continue;
    alert::Alert alert = NewAlert(rule, origin);
    FillAlertFromRecord(subject_.record(), alert);
    if (subject_.is_envelope()) {
      alert.record_json = subject_.RecordText();  // the detail, minified once per event
    } else if (text.find('\n') == std::string_view::npos) {
      // A record of a CloudTrail file or an NDJSON line, as written (an unpaired surrogate
      // escape rewritten as \ufffd, as it was read).
      alert.record_json = text;
    } else {
      alert.record_json = subject_.MinifiedRecord();  // a pretty-printed document
    }
    alert.input_record = origin.where.index();
    alert.input_is_line = origin.where.lines();
    if (options_.keep_raw) alert.raw_event = std::string(text);
    out.push_back(std::move(alert));
  }
}

void Engine::EvaluateText(std::string_view text, const Origin& origin,
                          std::vector<alert::Alert>& out) {
  ++events_;
  for (uint32_t id : all_rules_) {
    const rules::Rule& rule = *rules_->rules()[id];
    if (rule.matcher->language != match::Language::kFilterPattern) continue;
    match::Subject subject;
    subject.raw = text;
    if (!match::Evaluate(*rule.matcher->root, subject)) continue;
    alert::Alert alert = NewAlert(rule, origin);
    alert.input_record = origin.where.index();
    if (options_.keep_raw) alert.raw_event = std::string(text);
    out.push_back(std::move(alert));
  }
}

}  // namespace tw::engine

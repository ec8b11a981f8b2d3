// The index differential check (issue 8): for any record, `scan`'s path (anchor extraction,
// rule index, field cache) must raise exactly the alerts of evaluating every rule on it
// (Engine with use_index = false). Shared by the fuzz target index_differential_fuzzer.cc
// (driven by libFuzzer's bytes) and the gtest index_differential_test.cc (10,000 records from a
// seeded generator, in `make test`).
//
// HostileRecord builds a record from a stream of choices: CloudTrail records and EventBridge
// envelopes with extra top-level members, a record's own `detail`, duplicate keys, anchors of
// every JSON type, escaped and dotted keys, keys that collide with the anchor names, numbers out
// of the double/int64 range, unpaired UTF-16 surrogate escapes (read as U+FFFD) in values, keys
// and anchors, string escapes JSON does not have (the record is an error), and (rarely) nesting
// deeper than the DOM allows.
//
// Besides the alerts, the two paths must agree on which records are events: a record evaluated
// by one and an error for the other (events + errors = records) is a difference too.
//
// The rules are the built-in pack plus kHostileRules: one or more rules on every anchor kind the
// index has (exact values, prefixes, shapes, the two envelope slots, a nested path, a record's
// own `detail` path, fields of the second look in requestParameters), so that a wrong slot
// value shows up as a missing or extra alert.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "alert/testing/event_fields_text.h"
#include "decode/record_reader.h"
#include "engine/engine.h"
#include "rules/builtin.h"
#include "rules/loader.h"
#include "rules/rule_set.h"

namespace tw::fuzz {

// Choices come from here: fuzz bytes, or a seeded generator (splitmix64).
class Choices {
 public:
  Choices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit Choices(uint64_t seed) : seed_(seed), seeded_(true) {}

  // A number in [0, n), n > 0. Fuzz bytes that run out give 0.
  size_t Below(size_t n) {
    if (seeded_) {
      uint64_t z = (seed_ += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return static_cast<size_t>((z ^ (z >> 31)) % n);
    }
    if (pos_ >= size_) return 0;
    return data_[pos_++] % n;
  }
  bool exhausted() const { return !seeded_ && pos_ >= size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  uint64_t seed_ = 0;
  bool seeded_ = false;
};

inline constexpr std::string_view kHostileRules = R"(
id: h-cwl-event-name
title: h
severity: low
description: exact values on $.eventName
references: [https://example.com]
filter_pattern: '{ ($.eventName = DeleteTrail) || ($.eventName = StopLogging) }'
---
id: h-cwl-user-type
title: h
severity: low
description: a nested anchor
references: [https://example.com]
filter_pattern: '{ $.userIdentity.type = Root && $.eventName = "Console*" }'
---
id: h-cwl-detail-path
title: h
severity: low
description: a record's own detail member
references: [https://example.com]
filter_pattern: '{ $.detail.eventName = DeleteTrail }'
---
id: h-cwl-source-member
title: h
severity: low
description: a record member named source
references: [https://example.com]
filter_pattern: '{ $.source = "aws.cloudtrail" }'
---
id: h-cwl-error-prefix
title: h
severity: low
description: a prefix shape
references: [https://example.com]
filter_pattern: '{ $.errorCode = "Access*" && $.eventSource = "iam.amazonaws.com" }'
---
id: h-cwl-number
title: h
severity: low
description: numbers
references: [https://example.com]
filter_pattern: '{ $.n > 1000 && $.eventName = DeleteTrail }'
---
id: h-eb-delete
title: h
severity: low
description: the envelope slots and detail
references: [https://example.com]
event_pattern: {"source": ["aws.cloudtrail"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["DeleteTrail", "StopLogging"]}}
---
id: h-eb-source-only
title: h
severity: low
description: only the source slot
references: [https://example.com]
event_pattern: {"source": ["aws.iam", "aws."]}
---
id: h-eb-prefix
title: h
severity: low
description: a prefix on detail.eventName and a nested path
references: [https://example.com]
event_pattern: {"detail": {"eventName": [{"prefix": "Delete"}], "userIdentity": {"type": ["Root", "IAMUser"]}}}
---
id: h-eb-ignore-case
title: h
severity: low
description: case folding on the detail-type slot
references: [https://example.com]
event_pattern: {"detail-type": [{"equals-ignore-case": "aws console sign in via cloudtrail"}]}
---
id: h-eb-anything-but
title: h
severity: low
description: anything-but on eventName with an exact source
references: [https://example.com]
event_pattern: {"source": ["aws.cloudtrail"], "detail": {"eventName": [{"anything-but": "Harmless"}]}}
---
id: h-eb-numeric
title: h
severity: low
description: numbers in detail
references: [https://example.com]
event_pattern: {"detail": {"n": [{"numeric": [">", 1000]}], "eventName": ["DeleteTrail"]}}
---
id: h-eb-replacement-character
title: h
severity: low
description: an anchor holding U+FFFD, as an unpaired surrogate escape reads
references: [https://example.com]
event_pattern: '{"detail": {"eventName": ["Delete\ud800Trail"]}}'
---
id: h-eb-exists
title: h
severity: low
description: exists true, a requirement beside the anchor (numbers and null pass it)
references: [https://example.com]
event_pattern: {"detail": {"errorCode": [{"exists": true}], "eventName": ["DeleteTrail", "Harmless"]}}
---
id: h-eb-exists-only
title: h
severity: low
description: exists true alone (no anchor, a requirement only)
references: [https://example.com]
event_pattern: {"detail": {"errorCode": [{"exists": true}]}}
---
id: h-eb-anything-but-list
title: h
severity: low
description: anything-but a list on a second field (a scalar that is not a string passes)
references: [https://example.com]
event_pattern: {"detail": {"awsRegion": [{"anything-but": ["us-east-1", "DeleteTrail"]}], "eventName": ["DeleteTrail", "StopLogging"]}}
---
id: h-cwl-not-equal
title: h
severity: low
description: != on a second field (true for a present scalar that differs)
references: [https://example.com]
filter_pattern: '{ $.errorCode != "DeleteTrail" && $.eventName = StopLogging }'
---
id: h-cwl-not-exists
title: h
severity: low
description: a field that must be missing, beside an exact anchor (decided by the index)
references: [https://example.com]
filter_pattern: '{ ($.eventName = DeleteTrail || $.eventName = StopLogging) && $.errorCode NOT EXISTS }'
---
id: h-eb-exists-false
title: h
severity: low
description: exists false on a nested field, beside an exact anchor (decided by the index)
references: [https://example.com]
event_pattern: {"detail": {"eventName": ["DeleteTrail"], "userIdentity": {"type": [{"exists": false}]}}}
---
id: h-cwl-second-look
title: h
severity: low
description: a string test on a field deep in requestParameters (the index's second look)
references: [https://example.com]
filter_pattern: '{ ($.eventName = Harmless || $.eventName = StopLogging) && $.requestParameters.x = "Delete*" }'
---
id: h-eb-second-look-missing
title: h
severity: low
description: a field in requestParameters that must be missing, and a prefix on another (second look)
references: [https://example.com]
event_pattern: {"detail": {"eventName": ["Harmless"], "requestParameters": {"x": [{"exists": false}], "type": [{"prefix": "Ro"}]}}}
---
id: h-cwl-second-look-negated
title: h
severity: low
description: != on fields deeper in requestParameters (filtering conditions of the second look)
references: [https://example.com]
filter_pattern: '{ $.eventName = StopLogging && $.requestParameters.userIdentity.type != "Root" && $.requestParameters.n != 0 }'
---
id: h-cwl-literal
title: h
severity: low
description: IS TRUE on a field in requestParameters (a literal, decided on the second look)
references: [https://example.com]
filter_pattern: '{ $.eventName = Harmless && $.requestParameters.n IS TRUE }'
---
id: h-eb-literals
title: h
severity: low
description: null and false on two top-level fields (literals)
references: [https://example.com]
event_pattern: {"detail": {"eventName": ["DeleteUser", "Harmless"], "errorCode": [null], "x": [false]}}
---
id: h-cwl-second-look-by-source
title: h
severity: low
description: a second-look test in a rule dispatched on eventSource (its record's first walk may skip requestParameters)
references: [https://example.com]
filter_pattern: '{ $.eventSource = "iam.amazonaws.com" && $.requestParameters.type = "Ro*" }'
---
id: h-eb-second-look-by-source
title: h
severity: low
description: the same as an event pattern, with a field that must be missing
references: [https://example.com]
event_pattern: {"source": ["aws.iam"], "detail": {"requestParameters": {"type": [{"prefix": "Ro"}], "x": [{"exists": false}]}}}
)";

// The built-in pack and kHostileRules.
inline std::shared_ptr<const rules::RuleSet> DifferentialRules() {
  auto rules = rules::LoadBuiltinRules(rules::InlineTests::kSkip);
  if (!rules) return nullptr;
  auto extra = rules::LoadRulesFromText(kHostileRules, "hostile.yml", "");
  if (!extra) return nullptr;
  for (auto& r : *extra) rules->push_back(std::move(r));
  return rules::RuleSet::Create(std::move(*rules));
}

namespace detail {

inline constexpr std::string_view kStrings[] = {
    "\"DeleteTrail\"",
    "\"StopLogging\"",
    "\"Harmless\"",
    "\"ConsoleLogin\"",
    "\"DeleteUser\"",
    "\"Delete\\u0054rail\"",
    "\"cloudtrail.amazonaws.com\"",
    "\"iam.amazonaws.com\"",
    "\"signin\"",
    "\"AWS API Call via CloudTrail\"",
    "\"AWS Console Sign In via CloudTrail\"",
    "\"aws console sign in via cloudtrail\"",
    "\"Scheduled Event\"",
    "\"aws.cloudtrail\"",
    "\"aws.iam\"",
    "\"aws.\"",
    "\"Root\"",
    "\"IAMUser\"",
    "\"AccessDenied\"",
    "\"AwsApiCall\"",
    "\"AwsConsoleSignIn\"",
    "\"\"",
    "\"1500\"",
    "\"Delete\\udc00Trail\"",
};
// Unpaired surrogate escapes (U+FFFD for every path) and escapes JSON does not have (the record
// is an error for every path), in members the index reads and in those it skips.
inline constexpr std::string_view kEscapes[] = {
    "\"\\ud800x\"",
    "\"\\ud800\\u0041\"",
    "\"\\udc00\"",
    "\"Delete\\uDBFFTrail\"",
    "\"\\ud800\\ud83d\\ude00\"",
    "\"\\q\"",
    "\"\\u12\"",
    "\"\\u12G4\"",
};
inline constexpr std::string_view kScalars[] = {
    "0",      "-1", "1500", "1e999", "-1e999", "123456789012345678901234567890",
    "1.5e3",  "-0", "true", "false", "null",   "18446744073709551616",
    "1e-999",
};
inline constexpr std::string_view kKeys[] = {
    "eventName",         "eventSource", "eventType",       "source",
    "detail-type",       "detail",      "userIdentity",    "type",
    "errorCode",         "n",           "event\\u004eame", "detail.eventName",
    "userIdentity.type", "k\\ud800",    "version",         "awsRegion",
    "requestParameters", "x",
};

inline void Value(Choices& c, int depth, std::string& out);

inline void Object(Choices& c, int depth, std::string& out) {
  out += '{';
  const size_t members = c.Below(depth == 0 ? 9 : 5);
  for (size_t i = 0; i < members; ++i) {
    if (i > 0) out += ',';
    out += '"';
    out += kKeys[c.Below(std::size(kKeys))];
    out += "\":";
    Value(c, depth + 1, out);
  }
  out += '}';
}

inline void Value(Choices& c, int depth, std::string& out) {
  const size_t kind = depth > 4 ? c.Below(2) : c.Below(8);
  switch (kind) {
    case 0:
      out += kStrings[c.Below(std::size(kStrings))];
      return;
    case 1:
      out += kScalars[c.Below(std::size(kScalars))];
      return;
    case 2:
      out += kStrings[c.Below(std::size(kStrings))];
      return;
    case 3:
      if (c.Below(3) == 0) {
        out += kEscapes[c.Below(std::size(kEscapes))];
      } else {
        out += kStrings[c.Below(std::size(kStrings))];
      }
      return;
    case 4:
    case 5:
      Object(c, depth, out);
      return;
    case 6: {
      out += '[';
      const size_t n = c.Below(3);
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) out += ',';
        Value(c, depth + 1, out);
      }
      out += ']';
      return;
    }
    default:
      if (c.Below(16) == 0) {  // deeper than simdjson's DOM (1,024) holds
        out += std::string(1030, '[');
        out += std::string(1030, ']');
      } else {
        out += kStrings[c.Below(std::size(kStrings))];
      }
      return;
  }
}

// A requestParameters object for the second look's rules: their keys (and others) with any
// values, userIdentity an object or not.
inline void RequestParameters(Choices& c, std::string& out) {
  static constexpr std::string_view kBulkyKeys[] = {"x", "type", "n", "userIdentity", "eventName"};
  out += '{';
  const size_t members = c.Below(5);
  for (size_t i = 0; i < members; ++i) {
    if (i > 0) out += ',';
    const std::string_view key = kBulkyKeys[c.Below(std::size(kBulkyKeys))];
    out += '"';
    out += key;
    out += "\":";
    if (key == "userIdentity" && c.Below(2) == 0) {
      out += "{\"type\":";
      Value(c, 3, out);
      out += '}';
    } else if (key == "type" && c.Below(2) == 0) {
      out += kStrings[16];  // "Root", which the second look's rules test for
    } else {
      Value(c, 2, out);
    }
  }
  out += '}';
}

// A plausible record or envelope: the anchors first, then hostile extras. `depth` bounds the
// envelopes nested in envelopes (an exhausted input chooses 0, the envelope, forever).
inline void Record(Choices& c, std::string& out, int depth = 0) {
  out += '{';
  bool first = true;
  auto member = [&](std::string_view key, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += key;
    out += "\":";
    out += value;
  };
  const size_t shape = depth < 2 ? c.Below(3) : 1 + c.Below(2);
  std::string inner;
  if (shape == 0) {  // an envelope
    member("detail-type", kStrings[9 + c.Below(4)]);
    member("source", kStrings[13 + c.Below(3)]);
    inner.clear();
    Record(c, inner, depth + 1);
    member("detail", inner);
  } else if (shape == 1) {  // a record
    // requestParameters after eventName (as CloudTrail writes it), before it, or not at all.
    const size_t request = c.Below(4);
    if (request == 0) {
      inner.clear();
      RequestParameters(c, inner);
      member("requestParameters", inner);
    }
    member("eventSource", kStrings[6 + c.Below(3)]);
    member("eventName", kStrings[c.Below(6)]);
    if (request >= 2) {
      inner.clear();
      RequestParameters(c, inner);
      member("requestParameters", inner);
    }
  }
  // Extra members, any key (duplicates and collisions included).
  const size_t extras = c.Below(6);
  for (size_t i = 0; i < extras; ++i) {
    std::string v;
    Value(c, 1, v);
    member(kKeys[c.Below(std::size(kKeys))], v);
  }
  out += '}';
}

}  // namespace detail

// One generated record, on one line.
inline std::string HostileRecord(Choices& c) {
  std::string out;
  if (c.Below(4) == 0) {
    detail::Object(c, 0, out);
  } else {
    detail::Record(c, out);
  }
  return out;
}

// An alert as the comparison sees it: the record, the rule, the event fields, the record text.
using AlertKey = std::tuple<uint64_t, std::string, std::string, std::string, std::string>;

// Evaluates every record of `document` (NDJSON, or any input the record reader accepts) with
// `engine`; returns the alerts.
inline std::set<AlertKey> AlertsOf(engine::Engine& engine, const std::string& document) {
  class Visitor : public decode::RecordVisitor {
   public:
    explicit Visitor(engine::Engine& e) : engine_(e) {}
    decode::RecordStatus OnRecord(const decode::RecordView& record,
                                  const decode::RecordWhere& where, Error& error) override {
      const std::string input = "fuzz";
      alerts_.clear();
      const decode::RecordStatus s =
          engine_.Evaluate(record, engine::Origin{input, where}, alerts_, error);
      for (const auto& a : alerts_) {
        out.insert(
            {where.index(), a.rule_id, alert::testing::EventFieldsText(a), "", a.record_json});
      }
      // Which records are events (events + errors = records): an entry of its own.
      if (s == decode::RecordStatus::kOk || s == decode::RecordStatus::kError) {
        out.insert({where.index(), "(an event)", "", "", ""});
      }
      return s;
    }
    void OnError(const decode::RecordWhere&, Error) override {}
    void OnSkipped(std::string) override {}
    // The engine checks each line's whole text in its one pass (decode/record_reader.h).
    bool ChecksRecords() const override { return true; }
    std::set<AlertKey> out;

   private:
    engine::Engine& engine_;
    std::vector<alert::Alert> alerts_;
  };
  decode::RecordReader reader;
  Visitor v(engine);
  reader.Read("fuzz", document, v);
  return v.out;
}

// Empty when the index and exhaustive evaluation agree on `document`, else what differs.
class IndexDifferential {
 public:
  explicit IndexDifferential(std::shared_ptr<const rules::RuleSet> rules)
      : indexed_(rules, engine::EngineOptions{}),
        all_(rules, engine::EngineOptions{.use_index = false}) {}

  std::string Check(const std::string& document) {
    const std::set<AlertKey> a = AlertsOf(indexed_, document);
    const std::set<AlertKey> b = AlertsOf(all_, document);
    if (a == b) return {};
    std::string diff;
    for (const auto& k : b) {
      if (!a.count(k)) diff += "index dropped " + std::get<1>(k) + "; ";
    }
    for (const auto& k : a) {
      if (!b.count(k)) diff += "index added " + std::get<1>(k) + "; ";
    }
    return diff;
  }

 private:
  engine::Engine indexed_;
  engine::Engine all_;
};

}  // namespace tw::fuzz

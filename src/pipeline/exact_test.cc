// Issue 8's hostile records through the real scan path (a source -> the record reader -> the
// engine): the index never drops a match, duplicate keys read the same everywhere (the first
// occurrence wins, docs/json-input.md), a wrong-typed anchor does not reject the record, and a
// record the DOM cannot hold is an error, never an event (events + errors = records).
// Each expectation comes from the rule's condition and that rule, not from a run of the code:
// cloudtrail-change is `$.eventName` in {CreateTrail, UpdateTrail, DeleteTrail, StartLogging,
// StopLogging}; it-eb-delete-trail is the EventBridge pattern source aws.cloudtrail,
// detail-type "AWS API Call via CloudTrail", detail.eventName DeleteTrail.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "pipeline/pipeline.h"
#include "rules/builtin.h"
#include "rules/loader.h"
#include "sinks/slack/block_kit.h"

namespace tw::pipeline {
namespace {

constexpr std::string_view kEventPatternRule = R"(
id: it-eb-delete-trail
title: Trail deleted (EventBridge pattern)
severity: high
description: Matches DeleteTrail through the EventBridge envelope.
references: [https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html]
event_pattern: {"source": ["aws.cloudtrail"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["DeleteTrail"]}}
)";

// Numeric rules for defect 11, anchored on eventName NumTest so that other records have no
// candidate. Numbers are read as the nearest double (docs/json-input.md, "Numbers").
constexpr std::string_view kNumericRules = R"(
- id: it-cwl-n-gt-1000
  title: n above 1000 (filter pattern)
  severity: low
  description: A numeric comparison in a filter pattern.
  references: [https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html]
  filter_pattern: '{ ($.eventName = NumTest) && ($.n > 1000) }'
- id: it-eb-n-gt-1000
  title: n above 1000 (event pattern)
  severity: low
  description: A numeric range in an event pattern.
  references: [https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html]
  event_pattern: {"detail": {"eventName": ["NumTest"], "n": [{"numeric": [">", 1000]}]}}
- id: it-eb-n-is-2-64
  title: n is 2^64 (event pattern)
  severity: low
  description: An exact number in an event pattern, compared by value.
  references: [https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html]
  event_pattern: {"detail": {"eventName": ["NumTest"], "n": [18446744073709551616]}}
)";

// An unpaired surrogate in a pattern is U+FFFD (eventbridge/pattern_json.cc), as in a record
// (docs/json-input.md, "String escapes"): this rule matches the eventName Delete<U+FFFD>Trail
// however the record spells the unpaired surrogate.
constexpr std::string_view kReplacementRule = R"(
id: it-eb-replacement-character
title: eventName with U+FFFD
severity: low
description: An anchor that holds U+FFFD.
references: [https://www.rfc-editor.org/rfc/rfc8259#section-8.2]
event_pattern: {"detail": {"eventName": ["Delete\ufffdTrail"]}}
)";

class OneDocumentSource final : public sources::Source {
 public:
  explicit OneDocumentSource(std::string document) : document_(std::move(document)) {}
  const std::string& name() const override { return name_; }
  Result<std::optional<sources::Batch>> Next(const std::atomic<bool>& stop) override {
    if (stop || done_) return std::nullopt;
    done_ = true;
    sources::Batch b;
    b.input = "hostile.ndjson";
    b.documents.push_back(document_);
    return b;
  }
  void Ack(const sources::Batch&) override {}
  void Nack(const sources::Batch&, const Error&) override {}

 private:
  std::string name_ = "mem";
  std::string document_;
  bool done_ = false;
};

struct Outcome {
  std::set<std::pair<uint64_t, std::string>> alerts;  // (record, rule)
  std::vector<std::string> event_names;               // of the alerts, in order
  std::vector<std::string> user_agents;               // of the alerts, in order
  uint64_t events = 0;
  std::vector<std::string> errors;  // "where: message"
  std::vector<alert::Alert> all;    // every alert, whole
};

class Collect final : public BatchListener {
 public:
  void OnBatch(BatchReport& r) override {
    for (const auto& a : r.alerts) {
      out.alerts.insert({a.input_record, a.rule_id});
      out.event_names.push_back(a.rule_id + ":" + a.event_name);
      out.user_agents.push_back(a.user_agent);
      out.all.push_back(a);
    }
    out.events += r.events;
    for (const auto& e : r.errors) out.errors.push_back(e.where + ": " + e.error.message);
  }
  Outcome out;
};

std::shared_ptr<const rules::RuleSet> Rules() {
  static const auto set = [] {
    auto rules = rules::LoadBuiltinRules(rules::InlineTests::kSkip);
    EXPECT_TRUE(rules) << rules.error().message;
    auto extra = rules::LoadRulesFromText(kEventPatternRule, "eb.yml", "");
    EXPECT_TRUE(extra) << extra.error().message;
    rules->push_back(std::move(extra->front()));
    auto numeric = rules::LoadRulesFromText(kNumericRules, "numeric.yml", "");
    EXPECT_TRUE(numeric) << numeric.error().message;
    for (auto& r : *numeric) rules->push_back(std::move(r));
    auto replacement = rules::LoadRulesFromText(kReplacementRule, "fffd.yml", "");
    EXPECT_TRUE(replacement) << replacement.error().message;
    rules->push_back(std::move(replacement->front()));
    return rules::RuleSet::Create(std::move(*rules));
  }();
  return set;
}

Outcome Scan(const std::string& ndjson, bool use_index) {
  SystemClock clock;
  PipelineParts parts;
  parts.rules = Rules();
  parts.sources.push_back(std::make_unique<OneDocumentSource>(ndjson));
  parts.clock = &clock;
  Collect collect;
  parts.listener = &collect;
  PipelineOptions options;
  options.engine.use_index = use_index;
  auto pipe = Pipeline::Create(std::move(parts), options);
  EXPECT_TRUE(pipe) << pipe.error().message;
  const std::atomic<bool> stop{false};
  EXPECT_TRUE((*pipe)->Run(stop));
  return collect.out;
}

// Scans with the index and exhaustively; both must agree. Returns the indexed outcome.
Outcome ScanBoth(const std::string& ndjson) {
  Outcome indexed = Scan(ndjson, true);
  Outcome all = Scan(ndjson, false);
  EXPECT_EQ(indexed.alerts, all.alerts) << ndjson;
  EXPECT_EQ(indexed.event_names, all.event_names) << ndjson;
  EXPECT_EQ(indexed.user_agents, all.user_agents) << ndjson;
  EXPECT_EQ(indexed.events, all.events) << ndjson;
  EXPECT_EQ(indexed.errors, all.errors) << ndjson;
  return indexed;
}

bool Has(const Outcome& o, uint64_t record, const std::string& rule) {
  return o.alerts.count({record, rule}) == 1;
}

// Defect 1: a record's own `detail` member is not an envelope's record.
TEST(ScanExact, ADetailMemberOfARecordDoesNotHideItsEventName) {
  const Outcome o =
      ScanBoth(R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",)"
               R"("eventType":"AwsApiCall","detail":{"eventName":"Harmless"}})"
               "\n");
  EXPECT_TRUE(Has(o, 0, "cloudtrail-change"));
  EXPECT_EQ(o.events, 1u);
}

// Defect 1: members beside an envelope's detail are not the record's.
TEST(ScanExact, TopLevelMembersBesideAnEnvelopeDoNotHideItsDetail) {
  const Outcome o =
      ScanBoth(R"({"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail",)"
               R"("source":"aws.cloudtrail","account":"111122223333","region":"us-east-1",)"
               R"("detail":{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail",)"
               R"("eventType":"AwsApiCall"},"eventName":"x"})"
               "\n");
  EXPECT_TRUE(Has(o, 0, "cloudtrail-change"));
  EXPECT_TRUE(Has(o, 0, "it-eb-delete-trail"));
}

// Defect 2: the first occurrence of a key wins, for the index, the evaluator and the alert.
TEST(ScanExact, DuplicateKeysTheFirstOccurrenceWins) {
  const Outcome o = ScanBoth(
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Harmless","eventName":"DeleteTrail"})"
      "\n"
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","eventName":"Harmless"})"
      "\n");
  EXPECT_FALSE(Has(o, 0, "cloudtrail-change"));
  EXPECT_FALSE(Has(o, 0, "it-eb-delete-trail"));
  EXPECT_TRUE(Has(o, 1, "cloudtrail-change"));
  EXPECT_TRUE(Has(o, 1, "it-eb-delete-trail"));
  for (const auto& n : o.event_names) EXPECT_TRUE(n.ends_with(":DeleteTrail")) << n;
}

// Defect 2: a duplicated eventSource reads the same for the built envelope and the index.
TEST(ScanExact, DuplicateEventSourceTheFirstOccurrenceWins) {
  const Outcome o =
      ScanBoth(R"({"eventSource":"cloudtrail.amazonaws.com","eventSource":"example.amazonaws.com",)"
               R"("eventName":"DeleteTrail"})"
               "\n"
               R"({"eventSource":"example.amazonaws.com","eventSource":"cloudtrail.amazonaws.com",)"
               R"("eventName":"DeleteTrail"})"
               "\n");
  EXPECT_TRUE(Has(o, 0, "it-eb-delete-trail"));
  EXPECT_FALSE(Has(o, 1, "it-eb-delete-trail"));
}

// Defect 6: an anchor of the wrong type is a value like any other; EventBridge matches an
// array element against the pattern's values.
TEST(ScanExact, AWrongTypedAnchorIsEvaluated) {
  const Outcome o =
      ScanBoth(R"({"eventSource":"cloudtrail.amazonaws.com","eventName":["DeleteTrail"]})"
               "\n"
               R"({"eventSource":5,"eventName":"DeleteTrail","detail-type":{"a":1},"source":[1]})"
               "\n"
               R"({"eventSource":"cloudtrail.amazonaws.com","eventName":null,"eventType":7})"
               "\n");
  EXPECT_TRUE(Has(o, 0, "it-eb-delete-trail"));
  EXPECT_FALSE(Has(o, 0, "cloudtrail-change"));  // a filter pattern compares scalars only
  EXPECT_TRUE(Has(o, 1, "cloudtrail-change"));
  EXPECT_FALSE(Has(o, 1, "it-eb-delete-trail"));  // eventSource 5: source "aws."
  EXPECT_EQ(o.events, 3u);
  EXPECT_TRUE(o.errors.empty()) << o.errors.front();
}

// Defect 7: nesting deeper than the DOM holds is an error of that record, not an event.
TEST(ScanExact, ARecordTheDomCannotHoldIsAnErrorNotAnEvent) {
  const std::string deep = std::string(1100, '[') + std::string(1100, ']');
  const Outcome o = ScanBoth(
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","x":)" + deep + "}\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"})" + "\n");
  EXPECT_EQ(o.events + o.errors.size(), 2u);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_TRUE(o.errors[0].starts_with("line 1: ")) << o.errors[0];
  EXPECT_TRUE(Has(o, 1, "cloudtrail-change"));
}

// Defect 7: the same holds when no rule is a candidate for the record (the index alone would
// have counted it as an event, as exhaustive evaluation does not).
TEST(ScanExact, ARecordTheDomCannotHoldIsAnErrorWithoutACandidateRule) {
  const std::string deep = std::string(1100, '[') + std::string(1100, ']');
  const std::string deep_ok = std::string(1000, '[') + std::string(1000, ']');
  std::string many;  // 1,100 openers, but only 3 levels deep
  for (int i = 0; i < 1100; ++i) many += i ? ",{}" : "{}";
  const Outcome o = ScanBoth(
      R"({"eventName":"Harmless","x":)" + deep + "}\n" + R"({"eventName":"Harmless","x":)" +
      deep_ok + "}\n" + R"({"eventName":"Harmless","x":[)" + many + "]}\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"})" + "\n");
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_TRUE(o.errors[0].starts_with("line 1: the record cannot be evaluated")) << o.errors[0];
  EXPECT_EQ(o.events, 3u);
  EXPECT_TRUE(Has(o, 3, "cloudtrail-change"));
}

// Defect 11: a number beyond what simdjson holds (beyond a double, or an integer beyond 64
// bits) does not reject the record. It is the nearest double: 1e999 is +infinity, -1e999
// -infinity, 18446744073709551616 is 2^64, 1.0000000000000000001 is 1.
TEST(ScanExact, NumbersBeyondTheJsonReaderAreEvaluated) {
  const std::string head =
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"NumTest","n":)";
  const Outcome o = ScanBoth(
      head + "1e999}\n" + head + "-1e999}\n" + head + "18446744073709551616}\n" + head +
      "1.0000000000000000001}\n" + head + R"(5,"id":123456789012345678901234567890})" + "\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","z":1E400,)"
      R"("y":-99999999999999999999})"
      "\n" +
      R"({"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail",)"
      R"("source":"aws.cloudtrail","account":"111122223333","region":"us-east-1","big":-1e999,)"
      R"("detail":{"eventSource":"cloudtrail.amazonaws.com","eventName":"NumTest","n":1e999}})"
      "\n");
  EXPECT_TRUE(o.errors.empty()) << o.errors.front();
  EXPECT_EQ(o.events, 7u);
  const std::set<std::pair<uint64_t, std::string>> expected = {
      {0, "it-cwl-n-gt-1000"}, {0, "it-eb-n-gt-1000"},   // +infinity > 1000
      {2, "it-cwl-n-gt-1000"}, {2, "it-eb-n-gt-1000"},   // 2^64 > 1000
      {2, "it-eb-n-is-2-64"},                            // and equal to 2^64
      {6, "it-cwl-n-gt-1000"}, {6, "it-eb-n-gt-1000"}};  // the envelope's detail
  std::set<std::pair<uint64_t, std::string>> numeric;
  for (const auto& a : o.alerts) {
    if (a.second.starts_with("it-cwl-n") || a.second.starts_with("it-eb-n")) numeric.insert(a);
  }
  EXPECT_EQ(numeric, expected);
  EXPECT_TRUE(Has(o, 5, "cloudtrail-change"));  // an unrelated 1E400 hides nothing
}

// Issue 8: an unpaired UTF-16 surrogate escape (RFC 8259 §8.2 leaves its meaning open) reads as
// U+FFFD, EF BF BD in UTF-8, in every field: the record is evaluated, with or without a
// candidate rule, and whether the escape lies in an anchor the index reads or elsewhere.
TEST(ScanExact, UnpairedSurrogatesReadAsTheReplacementCharacter) {
  const std::string stop =
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",)";
  const Outcome o =
      ScanBoth(stop + R"("userAgent":"\ud800x"})" + "\n" +       // a high surrogate, then text
               stop + R"("userAgent":"\ud800\u0041"})" + "\n" +  // then a non-low escape
               stop + R"("userAgent":"\udc00"})" + "\n" +        // a lone low surrogate
               R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"\ud800x"})"
               "\n"  // no candidate rule
               R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Delete\udc00Trail"})"
               "\n"  // in an anchor
               R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Delete\uDBFFTrail",)"
               R"("k\ud800":1})"
               "\n"  // in an anchor and a key
               R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Stop\ud800Logging"})"
               "\n");  // not StopLogging
  EXPECT_TRUE(o.errors.empty()) << o.errors.front();
  EXPECT_EQ(o.events, 7u);
  for (uint64_t r : {0, 1, 2}) EXPECT_TRUE(Has(o, r, "cloudtrail-change")) << r;
  EXPECT_TRUE(Has(o, 4, "it-eb-replacement-character"));
  EXPECT_TRUE(Has(o, 5, "it-eb-replacement-character"));
  EXPECT_FALSE(Has(o, 4, "cloudtrail-change"));
  EXPECT_FALSE(Has(o, 6, "cloudtrail-change"));
  std::set<std::string> agents;
  for (size_t i = 0; i < o.event_names.size(); ++i) {
    if (o.event_names[i] == "cloudtrail-change:StopLogging") agents.insert(o.user_agents[i]);
  }
  EXPECT_EQ(agents, (std::set<std::string>{"\xEF\xBF\xBDx",
                                           "\xEF\xBF\xBD"
                                           "A",
                                           "\xEF\xBF\xBD"}));
  // The Slack payload of such an alert is JSON in valid UTF-8 (simdjson's DOM validates both),
  // with the user agent as read.
  int payloads = 0;
  for (const auto& a : o.all) {
    if (a.rule_id != "cloudtrail-change" || a.user_agent != "\xEF\xBF\xBDx") continue;
    ++payloads;
    const std::string payload = sinks::slack::SlackMessageJson(sinks::slack::BuildSlackMessage(a));
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_EQ(parser.parse(payload).get(root), simdjson::SUCCESS) << payload;
    EXPECT_NE(payload.find("\xEF\xBF\xBDx"), std::string::npos) << payload;
    EXPECT_EQ(a.record_json.find("\\ud800"), std::string::npos) << a.record_json;
    EXPECT_NE(a.record_json.find("\\ufffdx"), std::string::npos) << a.record_json;
  }
  EXPECT_EQ(payloads, 1);
}

// Invalid UTF-8 (RFC 8259 §8.1: JSON text is UTF-8) in a string, in a value or a key, is an
// error of its own line or record, in NDJSON and in a CloudTrail file alike; the records around
// it are read, valid UTF-8 beyond ASCII included. The reader hands such input to the engine
// unchecked and the engine checks it (record_reader.h, ChecksRecords).
TEST(ScanExact, InvalidUtf8IsAnErrorOfItsRecordOnly) {
  const std::string stop =
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userAgent":)";
  // Records 2 and 3 are no rule's candidates: nothing but the check reads them further.
  const std::string get = R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":)";
  const std::vector<std::string> records = {
      stop + "\"caf\xC3\xA9\"}",   // valid: two-byte é
      get + "\"caf\xC3\"}",        // a lead byte without its continuation
      get + "\"x\",\"k\xFF\":1}",  // a byte UTF-8 never has, in a key
      stop + "\"\xED\xA0\x80\"}",  // an encoded surrogate (not UTF-8)
      stop + "\"" + std::string(40, 'a') + "\xE2\x82\xAC\"}",  // valid, past a 16-byte block
  };
  std::string ndjson;
  std::string file = R"({"Records":[)";
  for (size_t i = 0; i < records.size(); ++i) {
    ndjson += records[i] + "\n";
    file += (i ? "," : "") + records[i];
  }
  file += "]}";
  for (const std::string& input : {ndjson, file}) {
    const bool lines = input == ndjson;
    const Outcome o = ScanBoth(input);
    EXPECT_EQ(o.events, 2u) << input;
    ASSERT_EQ(o.errors.size(), 3u) << input;
    const std::string unit = lines ? "line " : "record ";
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(o.errors[i].rfind(unit + std::to_string(i + 2) + ": ", 0), 0u) << o.errors[i];
      EXPECT_NE(o.errors[i].find("UTF-8"), std::string::npos) << o.errors[i];
    }
    EXPECT_TRUE(Has(o, 0, "cloudtrail-change")) << input;
    EXPECT_TRUE(Has(o, 4, "cloudtrail-change")) << input;
  }
}

// Issue 8: a string escape JSON does not have (RFC 8259 §7: only \" \\ \/ \b \f \n \r \t and
// \u with four hex digits) damages the record in any field, also one no rule reads and the
// index skips unread: an error with its line, never an event (events + errors = records).
TEST(ScanExact, AnInvalidEscapeIsAnErrorEvenInAFieldNoRuleReads) {
  const std::string get = R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":)";
  const Outcome o = ScanBoth(
      get + R"("\q"})" + "\n" + get + R"("\u12"})" + "\n" + get + R"("\u12G4"})" + "\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","x":"\q"})" + "\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Stop\qLogging"})" + "\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail"})" + "\n");
  EXPECT_EQ(o.events, 1u);
  ASSERT_EQ(o.errors.size(), 5u);
  // `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":"` is 63 bytes: the
  // backslash is byte 64.
  EXPECT_EQ(o.errors[0],
            "line 1: damaged JSON: invalid escape \\q in a string at byte 64 of the record");
  EXPECT_EQ(o.errors[1],
            "line 2: damaged JSON: invalid escape \\u12 in a string at byte 64 of the record");
  EXPECT_EQ(o.errors[2],
            "line 3: damaged JSON: invalid escape \\u12G4 in a string at byte 64 of the record");
  EXPECT_TRUE(o.errors[3].starts_with("line 4: damaged JSON: invalid escape \\q")) << o.errors[3];
  EXPECT_TRUE(o.errors[4].starts_with("line 5: damaged JSON: invalid escape \\q")) << o.errors[4];
  EXPECT_TRUE(Has(o, 5, "cloudtrail-change"));
  EXPECT_FALSE(Has(o, 3, "cloudtrail-change"));
}

// Broken JSON inside a member no rule reads, which the index's On-Demand walk skips: an error
// with its location on both paths, never an event (the fuzz findings in
// tests/fuzz/corpus/index_differential/). A record that is JSON beside them is still evaluated.
TEST(ScanExact, BrokenJsonInAMemberNoRuleReadsIsAnError) {
  const std::string get = R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject",)";
  const Outcome o = ScanBoth(
      get + R"("requestParameters":{"a":1,5:2},"x":1})" + "\n" + get +
      R"("userIdentity":{"type":"IAMUser","a":[1,2}},"x":1})" + "\n" + get +
      std::string("\"x\":\0\0,\"y\":1}", 13) + "\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","r":{"a":[1,{}]}})" +
      "\n");
  EXPECT_EQ(o.events, 1u);
  ASSERT_EQ(o.errors.size(), 3u);
  // `{"eventSource":"s3.amazonaws.com","eventName":"GetObject",` is 58 bytes, and
  // `"requestParameters":{"a":1,` 27 more: the 5 is byte 86.
  EXPECT_EQ(o.errors[0],
            "line 1: damaged JSON: unexpected `5` where a member name (a string) should be, at "
            "byte 86 of the record");
  // `"userIdentity":{"type":"IAMUser","a":[1,2` is 41 bytes after the 58: `}` is byte 100.
  EXPECT_EQ(o.errors[1],
            "line 2: damaged JSON: unexpected `}` where `,` or `]` should be, at byte 100 of the "
            "record");
  // `"x":` is 4 bytes after the 58: the first NUL is byte 63.
  EXPECT_EQ(o.errors[2],
            "line 3: damaged JSON: unexpected byte 0x00 where a value should be, at byte 63 of "
            "the record");
  EXPECT_TRUE(Has(o, 3, "cloudtrail-change"));
}

// A fuzz finding: what follows an object on its line, when it is not JSON, was read two ways.
// Read in bulk, the object is a record and the rest an error of its line; read line by line
// (where the index goes when simdjson refuses the unpaired surrogate in `eventName` that the
// extractor reads), the whole line was one error, so the index lost the record that exhaustive
// evaluation raised alerts on.
TEST(ScanExact, AnObjectFollowedByJunkOnItsLineIsARecordAndAnError) {
  const Outcome o = ScanBoth(
      std::string(R"({"a":1})") + "\n" +
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail\udc00"})" + "\xf5");
  EXPECT_EQ(o.events, 2u);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_TRUE(o.errors[0].starts_with("line 2: ")) << o.errors[0];
  const Outcome x = ScanBoth(
      std::string(R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"} x)") +
      "\n");
  EXPECT_EQ(x.events, 1u);
  EXPECT_TRUE(Has(x, 0, "cloudtrail-change"));
  ASSERT_EQ(x.errors.size(), 1u);  // " x": trailing data after the last document
}

}  // namespace
}  // namespace tw::pipeline

#include "engine/extractor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace tw::engine {
namespace {

using match::AnchorSlot;
using match::AnchorValue;

// `json` followed by 16 bytes of padding (Extract loads member names a word at a time).
std::string Padded(const std::string& json) {
  std::string padded = json;
  padded.append(16, '\0');
  return padded;
}

// Extracts `slots` from `json`; a failed check fails the test.
std::vector<AnchorValue> ExtractWith(const std::vector<AnchorSlot>& slots, const std::string& json,
                                     ExtractResult* result = nullptr,
                                     const AnchorExtractor::SecondLook* plan = nullptr) {
  AnchorExtractor extractor =
      plan != nullptr ? AnchorExtractor(slots, *plan) : AnchorExtractor(slots);
  const std::string padded = Padded(json);
  std::vector<AnchorValue> values(slots.size());
  std::string scratch;
  const ExtractResult r = extractor.Extract(std::string_view(padded.data(), json.size()), false,
                                            values.data(), scratch);
  EXPECT_TRUE(r.check.ok()) << json << ": at byte " << r.check.offset;
  EXPECT_EQ(r.check.offset, json.size()) << json;
  if (result) *result = r;
  // Copy the views out: they die with the text and the extractor.
  for (auto& v : values) {
    if (v.state == AnchorValue::State::kString || v.state == AnchorValue::State::kScalar) {
      static thread_local std::deque<std::string> keep;  // a deque: the views must not move
      keep.emplace_back(v.value);
      v.value = keep.back();
    }
  }
  return values;
}

// Extracts the slots $.eventName and $.userIdentity.type from `json`.
std::vector<AnchorValue> ExtractFrom(const std::string& json, ExtractResult* result = nullptr) {
  std::vector<AnchorSlot> slots(2);
  slots[0].path = {"eventName"};
  slots[1].path = {"userIdentity", "type"};
  return ExtractWith(slots, json, result);
}

TEST(AnchorExtractor, FindsTopLevelAndNestedStrings) {
  auto v = ExtractFrom(R"({"eventName":"StopLogging","userIdentity":{"type":"Root"}})");
  EXPECT_EQ(v[0].state, AnchorValue::State::kString);
  EXPECT_EQ(v[0].value, "StopLogging");
  EXPECT_EQ(v[1].value, "Root");
}

TEST(AnchorExtractor, EscapedKeysAndWhitespaceCannotHideAField) {
  auto v = ExtractFrom(
      "{ \"event\\u004eame\" :  \"StopLogging\" , \"userIdentity\" : "
      "{ \"typ\\u0065\":\"Root\" } }");
  EXPECT_EQ(v[0].value, "StopLogging");
  EXPECT_EQ(v[1].value, "Root");
}

TEST(AnchorExtractor, ArraysAndObjectsAreOtherNumbersScalar) {
  auto v = ExtractFrom(R"({"eventName":"X","userIdentity":[{"type":"Root"}]})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kOther);  // an array on the way: maybe reachable
  v = ExtractFrom(R"({"eventName":"X","userIdentity":{"type":{"a":1}}})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kOther);
  // A null, a number or a boolean is there but is no string: kScalar (`exists: true` holds),
  // with its text as written (the index tells literals by it).
  v = ExtractFrom(R"({"eventName":"X","userIdentity":{"type":null}})");
  EXPECT_EQ(v[0].value, "X");
  EXPECT_EQ(v[1].state, AnchorValue::State::kScalar);
  EXPECT_EQ(v[1].value, "null");
  v = ExtractFrom(R"({"userIdentity":{"type":-7.5e+3},"eventName":["X"]})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kScalar);
  EXPECT_EQ(v[1].value, "-7.5e+3");
  EXPECT_EQ(v[0].state, AnchorValue::State::kOther);
  v = ExtractFrom(R"({"userIdentity":{"type":false},"eventName":"X"})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kScalar);
  EXPECT_EQ(v[1].value, "false");
  v = ExtractFrom(R"({"userIdentity":{"type" : true },"eventName":true})");
  EXPECT_EQ(v[1].value, "true");
  EXPECT_EQ(v[0].value, "true");
  // A path that meets a scalar on the way reaches nothing.
  v = ExtractFrom(R"({"userIdentity":7,"eventName":"X"})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kAbsent);
}

// Issue 8, defect 6: a wrong-typed anchor is no reason to stop reading the record.
TEST(AnchorExtractor, AWrongTypedEventNameIsNotAStringAndTheWalkGoesOn) {
  auto v = ExtractFrom(R"({"eventName":5,"userIdentity":{"type":"Root"}})");
  EXPECT_EQ(v[0].state, AnchorValue::State::kScalar);
  EXPECT_EQ(v[1].state, AnchorValue::State::kString);
  EXPECT_EQ(v[1].value, "Root");
  v = ExtractFrom(R"({"source":[1],"detail-type":{},"eventSource":true,"eventName":"A"})");
  EXPECT_EQ(v[0].value, "A");
}

// Issue 8, defect 2: the first occurrence of a key wins, at every depth; a later object under
// the same key is not walked.
TEST(AnchorExtractor, DuplicateKeysTheFirstOccurrenceWins) {
  auto v = ExtractFrom(
      R"({"eventName":"A","userIdentity":{"type":"Root","type":"IAMUser"},"eventName":"B",)"
      R"("userIdentity":{"type":"AssumedRole"}})");
  EXPECT_EQ(v[0].value, "A");
  EXPECT_EQ(v[1].value, "Root");
  v = ExtractFrom(R"({"userIdentity":"x","userIdentity":{"type":"Root"}})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kAbsent);
}

// Issue 8, defect 1: `detail` is the record only in an envelope, whatever the member order.
TEST(AnchorExtractor, ADetailOfARecordIsNotTheRecord) {
  ExtractResult result;
  auto v = ExtractFrom(R"({"eventName":"StopLogging","detail":{"eventName":"Harmless"}})", &result);
  EXPECT_FALSE(result.envelope);
  EXPECT_EQ(v[0].value, "StopLogging");
  v = ExtractFrom(R"({"detail":{"eventName":"Harmless"},"eventName":"StopLogging",)"
                  R"("detail-type":"Scheduled Event"})",
                  &result);
  EXPECT_FALSE(result.envelope);
  EXPECT_EQ(v[0].value, "StopLogging");
  v = ExtractFrom(R"({"detail":{"eventName":"DeleteTrail"},"eventName":"x",)"
                  R"("detail-type":"AWS API Call via CloudTrail"})",
                  &result);
  EXPECT_TRUE(result.envelope);
  EXPECT_EQ(v[0].value, "DeleteTrail");
  v = ExtractFrom(R"({"detail-type":"AWS API Call via CloudTrail","detail":"x",)"
                  R"("detail":{"eventName":"DeleteTrail"},"eventName":"y"})",
                  &result);
  EXPECT_FALSE(result.envelope);  // the first detail is not an object
  EXPECT_EQ(v[0].value, "y");
}

TEST(AnchorExtractor, RecognisesTheEventBridgeEnvelope) {
  ExtractResult result;
  auto v = ExtractFrom(R"({"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2",)"
                       R"("detail":{"eventName":"CreateVpc","userIdentity":{"type":"IAMUser"}}})",
                       &result);
  EXPECT_TRUE(result.envelope);
  EXPECT_EQ(v[0].value, "CreateVpc");
  EXPECT_EQ(v[1].value, "IAMUser");
}

// A nested member is read wherever it is in its object, whatever its escapes, blanks and the
// members around it, and the members after the object are still read.
TEST(AnchorExtractor, ANestedMemberIsReadWhereverItIsAndTheWalkGoesOn) {
  struct Case {
    const char* json;
    AnchorValue::State state;
    const char* type;  // the expected $.userIdentity.type when a string
  };
  const Case cases[] = {
      // CloudTrail's layout: `type` first, the rest (nested objects included) skipped.
      {R"({"userIdentity":{"type":"AssumedRole","sessionContext":{"a":{"b":[1,{"c":2}]}},)"
       R"("arn":"x"},"eventName":"E"})",
       AnchorValue::State::kString, "AssumedRole"},
      {R"({"userIdentity":{"type":""},"eventName":"E"})", AnchorValue::State::kString, ""},
      {R"({"userIdentity":{"type":"AWSService"},"eventName":"E"})", AnchorValue::State::kString,
       "AWSService"},
      {R"({"userIdentity":{"type":"a long type of more than sixteen bytes"},"eventName":"E"})",
       AnchorValue::State::kString, "a long type of more than sixteen bytes"},
      // Escapes in the value or the key, blanks, another first member, a longer or shorter key
      // first.
      {R"({"userIdentity":{"type":"Ro\u006ft"},"eventName":"E"})", AnchorValue::State::kString,
       "Root"},
      {R"({"userIdentity":{"type":"a\"b\\c"},"eventName":"E"})", AnchorValue::State::kString,
       "a\"b\\c"},
      {R"({"userIdentity":{"typ\u0065":"Root"},"eventName":"E"})", AnchorValue::State::kString,
       "Root"},
      {R"({"userIdentity":{ "type" : "Root" },"eventName":"E"})", AnchorValue::State::kString,
       "Root"},
      {R"({"userIdentity":{"arn":"a","type":"Root"},"eventName":"E"})", AnchorValue::State::kString,
       "Root"},
      {R"({"userIdentity":{"typeX":"A","type":"Root"},"eventName":"E"})",
       AnchorValue::State::kString, "Root"},
      {R"({"userIdentity":{"typ":"A","type":"Root"},"eventName":"E"})", AnchorValue::State::kString,
       "Root"},
      {R"({"userIdentity":{"typ":"type","type":"Root"},"eventName":"E"})",
       AnchorValue::State::kString, "Root"},
      // The first occurrence wins.
      {R"({"userIdentity":{"type":"Root","type":"IAMUser"},"eventName":"E"})",
       AnchorValue::State::kString, "Root"},
      {R"({"userIdentity":{"type":7,"type":"IAMUser"},"eventName":"E"})",
       AnchorValue::State::kScalar, ""},
      {R"({"userIdentity":{"type":null},"eventName":"E"})", AnchorValue::State::kScalar, ""},
      {R"({"userIdentity":{"type":["Root"]},"eventName":"E"})", AnchorValue::State::kOther, ""},
      {R"({"userIdentity":{"type":{"a":"b"}},"eventName":"E"})", AnchorValue::State::kOther, ""},
      {R"({"userIdentity":{},"eventName":"E"})", AnchorValue::State::kAbsent, ""},
      {R"({"userIdentity":{"arn":"x"},"eventName":"E"})", AnchorValue::State::kAbsent, ""},
  };
  for (const Case& c : cases) {
    auto v = ExtractFrom(c.json);
    EXPECT_EQ(v[1].state, c.state) << c.json;
    if (c.state == AnchorValue::State::kString) {
      EXPECT_EQ(v[1].value, c.type) << c.json;
    }
    EXPECT_EQ(v[0].state, AnchorValue::State::kString) << c.json;
    EXPECT_EQ(v[0].value, "E") << c.json;
  }
}

TEST(AnchorExtractor, DeeperAndSeveralNestedChildren) {
  // Each level has one child.
  std::vector<AnchorSlot> slots(2);
  slots[0].path = {"a", "b", "c"};
  slots[1].path = {"z"};
  auto v = ExtractWith(slots, R"({"a":{"b":{"c":"deep","d":1},"e":2},"z":"after"})");
  EXPECT_EQ(v[0].value, "deep");
  EXPECT_EQ(v[1].value, "after");
  // `c` not first.
  v = ExtractWith(slots, R"({"a":{"b":{"d":1,"c":"deep"}},"z":"after"})");
  EXPECT_EQ(v[0].value, "deep");
  EXPECT_EQ(v[1].value, "after");
  // `b` is a string: the path reaches nothing, the walk goes on.
  v = ExtractWith(slots, R"({"a":{"b":"str"},"z":"after"})");
  EXPECT_EQ(v[0].state, AnchorValue::State::kAbsent);
  EXPECT_EQ(v[1].value, "after");
  // Two children of userIdentity: both read wherever they are.
  slots[0].path = {"userIdentity", "type"};
  slots[1].path = {"userIdentity", "arn"};
  v = ExtractWith(slots, R"({"userIdentity":{"type":"Root","x":{},"arn":"arn:aws:iam::1:root"}})");
  EXPECT_EQ(v[0].value, "Root");
  EXPECT_EQ(v[1].value, "arn:aws:iam::1:root");
}

// Keys are read and compared a word (8 bytes) at a time: every length from 1 to 24 must be told
// apart from a decoy of the same length that differs in one byte only (first, middle or last),
// and a backslash anywhere in a key must send it through unescaping.
TEST(AnchorExtractor, KeysOfEveryLengthAreComparedWholly) {
  for (size_t n = 1; n <= 24; ++n) {
    std::string key;
    for (size_t i = 0; i < n; ++i) key += static_cast<char>('a' + i % 26);
    std::vector<AnchorSlot> slots(1);
    slots[0].path = {key};
    for (size_t pos : {size_t{0}, n / 2, n - 1}) {
      std::string decoy = key;
      decoy[pos] = 'Z';
      // The decoy comes first: it must not take the slot; the real key must.
      const std::string json = "{\"" + decoy + "\":\"no\",\"" + key + "\":\"yes\"}";
      const AnchorValue value = ExtractWith(slots, json)[0];
      EXPECT_EQ(value.state, AnchorValue::State::kString) << json;
      EXPECT_EQ(std::string(value.value), "yes") << json;
    }
    // The same key with its last character written as a \u escape.
    std::string escaped = key.substr(0, n - 1);
    escaped += "\\u00";
    escaped += fmt::format("{:02x}", static_cast<int>(key[n - 1]));
    const std::string json = "{\"" + escaped + "\":\"esc\"}";
    EXPECT_EQ(std::string(ExtractWith(slots, json)[0].value), "esc") << json;
  }
}

// The one pass checks the grammar of every byte, members no rule reads included, as
// match::CheckJson does (issue 8: `{"a":1,5:2}` inside requestParameters was an event for the
// index and an error for exhaustive evaluation).
TEST(AnchorExtractor, DamageAnywhereFailsTheCheckWithItsPlace) {
  struct Case {
    std::string json;
    size_t offset;  // of the first byte that cannot be read, counted by hand
  };
  const Case cases[] = {
      {R"({"eventName":"A","requestParameters":{"a":1,5:2}})", 44},
      {R"({"eventName":"A","userIdentity":{"type":"Root"},"x":[1,2}})", 56},
      {R"({"eventName":"A","x":"\q"})", 22},
      {std::string("{\"eventName\":\"A\",\"x\":\"a\0b\"}", 27), 23},
      {R"({"eventName":"A",})", 17},
      {R"({"eventName":"A"} x)", 18},
      {R"({"eventName":"A")", 16},
  };
  std::vector<AnchorSlot> slots(1);
  slots[0].path = {"eventName"};
  AnchorExtractor extractor(slots);
  for (const Case& c : cases) {
    const std::string padded = Padded(c.json);
    AnchorValue value;
    std::string scratch;
    const ExtractResult r =
        extractor.Extract(std::string_view(padded.data(), c.json.size()), false, &value, scratch);
    EXPECT_FALSE(r.check.ok()) << c.json;
    EXPECT_EQ(r.check.offset, c.offset) << c.json;
    EXPECT_EQ(r.check.kind, match::CheckJson(c.json).kind) << c.json;
    EXPECT_EQ(r.check.offset, match::CheckJson(c.json).offset) << c.json;
  }
}

// A record read at its place in a document (a Records array): the check ends with the record,
// and the offset says where.
TEST(AnchorExtractor, ARecordFollowedByMoreOfItsDocumentEndsWhereItCloses) {
  std::vector<AnchorSlot> slots(1);
  slots[0].path = {"eventName"};
  AnchorExtractor extractor(slots);
  const std::string doc = Padded(R"({"eventName":"A","x":{"}":"{"}} ,{"eventName":"B"}]})");
  AnchorValue value;
  std::string scratch;
  const ExtractResult r = extractor.Extract(doc, /*prefix=*/true, &value, scratch);
  ASSERT_TRUE(r.check.ok());
  EXPECT_EQ(r.check.offset, 31u);  // {"eventName":"A","x":{"}":"{"}} is 31 bytes
  EXPECT_EQ(value.value, "A");
}

// Escaped values are read as the evaluator reads them: a surrogate pair is one character, an
// unpaired surrogate escape is U+FFFD (match/json_escapes.h), and the check says so.
TEST(AnchorExtractor, EscapedValuesReadAsTheEvaluatorReadsThem) {
  ExtractResult result;
  auto v = ExtractFrom(R"({"eventName":"\ud83d\ude00 \u00e9\n\/"})", &result);
  EXPECT_EQ(v[0].value, "\xF0\x9F\x98\x80 \xC3\xA9\n/");
  EXPECT_EQ(result.check.kind, match::JsonCheck::Kind::kValid);
  v = ExtractFrom(R"({"eventName":"Stop\ud800Logging"})", &result);
  EXPECT_EQ(v[0].value, "Stop\xEF\xBF\xBDLogging");
  EXPECT_EQ(result.check.kind, match::JsonCheck::Kind::kLoneSurrogates);
}

// The index's second look (AnchorExtractor::SecondLook): an object that holds only
// second-look slots is followed when the record's eventName, read before it, is one of the
// plan's; else it is skipped, and every second-look slot is kOther, the look pending. Each
// object (the record, an envelope's detail) answers for itself.
TEST(AnchorExtractor, ReadsTheSecondLooksFieldsForItsEventNamesOnly) {
  std::vector<AnchorSlot> slots(3);
  slots[0].path = {"eventName"};
  slots[1].path = {"requestParameters", "key"};
  slots[2].path = {"userAgent"};
  AnchorExtractor::SecondLook plan;
  plan.first_look = 1;
  plan.event_name_slot = 0;
  plan.event_names = {"PutObject"};
  struct Case {
    std::string json;
    AnchorValue::State key;
    std::string key_value;
    bool pending;
  };
  const std::string envelope =
      R"({"detail-type":"AWS API Call via CloudTrail","source":"aws.s3","detail":)";
  const std::vector<Case> cases = {
      {R"({"eventName":"PutObject","requestParameters":{"key":"k"},"userAgent":"u"})",
       AnchorValue::State::kString, "k", false},
      {R"({"eventName":"GetObject","requestParameters":{"key":"k"},"userAgent":"u"})",
       AnchorValue::State::kOther, "", true},
      // eventName after the object: not known when the object is met.
      {R"({"requestParameters":{"key":"k"},"eventName":"PutObject","userAgent":"u"})",
       AnchorValue::State::kOther, "", true},
      // Nothing skipped: the fields are known (missing, or a path that meets a string).
      {R"({"eventName":"GetObject","userAgent":"u"})", AnchorValue::State::kAbsent, "", false},
      {R"({"eventName":"GetObject","requestParameters":"k","userAgent":"u"})",
       AnchorValue::State::kAbsent, "", false},
      {R"({"eventName":"GetObject","requestParameters":["k"],"userAgent":"u"})",
       AnchorValue::State::kOther, "", false},
      // The first occurrence counts, as everywhere.
      {R"({"eventName":"PutObject","requestParameters":{"key":"k"},"requestParameters":{"key":"l"},"userAgent":"u"})",
       AnchorValue::State::kString, "k", false},
      {envelope + R"({"eventName":"PutObject","requestParameters":{"key":"k"},"userAgent":"u"}})",
       AnchorValue::State::kString, "k", false},
      {envelope + R"({"eventName":"GetObject","requestParameters":{"key":"k"},"userAgent":"u"}})",
       AnchorValue::State::kOther, "", true},
      // The envelope's own eventName does not answer for its detail, nor the other way round.
      {R"({"eventName":"PutObject",)" + envelope.substr(1) +
           R"({"eventName":"GetObject","requestParameters":{"key":"k"},"userAgent":"u"}})",
       AnchorValue::State::kOther, "", true},
      {R"({"eventName":"GetObject","requestParameters":{"key":"k"},"userAgent":"u","detail":{"eventName":"PutObject"}})",
       AnchorValue::State::kOther, "", true},
  };
  for (const Case& c : cases) {
    ExtractResult r;
    auto v = ExtractWith(slots, c.json, &r, &plan);
    EXPECT_EQ(v[1].state, c.key) << c.json;
    if (c.key == AnchorValue::State::kString) {
      EXPECT_EQ(v[1].value, c.key_value) << c.json;
    }
    EXPECT_EQ(r.second_look_pending, c.pending) << c.json;
    // A second-look slot outside such an object is read as any other, unless the look is
    // pending (then every second-look slot is kOther).
    if (c.pending) {
      EXPECT_EQ(v[2].state, AnchorValue::State::kOther) << c.json;
    } else {
      EXPECT_EQ(v[2].value, "u") << c.json;
    }
    // Without a plan, every slot is read.
    auto all = ExtractWith(slots, c.json, &r);
    EXPECT_FALSE(r.second_look_pending);
    if (!c.pending) {
      EXPECT_EQ(all[1].state, v[1].state) << c.json;
      EXPECT_EQ(all[1].value, v[1].value) << c.json;
    }
  }
}

}  // namespace
}  // namespace tw::engine

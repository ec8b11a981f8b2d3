#include "engine/extractor.h"

#include <gtest/gtest.h>

namespace tw::engine {
namespace {

using match::AnchorSlot;
using match::AnchorValue;

// Extracts the slots $.eventName and $.userIdentity.type from `json`.
std::vector<AnchorValue> ExtractFrom(const std::string& json, ExtractResult* result = nullptr) {
  std::vector<AnchorSlot> slots(2);
  slots[0].path = {"eventName"};
  slots[1].path = {"userIdentity", "type"};
  AnchorExtractor extractor(slots);
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc = parser.iterate(padded);
  simdjson::ondemand::object obj = doc.get_object();
  std::vector<AnchorValue> values(2);
  std::string scratch;
  auto r = extractor.Extract(obj, values.data(), scratch);
  EXPECT_TRUE(r) << r.error().message;
  if (r && result) *result = *r;
  // Copy the views out: they die with the parser.
  for (auto& v : values) {
    if (v.state == AnchorValue::State::kString) {
      static thread_local std::vector<std::string> keep;
      keep.emplace_back(v.value);
      v.value = keep.back();
    }
  }
  return values;
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

TEST(AnchorExtractor, ArraysAndObjectsAreOtherNumbersAbsent) {
  auto v = ExtractFrom(R"({"eventName":"X","userIdentity":[{"type":"Root"}]})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kOther);  // an array on the way: maybe reachable
  v = ExtractFrom(R"({"eventName":"X","userIdentity":{"type":{"a":1}}})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kOther);
  v = ExtractFrom(R"({"eventName":5,"userIdentity":{"type":null}})");
  EXPECT_EQ(v[1].state, AnchorValue::State::kAbsent);
}

TEST(AnchorExtractor, WrongTypeOfEventNameIsReported) {
  ExtractResult result;
  ExtractFrom(R"({"eventName":5})", &result);
  EXPECT_EQ(result.type_error, "eventName: expected a string, got number");
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

}  // namespace
}  // namespace tw::engine

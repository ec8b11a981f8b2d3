// RuleIndex: a failed RE2::Set::Match must not read as "no match" (issue 8, defect 9).
#include "match/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "match/matcher.h"

namespace tw::match {
namespace {

// Shape rules on $.eventName (suffixes and infixes: regular shapes that go to the RE2::Set,
// not to the two-byte prefix dispatch), enough of them for the index to build a set.
std::vector<std::shared_ptr<const Matcher>> ShapeRules() {
  std::vector<std::shared_ptr<const Matcher>> out;
  for (int i = 0; i < 40; ++i) {
    const std::string pattern = "{ $.eventName = \"*Trail" + std::to_string(i) +
                                "x*\" || $.eventName = \"*Log" + std::to_string(i) + "\" }";
    auto m = CompileMatcher(Language::kFilterPattern, pattern);
    EXPECT_TRUE(m) << m.error().message;
    out.push_back(*m);
  }
  return out;
}

std::vector<uint32_t> CandidatesFor(const RuleIndex& index, std::string_view event_name) {
  std::vector<AnchorValue> values(index.slots().size());
  for (size_t i = 0; i < index.slots().size(); ++i) {
    if (index.slots()[i].Name() == "$.eventName") {
      values[i] = AnchorValue{AnchorValue::State::kString, event_name};
    }
  }
  std::vector<uint32_t> out;
  index.Candidates(values.data(), out);
  return out;
}

TEST(RuleIndex, AFailedShapeSetMatchKeepsEveryShapeRuleACandidate) {
  const auto rules = ShapeRules();
  std::vector<const Matcher*> matchers;
  for (const auto& m : rules) matchers.push_back(m.get());

  // A normal budget: the set answers, rule 7 ("*Trail7x*") is the one candidate of this value.
  auto normal = RuleIndex::Build(matchers);
  ASSERT_EQ(normal->GetStats().buckets.at(0).shape_rules, 40u);
  // A long value, so that the DFA needs many states.
  std::string value;
  for (int i = 0; i < 2000; ++i) value += static_cast<char>('a' + (i * 7919) % 26);
  value += "Trail7x";
  EXPECT_EQ(CandidatesFor(*normal, value), std::vector<uint32_t>{7});
  EXPECT_EQ(normal->shape_set_fallbacks(), 0u);

  // RE2::Set::Match fails (as when its DFA runs out of memory): every shape rule must stay a
  // candidate, and the fallback is counted.
  RuleIndex::BuildOptions failing;
  failing.set_match = [](const re2::RE2::Set&, std::string_view, std::vector<int>* hits,
                         re2::RE2::Set::ErrorInfo* error) {
    hits->clear();
    error->kind = re2::RE2::Set::kOutOfMemory;
    return false;
  };
  auto starved = RuleIndex::Build(matchers, failing);
  const std::vector<uint32_t> got = CandidatesFor(*starved, value);
  EXPECT_EQ(starved->shape_set_fallbacks(), 1u);
  // The requirements still filter on the extracted value: rule 7 survives, and no rule that
  // the value cannot satisfy.
  EXPECT_EQ(got, std::vector<uint32_t>{7});
}

// Values by slot name ("$.eventName", ...); a slot not named is absent.
std::vector<AnchorValue> ValuesFor(const RuleIndex& index,
                                   const std::vector<std::pair<std::string, AnchorValue>>& named) {
  std::vector<AnchorValue> values(index.slots().size());
  for (size_t i = 0; i < index.slots().size(); ++i) {
    for (const auto& [name, value] : named) {
      if (index.slots()[i].Name() == name) values[i] = value;
    }
  }
  return values;
}

std::vector<uint32_t> CandidatesOf(const RuleIndex& index,
                                   const std::vector<std::pair<std::string, AnchorValue>>& named) {
  const std::vector<AnchorValue> values = ValuesFor(index, named);
  std::vector<uint32_t> out;
  index.Candidates(values.data(), out);
  return out;
}

std::shared_ptr<const Matcher> EventPattern(const std::string& pattern) {
  auto m = CompileMatcher(Language::kEventPattern, pattern);
  EXPECT_TRUE(m) << pattern << ": " << m.error().message;
  return m ? *m : nullptr;
}

constexpr auto kString = AnchorValue::State::kString;
constexpr auto kScalar = AnchorValue::State::kScalar;
constexpr auto kOther = AnchorValue::State::kOther;

// EventBridge `exists: true` holds for any leaf value, a number or null too, and not for a
// missing field: the index may drop the rule only when the field is missing. (Rule 1 makes
// errorCode a field the index extracts.)
TEST(RuleIndex, ExistsTrueIsARequirementOnTheExtractedField) {
  const auto rule =
      EventPattern(R"({"detail":{"eventName":["AssumeRole"],"errorCode":[{"exists":true}]}})");
  const auto on_error = EventPattern(R"({"detail":{"errorCode":["Other"]}})");
  auto index = RuleIndex::Build({rule.get(), on_error.get()});
  EXPECT_EQ(index->DescribeAnchor(0), "$.eventName in 1 value");
  const AnchorValue name{kString, "AssumeRole"};
  const std::vector<uint32_t> none;
  const std::vector<uint32_t> rule0{0};
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}}), none);
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.errorCode", {kString, ""}}}), rule0);
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.errorCode", {kScalar, {}}}}), rule0);
  // An array or object: maybe reachable, rule 1 too.
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.errorCode", {kOther, {}}}}),
            (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(CandidatesOf(*index, {{"$.errorCode", {kString, "AccessDenied"}}}), none);
}

// anything-but: a string in the list fails, another string, a number, boolean or null passes
// (a scalar for which the test is false), a missing field fails.
TEST(RuleIndex, AnythingButIsARequirementOnTheExtractedField) {
  const auto rule = EventPattern(
      R"({"detail":{"eventName":["RunInstances"],"awsRegion":[{"anything-but":["us-east-1","eu-west-1"]}]}})");
  const auto on_region = EventPattern(R"({"detail":{"awsRegion":["Other"]}})");
  auto index = RuleIndex::Build({rule.get(), on_region.get()});
  EXPECT_EQ(index->DescribeAnchor(0), "$.eventName in 1 value");
  const AnchorValue name{kString, "RunInstances"};
  const std::vector<uint32_t> none;
  const std::vector<uint32_t> rule0{0};
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.awsRegion", {kString, "us-east-1"}}}),
            none);
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.awsRegion", {kString, "eu-west-1"}}}),
            none);
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.awsRegion", {kString, "ap-south-1"}}}),
            rule0);
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.awsRegion", {kScalar, {}}}}), rule0);
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}, {"$.awsRegion", {kOther, {}}}}),
            (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", name}}), none);
}

// A rule whose only conditions are requirements has no anchor (always a candidate by
// dispatch), and its requirements still apply. A number is no string for an exact value.
TEST(RuleIndex, ARuleWithOnlyRequirementsIsUnindexedButFiltered) {
  const auto exists = EventPattern(R"({"detail":{"errorCode":[{"exists":true}]}})");
  const auto name = EventPattern(R"({"detail":{"eventName":["A"]}})");
  const auto on_error = EventPattern(R"({"detail":{"errorCode":["Other"]}})");
  auto index = RuleIndex::Build({exists.get(), name.get(), on_error.get()});
  EXPECT_EQ(index->DescribeAnchor(0), "unindexed (always evaluated)");
  EXPECT_EQ(CandidatesOf(*index, {}), std::vector<uint32_t>{});
  EXPECT_EQ(CandidatesOf(*index, {{"$.errorCode", {kScalar, {}}}}), std::vector<uint32_t>{0});
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", {kScalar, {}}}}), std::vector<uint32_t>{});
  EXPECT_EQ(CandidatesOf(*index, {{"$.eventName", {kString, "A"}}}), std::vector<uint32_t>{1});
}

std::shared_ptr<const Matcher> FilterPattern(const std::string& pattern) {
  auto m = CompileMatcher(Language::kFilterPattern, pattern);
  EXPECT_TRUE(m) << pattern << ": " << m.error().message;
  return m ? *m : nullptr;
}

// Whether the index decides rule `id` for these values (it must be a candidate first).
bool DecidedFor(const RuleIndex& index, uint32_t id,
                const std::vector<std::pair<std::string, AnchorValue>>& named) {
  const std::vector<AnchorValue> values = ValuesFor(index, named);
  std::vector<uint32_t> candidates;
  index.Candidates(values.data(), candidates);
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), id), candidates.end())
      << "rule " << id << " is not a candidate";
  return index.Decides(id, values.data());
}

// A rule that is a conjunction of string tests on extracted fields, each field tested with
// `or` at most, matches exactly when its candidates' checks pass on strings: the index decides
// it. The same rule with an array in one of its fields is left to the evaluator (EventBridge
// flattens arrays; CloudWatch reads the element).
TEST(RuleIndex, DecidesAConjunctionOfStringTestsOnStrings) {
  const auto cwl = FilterPattern(
      R"({ ($.eventName = "ConsoleLogin" || $.eventName = "Login") && ($.errorCode = "Failed*") })");
  const auto eb = EventPattern(
      R"({"source":["aws.kms"],"detail":{"eventName":["DisableKey","ScheduleKeyDeletion"]}})");
  auto index = RuleIndex::Build({cwl.get(), eb.get()});
  EXPECT_TRUE(DecidedFor(
      *index, 0,
      {{"$.eventName", {kString, "Login"}}, {"$.errorCode", {kString, "Failed authentication"}}}));
  EXPECT_FALSE(
      DecidedFor(*index, 0, {{"$.eventName", {kString, "Login"}}, {"$.errorCode", {kOther, {}}}}));
  EXPECT_TRUE(DecidedFor(
      *index, 1, {{"source", {kString, "aws.kms"}}, {"$.eventName", {kString, "DisableKey"}}}));
  EXPECT_FALSE(
      DecidedFor(*index, 1, {{"source", {kString, "aws.kms"}}, {"$.eventName", {kOther, {}}}}));
}

// A field that must be missing (CloudWatch NOT EXISTS, guarded by the root's presence;
// EventBridge exists: false) is decided on a field the index extracts for some rule: missing,
// the rule matches; there in any form, the evaluator decides. On a field nobody extracts, the
// index cannot know, and never decides the rule.
TEST(RuleIndex, DecidesAMissingFieldOnlyWhereItIsExtracted) {
  const auto cwl = FilterPattern(R"({ ($.eventName = "A") && ($.errorCode NOT EXISTS) })");
  const auto eb = EventPattern(R"({"detail":{"eventName":["B"],"errorCode":[{"exists":false}]}})");
  const auto on_error = EventPattern(R"({"detail":{"errorCode":["Other"]}})");
  auto index = RuleIndex::Build({cwl.get(), eb.get(), on_error.get()});
  for (uint32_t id : {0u, 1u}) {
    const AnchorValue name{kString, id == 0 ? "A" : "B"};
    EXPECT_TRUE(DecidedFor(*index, id, {{"$.eventName", name}})) << id;
    EXPECT_FALSE(DecidedFor(*index, id, {{"$.eventName", name}, {"$.errorCode", {kString, "x"}}}))
        << id;
    EXPECT_FALSE(DecidedFor(*index, id, {{"$.eventName", name}, {"$.errorCode", {kScalar, {}}}}))
        << id;
    EXPECT_FALSE(DecidedFor(*index, id, {{"$.eventName", name}, {"$.errorCode", {kOther, {}}}}))
        << id;
  }
  auto alone = RuleIndex::Build({cwl.get()});
  EXPECT_FALSE(DecidedFor(*alone, 0, {{"$.eventName", {kString, "A"}}}));
}

// Anything the candidate checks do not cover is left to the evaluator: an `or` across fields
// (twice), a numeric test (twice), a condition on an array element.
TEST(RuleIndex, LeavesToTheEvaluatorWhatItsChecksDoNotCover) {
  const std::vector<std::shared_ptr<const Matcher>> rules = {
      FilterPattern(R"({ ($.eventName = "A") || ($.eventSource = "s") })"),
      EventPattern(
          R"({"detail":{"eventName":["A"],"$or":[{"errorCode":["y"]},{"awsRegion":["q"]}]}})"),
      FilterPattern(R"({ ($.eventName = "A") && ($.awsRegion > 1) })"),
      FilterPattern(R"({ ($.eventName = "A") && ($.responseElements.count > 1) })"),
      FilterPattern(R"({ ($.eventName = "A") && ($.resources[0].type = "t") })"),
  };
  std::vector<const Matcher*> matchers;
  for (const auto& r : rules) matchers.push_back(r.get());
  auto index = RuleIndex::Build(matchers);
  const std::vector<std::pair<std::string, AnchorValue>> all_strings = {
      {"$.eventName", {kString, "A"}},
      {"$.eventSource", {kString, "s"}},
      {"$.errorCode", {kString, "y"}},
      {"$.awsRegion", {kString, "r"}},
      {"$.userAgent", {kString, "z"}}};
  const std::vector<AnchorValue> values = ValuesFor(*index, all_strings);
  for (uint32_t id = 0; id < rules.size(); ++id) {
    EXPECT_FALSE(index->Decides(id, values.data())) << "rule " << id;
  }
  // With a rule that dispatches on userAgent, an anything-but there is checked in the first
  // look, and its rule decided.
  const auto anything_but =
      EventPattern(R"({"detail":{"eventName":["A"],"userAgent":[{"anything-but":["x"]}]}})");
  const auto on_agent = EventPattern(R"({"detail":{"userAgent":["Other"]}})");
  auto wider = RuleIndex::Build({anything_but.get(), on_agent.get()});
  EXPECT_EQ(wider->first_look_slots(), wider->slots().size());
  EXPECT_TRUE(
      DecidedFor(*wider, 0, {{"$.eventName", {kString, "A"}}, {"$.userAgent", {kString, "z"}}}));
}

// A filtering condition on a field no rule dispatches or requires a string on adds no field
// to the first look (every event would pay for it). When the rule may be decided with it, the
// field is the second look's; otherwise the rule is evaluated without the check.
TEST(RuleIndex, AFilteringConditionAddsNoFieldToTheFirstLook) {
  const auto rule =
      EventPattern(R"({"detail":{"eventName":["A"],"userAgent":[{"anything-but":["x"]}]}})");
  auto index = RuleIndex::Build({rule.get()});
  ASSERT_EQ(index->first_look_slots(), 1u);
  EXPECT_EQ(index->slots()[0].Name(), "$.eventName");
  ASSERT_EQ(index->slots().size(), 2u);
  EXPECT_EQ(index->slots()[1].Name(), "$.userAgent");
  EXPECT_TRUE(index->WantsSecondLook(0));
  const std::pair<std::string, AnchorValue> name{"$.eventName", {kString, "A"}};
  std::vector<AnchorValue> first = ValuesFor(*index, {name});
  first[1] = {kOther, {}};
  std::vector<uint32_t> candidates;
  index->Candidates(first.data(), candidates);
  EXPECT_EQ(candidates, std::vector<uint32_t>{0});
  EXPECT_FALSE(index->Decides(0, first.data()));
  EXPECT_TRUE(DecidedFor(*index, 0, {name, {"$.userAgent", {kString, "z"}}}));
  EXPECT_EQ(CandidatesOf(*index, {name, {"$.userAgent", {kString, "x"}}}), std::vector<uint32_t>{});

  // With a numeric test the rule is never decided: no field for its filtering condition.
  const auto numeric = EventPattern(
      R"({"detail":{"eventName":["A"],"userAgent":[{"anything-but":["x"]}],"n":[{"numeric":[">",1]}]}})");
  auto plain = RuleIndex::Build({numeric.get()});
  ASSERT_EQ(plain->slots().size(), 1u);
  EXPECT_FALSE(plain->WantsSecondLook(0));
  EXPECT_EQ(CandidatesOf(*plain, {name}), std::vector<uint32_t>{0});
}

// The values of `named`, with the second look's slots unknown (kOther) as before it is taken.
std::vector<AnchorValue> FirstLookValues(
    const RuleIndex& index, const std::vector<std::pair<std::string, AnchorValue>>& named) {
  std::vector<AnchorValue> values = ValuesFor(index, named);
  for (size_t i = index.first_look_slots(); i < values.size(); ++i) values[i] = {kOther, {}};
  return values;
}

std::vector<uint32_t> CandidatesIn(const RuleIndex& index, const std::vector<AnchorValue>& values) {
  std::vector<uint32_t> out;
  index.Candidates(values.data(), out);
  return out;
}

std::vector<std::string> SecondLookSlots(const RuleIndex& index) {
  std::vector<std::string> out;
  for (size_t i = index.first_look_slots(); i < index.slots().size(); ++i) {
    out.push_back(index.slots()[i].Name());
  }
  return out;
}

// Fields deep in the request and response objects that no rule dispatches on are the second
// look's (RuleIndex::first_look_slots): before it, each rule that tests one stays a candidate
// and is not decided; after it, the rule is dropped when its test fails, and decided when all
// its conditions are checked. A field a rule dispatches on is the first look's.
TEST(RuleIndex, TheSecondLookChecksFieldsDeepInTheBulkyObjects) {
  const std::vector<std::shared_ptr<const Matcher>> rules = {
      FilterPattern(R"({ ($.eventName = "PutObject") && ($.requestParameters.key = "*ransom*") })"),
      EventPattern(R"({"detail":{"eventName":["PutObject"],)"
                   R"("requestParameters":{"sse":[{"exists":false}],"key":[{"prefix":"a-"}]}}})"),
      FilterPattern(R"({ ($.eventName = "PutObject") && ($.requestParameters.sse != "AES256") })"),
      FilterPattern(R"({ $.requestParameters.bucketName = "b" })"),
  };
  std::vector<const Matcher*> matchers;
  for (const auto& r : rules) matchers.push_back(r.get());
  auto index = RuleIndex::Build(matchers);
  EXPECT_EQ(SecondLookSlots(*index),
            (std::vector<std::string>{"$.requestParameters.key", "$.requestParameters.sse"}));
  for (uint32_t id = 0; id < 3; ++id) EXPECT_TRUE(index->WantsSecondLook(id)) << id;
  EXPECT_FALSE(index->WantsSecondLook(3));  // its field is its anchor
  // The events whose first walk may read them (engine/extractor.h).
  EXPECT_EQ(index->second_look_event_names(), std::vector<std::string>{"PutObject"});
  ASSERT_GE(index->event_name_slot(), 0);
  EXPECT_EQ(index->slots()[static_cast<size_t>(index->event_name_slot())].Name(), "$.eventName");

  const std::pair<std::string, AnchorValue> put{"$.eventName", {kString, "PutObject"}};
  const auto first = FirstLookValues(*index, {put});
  EXPECT_EQ(CandidatesIn(*index, first), (std::vector<uint32_t>{0, 1, 2}));
  for (uint32_t id = 0; id < 3; ++id) EXPECT_FALSE(index->Decides(id, first.data())) << id;

  // The key matches both tests, sse is missing (which != fails).
  const auto second =
      ValuesFor(*index, {put, {"$.requestParameters.key", {kString, "a-ransom-note"}}});
  EXPECT_EQ(CandidatesIn(*index, second), (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(index->Decides(0, second.data()));
  EXPECT_TRUE(index->Decides(1, second.data()));

  // sse is a number: != accepts it and exists: false does not, which only the evaluator tells.
  const std::pair<std::string, AnchorValue> sse_number{"$.requestParameters.sse", {kScalar, {}}};
  const auto number =
      ValuesFor(*index, {put, {"$.requestParameters.key", {kString, "a-b"}}, sse_number});
  EXPECT_EQ(CandidatesIn(*index, number), (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(index->Decides(1, number.data()));
  EXPECT_FALSE(index->Decides(2, number.data()));

  // Neither key test holds.
  const auto other =
      ValuesFor(*index, {put, {"$.requestParameters.key", {kString, "notes.txt"}}, sse_number});
  EXPECT_EQ(CandidatesIn(*index, other), (std::vector<uint32_t>{2}));
}

// A test for a literal (IS TRUE, [false], [null]) is a requirement on the scalar's text: it
// holds for that literal only, and its rule is decided when the field holds a scalar. A
// string "true", an array (EventBridge flattens it) or a missing field is not decided.
TEST(RuleIndex, DecidesALiteralTestOnTheScalarsText) {
  const auto cwl = FilterPattern(
      R"({ ($.eventName = "GetParameter") && ($.requestParameters.withDecryption IS TRUE) })");
  const auto eb = EventPattern(R"({"detail":{"eventName":["B"],"readOnly":[false]}})");
  const auto null = EventPattern(R"({"detail":{"eventName":["C"],"errorCode":[null]}})");
  auto index = RuleIndex::Build({cwl.get(), eb.get(), null.get()});
  EXPECT_EQ(SecondLookSlots(*index), (std::vector<std::string>{"$.requestParameters.withDecryption",
                                                               "$.readOnly", "$.errorCode"}));
  struct Case {
    uint32_t rule;
    std::string name, field;
    AnchorValue value;
    bool candidate, decided;
  };
  const std::vector<Case> cases = {
      {0, "GetParameter", "$.requestParameters.withDecryption", {kScalar, "true"}, true, true},
      {0, "GetParameter", "$.requestParameters.withDecryption", {kScalar, "false"}, false, false},
      {0, "GetParameter", "$.requestParameters.withDecryption", {kScalar, "1"}, false, false},
      {0, "GetParameter", "$.requestParameters.withDecryption", {kString, "true"}, false, false},
      {0, "GetParameter", "$.requestParameters.withDecryption", {kOther, {}}, true, false},
      {0, "GetParameter", "$.requestParameters.withDecryption", {}, false, false},
      {1, "B", "$.readOnly", {kScalar, "false"}, true, true},
      {1, "B", "$.readOnly", {kScalar, "null"}, false, false},
      {2, "C", "$.errorCode", {kScalar, "null"}, true, true},
      {2, "C", "$.errorCode", {kString, "null"}, false, false},
  };
  for (const Case& c : cases) {
    const auto values = ValuesFor(*index, {{"$.eventName", {kString, c.name}}, {c.field, c.value}});
    const auto candidates = CandidatesIn(*index, values);
    EXPECT_EQ(candidates.size() == 1 && candidates[0] == c.rule, c.candidate)
        << c.field << " " << c.value.value;
    if (c.candidate) {
      EXPECT_EQ(index->Decides(c.rule, values.data()), c.decided) << c.field;
    }
  }
}

// The second look's slots live in the 64-bit masks: with 64 fields in the first look there is
// no room, and a test on a deep field is left to the evaluator as before.
TEST(RuleIndex, TheSecondLookNeedsRoomInTheMasks) {
  std::vector<std::shared_ptr<const Matcher>> rules;
  for (int i = 0; i < 64; ++i) {
    rules.push_back(FilterPattern("{ $.f" + std::to_string(i) + " = \"v\" }"));
  }
  rules.push_back(FilterPattern(
      R"({ ($.eventName = "PutObject") && ($.requestParameters.key = "*ransom*") })"));
  std::vector<const Matcher*> matchers;
  for (const auto& r : rules) matchers.push_back(r.get());
  auto index = RuleIndex::Build(matchers);
  EXPECT_EQ(index->first_look_slots(), index->slots().size());
  EXPECT_EQ(index->slots().size(), 65u);  // f0..f63 and eventName
  EXPECT_FALSE(index->WantsSecondLook(64));
  const auto values = ValuesFor(*index, {{"$.eventName", {kString, "PutObject"}}});
  EXPECT_EQ(CandidatesIn(*index, values), (std::vector<uint32_t>{64}));
  EXPECT_FALSE(index->Decides(64, values.data()));
}

// The memo answers as the set does, for repeated and new values, and a memo used with another
// index forgets the first index's answers.
TEST(RuleIndex, AShapeMemoGivesTheSameCandidates) {
  const auto rules = ShapeRules();
  std::vector<const Matcher*> matchers;
  for (const auto& m : rules) matchers.push_back(m.get());
  auto index = RuleIndex::Build(matchers);
  // The same rules in reverse order: other ids for the same values.
  std::vector<const Matcher*> reversed(matchers.rbegin(), matchers.rend());
  auto other = RuleIndex::Build(reversed);
  RuleIndex::ShapeMemo memo;
  auto with_memo = [&](const RuleIndex& idx, std::string_view value) {
    const auto values = ValuesFor(idx, {{"$.eventName", {kString, value}}});
    std::vector<uint32_t> out;
    idx.Candidates(values.data(), out, &memo);
    return out;
  };
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(with_memo(*index, "xTrail7xy"), std::vector<uint32_t>{7});
    EXPECT_EQ(with_memo(*index, "DeleteLog12"), std::vector<uint32_t>{12});
    EXPECT_EQ(with_memo(*index, "Trail3xLog3"), (std::vector<uint32_t>{3}));
    EXPECT_EQ(with_memo(*index, "nothing"), std::vector<uint32_t>{});
    EXPECT_EQ(with_memo(*other, "xTrail7xy"), std::vector<uint32_t>{32});
    EXPECT_EQ(with_memo(*other, "DeleteLog12"), std::vector<uint32_t>{27});
  }
  // Values longer than the memo keeps are matched each time.
  std::string longer(RuleIndex::ShapeMemo::kMaxMemoValue + 1, 'a');
  longer += "Trail9x";
  EXPECT_EQ(with_memo(*index, longer), std::vector<uint32_t>{9});
  EXPECT_EQ(with_memo(*index, longer), std::vector<uint32_t>{9});
}

}  // namespace
}  // namespace tw::match

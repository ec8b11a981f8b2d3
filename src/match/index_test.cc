// RuleIndex: a failed RE2::Set::Match must not read as "no match" (issue 8, defect 9).
#include "match/index.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tw::match

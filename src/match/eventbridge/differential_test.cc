// Differential test: the compiled fast path must agree with the naive reference matcher on
// every vector and on many generated (pattern, event) pairs. The generator is seeded and uses
// its own arithmetic on a fixed engine, so every run and platform sees the same pairs.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "match/eventbridge/test_util.h"
#include "match/reference/eventbridge_reference.h"

namespace tw::match::eventbridge {
namespace {

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
  template <typename T, size_t N>
  const T& Of(const T (&items)[N]) {
    return items[Pick(N)];
  }

  // ---- events -------------------------------------------------------------------------------
  std::string Scalar() {
    static const char* const kValues[] = {"\"\"",      "\"x\"",      "\"xy\"",
                                          "\"Xy\"",    "\"abc\"",    "\"10.0.0.5\"",
                                          "\"a*b\"",   "\"init-1\"", "\"ab.txt\"",
                                          "\"ÉCOLE\"", "0",          "1",
                                          "1.5",       "5",          "100",
                                          "-3",        "300.0",      "true",
                                          "false",     "null",       "\"2001:db8::1\"",
                                          "\"école\"", "\"X\"",      "1e2"};
    return Of(kValues);
  }

  std::string EventValue(int depth) {
    const size_t kind = depth >= 3 ? 0 : Pick(10);
    if (kind < 5) return Scalar();
    if (kind < 7) return EventObject(depth + 1);
    std::string out = "[";
    const size_t n = Pick(4);
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      out += Chance(15) ? "[" + EventValue(depth + 1) + "]" : EventValue(depth + 1);
    }
    return out + "]";
  }

  std::string EventObject(int depth) {
    static const char* const kKeys[] = {"a", "b", "c", "d"};
    std::string out = "{";
    const size_t n = Pick(4) + (depth == 0 ? 2 : 0);
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      out += "\"" + std::string(Of(kKeys)) + "\":" + EventValue(depth);
    }
    return out + "}";
  }

  // ---- patterns -----------------------------------------------------------------------------
  std::string Str() {
    static const char* const kStrings[] = {"\"\"",    "\"x\"",      "\"xy\"",    "\"abc\"",
                                           "\"a*b\"", "\"init-1\"", "\"école\"", "\"X\""};
    return Of(kStrings);
  }
  std::string Num() {
    static const char* const kNumbers[] = {"0", "1", "1.5", "5", "100", "-3", "300", "1e2"};
    return Of(kNumbers);
  }
  std::string StrOrList(bool allow_empty) {
    static const char* const kAffixes[] = {"\"x\"", "\"a\"", "\"init\"", "\".txt\"",
                                           "\"X\"", "\"b\"", "\"ÉC\""};
    if (Chance(40)) return std::string("[") + Of(kAffixes) + "," + Of(kAffixes) + "]";
    return allow_empty && Chance(10) ? "\"\"" : Of(kAffixes);
  }
  std::string Wild() {
    static const char* const kWild[] = {"\"*\"",   "\"x*\"", "\"*b\"",  "\"a\\\\*b\"",
                                        "\"*c*\"", "\"\"",   "\"X*y\"", "\"*.txt\""};
    return Of(kWild);
  }

  std::string Matcher() {
    switch (Pick(17)) {
      case 0:
        return Str();
      case 1:
        return Num();
      case 2:
        return Chance(50) ? "true" : "false";
      case 3:
        return "null";
      case 4:
        return "{\"prefix\":" +
               std::string(Chance(30) ? "{\"equals-ignore-case\":" + Str() + "}" : Str()) + "}";
      case 5:
        return "{\"suffix\":" +
               std::string(Chance(30) ? "{\"equals-ignore-case\":" + Str() + "}" : Str()) + "}";
      case 6:
        return "{\"equals-ignore-case\":" + Str() + "}";
      case 7:
        return "{\"wildcard\":" + Wild() + "}";
      case 8: {
        static const char* const kRanges[] = {"[\">\",0]", "[\">=\",1,\"<\",10]", "[\"=\",5]",
                                              "[\"<=\",1.5]", "[\">\",-5,\"<=\",100]"};
        return std::string("{\"numeric\":") + Of(kRanges) + "}";
      }
      case 9:
        return std::string("{\"exists\":") + (Chance(50) ? "true" : "false") + "}";
      case 10:
        return "{\"cidr\":\"" + std::string(Chance(70) ? "10.0.0.0/24" : "2001:db8::/32") + "\"}";
      case 11:
        return "{\"anything-but\":" + (Chance(50) ? Str() : Num()) + "}";
      case 12:
        return "{\"anything-but\":[" + Str() + "," + Str() + "]}";
      case 13:
        return "{\"anything-but\":[" + Num() + "," + Num() + "]}";
      case 14: {
        static const char* const kOps[] = {"prefix", "suffix"};
        return "{\"anything-but\":{\"" + std::string(Of(kOps)) + "\":" + StrOrList(false) + "}}";
      }
      case 15:
        return "{\"anything-but\":{\"equals-ignore-case\":" + StrOrList(true) + "}}";
      default:
        return "{\"anything-but\":{\"wildcard\":" +
               (Chance(30) ? "[" + Wild() + "," + Wild() + "]" : Wild()) + "}}";
    }
  }

  std::string PatternObject(int depth) {
    static const char* const kKeys[] = {"a", "b", "c", "d", "a.b", "b.c"};
    std::string out = "{";
    const size_t n = Pick(depth == 0 ? 3 : 2) + 1;
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      if (depth < 3 && Chance(12)) {
        out += "\"$or\":[";
        const size_t alts = 2 + Pick(2);
        for (size_t a = 0; a < alts; ++a) out += (a ? "," : "") + PatternObject(depth + 1);
        out += "]";
        continue;
      }
      out += "\"" + std::string(Of(kKeys)) + "\":";
      if (depth < 3 && Chance(35)) {
        out += PatternObject(depth + 1);
      } else {
        out += "[";
        const size_t m = 1 + Pick(3);
        for (size_t j = 0; j < m; ++j) out += (j ? "," : "") + Matcher();
        out += "]";
      }
    }
    return out + "}";
  }

 private:
  std::mt19937 rng_;
};

TEST(EventBridgeDifferential, GeneratedPairs) {
  Gen gen(20240611);
  constexpr int kPatterns = 1500;
  constexpr int kEventsPerPattern = 8;
  int compared = 0, matched = 0, failures = 0;
  for (int p = 0; p < kPatterns; ++p) {
    std::string pattern = gen.PatternObject(0);
    while (pattern.size() > 2048) pattern = gen.PatternObject(0);  // AWS's default size limit
    auto node = CompileEventPattern(pattern);
    ASSERT_TRUE(node) << "generated pattern rejected: " << pattern << "\n" << node.error().message;
    for (int e = 0; e < kEventsPerPattern; ++e) {
      const std::string event = gen.EventObject(0);
      auto fast = testing::FastMatch(**node, event);
      auto ref = reference::ReferenceMatchEventPattern(pattern, event);
      ASSERT_TRUE(fast) << event;
      ASSERT_TRUE(ref) << ref.error().message << "\npattern: " << pattern;
      ++compared;
      matched += *fast ? 1 : 0;
      if (*fast != *ref && ++failures <= 20) {
        ADD_FAILURE() << "fast=" << *fast << " reference=" << *ref << "\npattern: " << pattern
                      << "\nevent:   " << event << "\nIR:      " << DumpIr(**node);
      }
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(compared, kPatterns * kEventsPerPattern);
  // The generator must exercise both outcomes.
  EXPECT_GT(matched, compared / 20);
  EXPECT_LT(matched, compared - compared / 20);
  RecordProperty("compared", compared);
  RecordProperty("matched", matched);
}

// Array-heavy pairs: events whose values are mostly arrays of objects, with patterns of nested
// objects, to stress the same-element rule and exists:false under arrays.
TEST(EventBridgeDifferential, ArraysOfObjects) {
  Gen gen(7);
  int compared = 0, matched = 0, failures = 0;
  for (int p = 0; p < 1500; ++p) {
    std::string pattern = "{\"a\":" + gen.PatternObject(1) + "}";
    while (pattern.size() > 2048) pattern = "{\"a\":" + gen.PatternObject(1) + "}";
    auto node = CompileEventPattern(pattern);
    ASSERT_TRUE(node) << pattern << "\n" << node.error().message;
    for (int e = 0; e < 6; ++e) {
      std::string event = "{\"a\":[";
      const size_t n = 1 + gen.Pick(3);
      for (size_t i = 0; i < n; ++i) event += (i ? "," : "") + gen.EventObject(1);
      event += "]}";
      auto fast = testing::FastMatch(**node, event);
      auto ref = reference::ReferenceMatchEventPattern(pattern, event);
      ASSERT_TRUE(fast && ref);
      ++compared;
      matched += *fast ? 1 : 0;
      if (*fast != *ref && ++failures <= 20) {
        ADD_FAILURE() << "fast=" << *fast << " reference=" << *ref << "\npattern: " << pattern
                      << "\nevent:   " << event << "\nIR:      " << DumpIr(**node);
      }
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(matched, compared / 50);
  RecordProperty("compared", compared);
  RecordProperty("matched", matched);
}

// Numbers beyond simdjson's range in the event (issue 8, defect 11) are read as the nearest
// double (docs/json-input.md, "Numbers"); the verdicts are worked out by hand: 1e999 is
// +infinity, -1e999 -infinity, 18446744073709551616 is 2^64, 99999999999999999999 is 1e20.
// The fast path and the reference must both give them.
TEST(EventBridgeDifferential, NumbersBeyondTheJsonReader) {
  struct Case {
    const char* pattern;
    const char* n;
    bool match;
  };
  const Case cases[] = {
      {R"({"n":[{"numeric":[">",1000]}]})", "1e999", true},
      {R"({"n":[{"numeric":[">=",0,"<",1000]}]})", "1e999", false},
      {R"({"n":[{"numeric":["<",0]}]})", "-1e999", true},
      {R"({"n":[{"numeric":["<=",-1000]}]})", "-1E999", true},
      {R"({"n":[{"numeric":[">",1000]}]})", "-1e999", false},
      {R"({"n":[{"numeric":["=",18446744073709551616]}]})", "18446744073709551616", true},
      {R"({"n":[18446744073709551616]})", "18446744073709551616", true},
      {R"({"n":[1e20]})", "99999999999999999999", true},
      {R"({"n":[1]})", "1.0000000000000000001", true},
      {R"({"n":[0]})", "-0", true},
      {R"({"n":[{"anything-but":[5]}]})", "1e999", true},
      {R"({"n":[{"anything-but":"x"}]})", "1e999", true},  // a number is anything but a string
      {R"({"n":[{"exists":true}]})", "1e999", true},
      {R"({"n":["1e999"]})", "1e999", false},  // a string never equals a number
      {R"({"x":[1]})", "1e999", true},         // the event is evaluated: other fields match
  };
  for (const Case& c : cases) {
    const std::string event = std::string(R"({"x":1,"n":)") + c.n + "}";
    auto fast = testing::FastMatch(c.pattern, event);
    ASSERT_TRUE(fast) << c.pattern << ": " << fast.error().message;
    EXPECT_EQ(*fast, c.match) << c.pattern << " on " << event;
    auto ref = reference::ReferenceMatchEventPattern(c.pattern, event);
    ASSERT_TRUE(ref) << ref.error().message;
    EXPECT_EQ(*ref, c.match) << "reference: " << c.pattern << " on " << event;
  }
}

}  // namespace
}  // namespace tw::match::eventbridge

// Differential tests: the compiled matcher (CompileFilterPattern + Evaluate) must agree with the
// naive reference matcher (match/reference/cwl_reference.h) on generated patterns and events.
// The generator is seeded, so every run tests the same pairs; a failure prints both texts.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "match/cwl/test_util.h"

namespace tw::match::cwl {
namespace {

constexpr uint32_t kSeed = 20261128;

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Below(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  std::string Blank() { return Pick<std::string>({"", " ", "  "}); }

  // ---- JSON events: CloudTrail-like keys, nested objects, arrays, numbers, null, booleans,
  // and strings that look like wildcards, numbers or regex bait.
  std::string Scalar() {
    static const std::vector<std::string> kScalars = {"\"CreateTrail\"",
                                                      "\"UpdateTrail\"",
                                                      "\"DeleteTrail\"",
                                                      "\"ConsoleLogin\"",
                                                      "\"AccessDenied\"",
                                                      "\"AccessDeniedException\"",
                                                      "\"Client.UnauthorizedOperation\"",
                                                      "\"Ev*ent\"",
                                                      "\"*\"",
                                                      "\"a*b\"",
                                                      "\"EvXent\"",
                                                      "\"400\"",
                                                      "\"4e2\"",
                                                      "\"-1\"",
                                                      "\"\"",
                                                      "\"Yes\"",
                                                      "\"No\"",
                                                      "\"Root\"",
                                                      "\"IAMUser\"",
                                                      "\"s3.amazonaws.com\"",
                                                      "\"111.111.111.111\"",
                                                      "\"m5.8xlarge\"",
                                                      "\"m5.16xlarge\"",
                                                      "\"true\"",
                                                      "\"null\"",
                                                      "\"a b\"",
                                                      "\"aaa\"",
                                                      "\"Trail%\"",
                                                      "0",
                                                      "1",
                                                      "2",
                                                      "-1",
                                                      "400",
                                                      "400.0",
                                                      "404",
                                                      "500",
                                                      "1000",
                                                      "1e3",
                                                      "0.001",
                                                      "55.5",
                                                      "1e-3",
                                                      "9999",
                                                      "true",
                                                      "false",
                                                      "null"};
    return Pick(kScalars);
  }
  std::string Value(int depth) {
    const size_t kind = depth >= 3 ? 0 : Below(10);
    if (kind < 6) return Scalar();
    if (kind < 8) {
      std::string out = "[";
      const size_t n = Below(4);
      for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + Value(depth + 1);
      return out + "]";
    }
    return Object(depth + 1);
  }
  std::string Object(int depth) {
    static const std::vector<std::string> kKeys = {"eventName",
                                                   "eventSource",
                                                   "errorCode",
                                                   "userIdentity",
                                                   "type",
                                                   "invokedBy",
                                                   "requestParameters",
                                                   "instanceType",
                                                   "arrayKey",
                                                   "objectList",
                                                   "name",
                                                   "id",
                                                   "latency",
                                                   "flag",
                                                   "SomeObject",
                                                   "cluster.name",
                                                   "MFAUsed",
                                                   "users",
                                                   "a",
                                                   "b"};
    std::string out = "{";
    const size_t n = Below(depth == 0 ? 7 : 4) + (depth == 0 ? 1 : 0);
    for (size_t i = 0; i < n; ++i) {
      out += (i ? "," : "") + ("\"" + Pick(kKeys) + "\":") + Value(depth);
    }
    return out + "}";
  }
  std::string Event() {
    if (Chance(4)) return Pick<std::string>({"plain text eventName", "[1,2]", "\"str\"", "", "{"});
    return Object(0);
  }

  // ---- JSON patterns
  std::string Selector() {
    static const std::vector<std::vector<std::string>> kPaths = {
        {"$.eventName"},
        {"$.eventSource"},
        {"$.errorCode"},
        {"$.userIdentity.type"},
        {"$.userIdentity.invokedBy"},
        {"$.requestParameters.instanceType"},
        {"$.arrayKey[0]"},
        {"$.arrayKey[1]"},
        {"$.latency"},
        {"$.flag"},
        {"$.SomeObject"},
        {"$.['cluster.name']"},
        {"$.users[0].name"},
        {"$.objectList[1].id"},
        {"$.a.b"},
        {"$.a[0][1]"},
        {"$.missing"},
        {"$.MFAUsed"},
        {"$.a"},
        {"$.b"},
        {"$.users"},
        {"$.id"},
        {"$.name"},
        {"$.type"},
        // wildcard selectors (counted)
        {"$.arrayKey[*]", "*"},
        {"$.objectList[*].name", "*"},
        {"$.objectList[*].id", "*"},
        {"$.*", "*"},
        {"$.userIdentity.*", "*"},
        {"$.a[*]", "*"},
        {"$.b.*", "*"},
        {"$.users[*]", "*"}};
    while (true) {
      const auto& p = Pick(kPaths);
      if (p.size() == 1) return p[0];
      if (wildcards_ < 3) {
        ++wildcards_;
        return p[0];
      }
    }
  }
  std::string PatternValue(bool numeric) {
    static const std::vector<std::string> kNumbers = {
        "0",    "1",   "2",    "-1",    "400",  "+400",  "4e2",  "400.0", "404", "500",
        "1000", "1e3", "1e+3", "0.001", "1e-3", "10e-3", "55.5", "9999",  "-0"};
    static const std::vector<std::string> kStrings = {"CreateTrail",
                                                      "\"CreateTrail\"",
                                                      "UpdateTrail",
                                                      "*Trail",
                                                      "\"*Trail\"",
                                                      "Create*",
                                                      "\"AccessDenied*\"",
                                                      "\"*UnauthorizedOperation\"",
                                                      "*Denied*",
                                                      "*",
                                                      "\"*\"",
                                                      "Ev*ent",
                                                      "\"Ev*ent\"",
                                                      "\"a b\"",
                                                      "Yes",
                                                      "\"Yes\"",
                                                      "Root",
                                                      "s3.amazonaws.com",
                                                      "*.8xlarge",
                                                      "111.111.*",
                                                      "\"400\"",
                                                      "true",
                                                      "null",
                                                      "\"\"",
                                                      "a*b",
                                                      "**",
                                                      "\"Trail%\""};
    static const std::vector<std::string> kRegexes = {
        "%Trail%", "%^Create%",  "%[0-9]{3}%", "%gra|Trail$%", "%\\d+%",   "%a{,2}b%", "%\\.%",
        "%^$%",    "%A[a-z]+D%", "%\\x2A%",    "%[^a-z]%",     "%Ev.ent%", "%1e%"};
    if (numeric) return Pick(kNumbers);
    const size_t kind = Below(10);
    if (kind < 4) return Pick(kNumbers);
    if (kind < 8 || regexes_ >= 2) return Pick(kStrings);
    ++regexes_;
    return Pick(kRegexes);
  }
  std::string Comparison() {
    static const std::vector<std::string> kOps = {
        "=",  "=",  "=",       "!=",      "!=",       "<",         ">",
        "<=", ">=", "IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"};
    const std::string sel = Selector();
    const std::string& op = Pick(kOps);
    if (op[0] == 'I' || op[0] == 'N') return sel + " " + op;
    const bool numeric = op != "=" && op != "!=";
    return sel + Blank() + op + Blank() + PatternValue(numeric);
  }
  std::string Expr(int depth) {
    if (depth >= 3 || Chance(40)) {
      std::string c = Comparison();
      return Chance(30) ? "(" + Blank() + c + Blank() + ")" : c;
    }
    const std::string join = Chance(50) ? "&&" : "||";
    std::string out = Expr(depth + 1);
    const size_t n = 1 + Below(3);
    for (size_t i = 0; i < n; ++i) out += Blank() + join + Blank() + Expr(depth + 1);
    return Chance(50) ? "(" + out + ")" : out;
  }
  std::string JsonPattern() {
    wildcards_ = 0;
    regexes_ = 0;
    return "{" + Blank() + Expr(0) + Blank() + "}";
  }

  // ---- Space-delimited patterns and log lines
  std::string LogLine() {
    static const std::vector<std::string> kTokens = {"127.0.0.1",
                                                     "-",
                                                     "frank",
                                                     "[10/Oct/2000:13:25:15 -0700]",
                                                     "\"GET /index.html HTTP/1.0\"",
                                                     "404",
                                                     "200",
                                                     "1534",
                                                     "ERROR",
                                                     "WARN",
                                                     "INFO",
                                                     "x",
                                                     "1e3",
                                                     "4xx",
                                                     "[]",
                                                     "\"\"",
                                                     "Ev*ent"};
    std::string out;
    const size_t n = Below(8);
    for (size_t i = 0; i < n; ++i) out += (i ? Pick<std::string>({" ", "  "}) : "") + Pick(kTokens);
    return out;
  }
  std::string FieldCondition(const std::string& name) {
    static const std::vector<std::string> kConds = {
        "= 404",     "!= 404",    "> 1000",  "<= 404",   ">= 200",
        "= 4*",      "= *.html*", "= frank", "!= frank", "= \"GET /index.html HTTP/1.0\"",
        "= 10/Oct*", "= *",       "= ERROR", "!= ERROR", "= %^[0-9]+$%",
        "= %html%",  "= 1e3",     "= 1000",  "= Ev*ent", "= *x"};
    std::string out = name + Blank() + Pick(kConds);
    if (Chance(25))
      out += Blank() + (Chance(50) ? "||" : "&&") + Blank() + name + " " + Pick(kConds);
    return out;
  }
  std::string DelimitedPattern() {
    std::string out = "[";
    const size_t n = 1 + Below(6);
    for (size_t i = 0; i < n; ++i) {
      if (i) out += "," + Blank();
      const size_t kind = Below(10);
      const std::string name = "f" + std::to_string(i);
      if (kind < 2) {
        out += "...";
      } else if (kind < 6) {
        out += name;
      } else {
        out += FieldCondition(name);
      }
    }
    return out + "]";
  }

  // ---- Term and regex patterns
  std::string TermPattern() {
    static const std::vector<std::string> kTerms = {
        "ERROR",     "WARN",    "ARGUMENTS", "\"INTERNAL SERVER\"", "\" \"", "\"\"", "400",
        "Exception", "REQUEST", "\"a b\""};
    static const std::vector<std::string> kRegexes = {
        "%ERROR%", "%^\\[ERROR%", "%[0-9]{3}%", "%ERR|WARN%", "%\\s4%", "%R{2,}%", "%^$%"};
    if (Chance(20)) return Pick(kRegexes);
    std::string out;
    const size_t n = 1 + Below(4);
    for (size_t i = 0; i < n; ++i) {
      const std::string& term = Pick(kTerms);
      std::string prefix = Pick<std::string>({"", "", "?", "-"});
      if (prefix == "-" && (term == "\" \"" || term == "\"\"")) prefix.clear();  // an error
      out += (i ? " " : "") + prefix + term;
    }
    return out;
  }
  std::string TextLine() {
    static const std::vector<std::string> kWords = {
        "[ERROR",  "400]",      "BAD",
        "REQUEST", "INTERNAL",  "SERVER",
        "WARN",    "ARGUMENTS", "IllegalArgumentException",
        "a",       "b",         "ERRORS",
        "RR"};
    std::string out;
    const size_t n = Below(6);
    for (size_t i = 0; i < n; ++i) out += (i ? " " : "") + Pick(kWords);
    return out;
  }

 private:
  std::mt19937 rng_;
  size_t wildcards_ = 0;
  size_t regexes_ = 0;
};

// Checks one pair; returns false (and records a failure) on disagreement.
void ExpectAgree(const std::string& pattern, const std::string& message, size_t* compared) {
  auto parsed = ParseFilterPattern(pattern);
  ASSERT_TRUE(parsed.has_value()) << RenderPatternError(pattern, parsed.error());
  auto compiled = CompileFilterPattern(pattern);
  ASSERT_TRUE(compiled.has_value());
  const bool fast = testing::FastMatches(**compiled, message);
  const bool ref = reference::ReferenceMatchFilterPattern(*parsed, message);
  ++*compared;
  EXPECT_EQ(fast, ref) << "pattern: " << pattern << "\nevent:   " << message
                       << "\nIR:      " << DumpIr(**compiled);
}

TEST(CwlDifferential, JsonPatterns) {
  Gen gen(kSeed);
  size_t compared = 0;
  size_t matched = 0;
  for (int p = 0; p < 600 && !HasFailure(); ++p) {
    const std::string pattern = gen.JsonPattern();
    for (int e = 0; e < 10 && !HasFailure(); ++e) {
      const std::string event = gen.Event();
      ExpectAgree(pattern, event, &compared);
      auto parsed = ParseFilterPattern(pattern);
      matched += reference::ReferenceMatchFilterPattern(*parsed, event) ? 1 : 0;
    }
  }
  EXPECT_EQ(compared, 6000u);
  // The generator must exercise both outcomes, not only "no match".
  EXPECT_GT(matched, compared / 10);
  EXPECT_LT(matched, compared * 9 / 10);
}

TEST(CwlDifferential, DelimitedPatterns) {
  Gen gen(kSeed + 1);
  size_t compared = 0;
  for (int p = 0; p < 300 && !HasFailure(); ++p) {
    const std::string pattern = gen.DelimitedPattern();
    for (int e = 0; e < 10 && !HasFailure(); ++e) ExpectAgree(pattern, gen.LogLine(), &compared);
  }
  EXPECT_EQ(compared, 3000u);
}

TEST(CwlDifferential, TermAndRegexPatterns) {
  Gen gen(kSeed + 2);
  size_t compared = 0;
  for (int p = 0; p < 200 && !HasFailure(); ++p) {
    const std::string pattern = gen.TermPattern();
    for (int e = 0; e < 10 && !HasFailure(); ++e) ExpectAgree(pattern, gen.TextLine(), &compared);
  }
  EXPECT_EQ(compared, 2000u);
}

// Known disagreement, outside this folder: the evaluator's ParseNumber (match/evaluator.cc, via
// std::from_chars) also accepts "1." and ".5" as numeric strings, and "+-5" after stripping the
// "+" ("inf" and "nan" are probed too). docs/cwl-filter-patterns.md fixes numeric strings to the
// pattern number grammar, which the reference follows. Enable once evaluator.cc is tightened.
TEST(CwlDifferential, NumericStringsFollowTheNumberGrammar) {
  size_t compared = 0;
  for (const char* s : {"inf", "nan", "Infinity", "1.", ".5", "+-5"}) {
    const std::string event = std::string("{\"n\":\"") + s + "\"}";
    ExpectAgree("{ $.n > -1000 }", event, &compared);
    ExpectAgree("{ $.n != 5 }", event, &compared);
    ExpectAgree("[n > -1000]", s, &compared);
  }
}

}  // namespace
}  // namespace tw::match::cwl

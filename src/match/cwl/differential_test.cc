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

// Checks one pair: both parsers must accept the pattern, and both matchers must agree.
void ExpectAgree(const std::string& pattern, const std::string& message, size_t* compared,
                 size_t* matched = nullptr) {
  auto compiled = CompileFilterPattern(pattern);
  ASSERT_TRUE(compiled.has_value()) << compiled.error().message;
  auto ref = reference::ReferenceMatchFilterPattern(pattern, message);
  ASSERT_TRUE(ref.has_value()) << "the reference parser rejects " << pattern << ": "
                               << ref.error().message;
  const bool fast = testing::FastMatches(**compiled, message);
  ++*compared;
  if (matched != nullptr && *ref) ++*matched;
  EXPECT_EQ(fast, *ref) << "pattern: " << pattern << "\nevent:   " << message
                        << "\nIR:      " << DumpIr(**compiled);
}

// Checks that both parsers accept `pattern`, or both reject it; when both accept, that both
// matchers agree on `message`.
void ExpectSameVerdict(const std::string& pattern, const std::string& message, size_t* compared,
                       size_t* rejected) {
  auto compiled = CompileFilterPattern(pattern);
  auto ref = reference::ReferenceMatchFilterPattern(pattern, message);
  ++*compared;
  ASSERT_EQ(compiled.has_value(), ref.has_value())
      << "pattern: " << pattern
      << "\nfast path: " << (compiled ? "accepts" : "rejects: " + compiled.error().message)
      << "\nreference: " << (ref ? "accepts" : "rejects: " + ref.error().message);
  if (!compiled) {
    ++*rejected;
    return;
  }
  EXPECT_EQ(testing::FastMatches(**compiled, message), *ref)
      << "pattern: " << pattern << "\nevent:   " << message << "\nIR:      " << DumpIr(**compiled);
}

TEST(CwlDifferential, JsonPatterns) {
  Gen gen(kSeed);
  size_t compared = 0;
  size_t matched = 0;
  for (int p = 0; p < 600 && !HasFailure(); ++p) {
    const std::string pattern = gen.JsonPattern();
    for (int e = 0; e < 10 && !HasFailure(); ++e) {
      ExpectAgree(pattern, gen.Event(), &compared, &matched);
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

// Strings that std::from_chars or strtod would read as numbers ("1.", ".5", "inf", "+-5") are
// not numeric strings: docs/cwl-filter-patterns.md fixes them to the pattern number grammar, and
// the evaluator (match/evaluator.cc) and the reference both follow it.
TEST(CwlDifferential, NumericStringsFollowTheNumberGrammar) {
  size_t compared = 0;
  for (const char* s : {"inf", "nan", "Infinity", "1.", ".5", "+-5"}) {
    const std::string event = std::string("{\"n\":\"") + s + "\"}";
    ExpectAgree("{ $.n > -1000 }", event, &compared);
    ExpectAgree("{ $.n != 5 }", event, &compared);
    ExpectAgree("[n > -1000]", s, &compared);
  }
}

// Numeric edge cases, in patterns and in events: out of double range, signed zero, hex, a leading
// plus, 20-digit integers, and decimals without a digit on one side. Every pattern is given to
// both parsers (which must agree on accepting it) and every accepted one is matched against
// every event by both matchers. Events whose number is beyond what simdjson itself accepts are in
// NumbersBeyondTheJsonReader below.
const std::vector<std::string>& EdgeNumbers() {
  static const auto* numbers = new std::vector<std::string>{"1e999",
                                                            "-1e999",
                                                            "1E999",
                                                            "1e-999",
                                                            "-1e-999",
                                                            "-0",
                                                            "+0",
                                                            "0",
                                                            "-0.0",
                                                            "0.0",
                                                            "0x10",
                                                            "+5",
                                                            "+400",
                                                            "400",
                                                            "5.",
                                                            ".5",
                                                            "5.0",
                                                            "0.5",
                                                            "-.5",
                                                            "1e",
                                                            "1e+",
                                                            "++1",
                                                            "12345678901234567890",
                                                            "18446744073709551615",
                                                            "18446744073709551616",
                                                            "99999999999999999999",
                                                            "-99999999999999999999",
                                                            "100000000000000000000",
                                                            "1e20",
                                                            "1e308",
                                                            "1.7976931348623157e308",
                                                            "4.9e-324",
                                                            "16"};
  return *numbers;
}

// Literals that are valid JSON numbers but that simdjson refuses ("Problem while parsing a
// number"): magnitudes beyond a double, and integers beyond 64 bits.
bool BeyondTheJsonReader(const std::string& n) {
  return n == "1e999" || n == "-1e999" || n == "1E999" || n == "99999999999999999999" ||
         n == "-99999999999999999999" || n == "100000000000000000000" ||
         n == "18446744073709551616";
}

TEST(CwlDifferential, NumericEdgeCases) {
  const std::vector<std::string> ops = {"=", "!=", "<", ">", "<=", ">="};
  std::vector<std::string> json_events, lines;
  for (const std::string& n : EdgeNumbers()) {
    if (!BeyondTheJsonReader(n)) json_events.push_back("{\"n\":" + n + "}");
    json_events.push_back("{\"n\":\"" + n + "\"}");
    lines.push_back(n);
    lines.push_back("x " + n);
  }
  size_t patterns = 0, rejected = 0, compared = 0, unused = 0;
  for (const std::string& n : EdgeNumbers()) {
    for (const std::string& op : ops) {
      const std::string json = "{ $.n " + op + " " + n + " }";
      const std::string delimited = "[n " + op + " " + n + "]";
      const std::string two_fields = "[x, n" + op + n + "]";
      patterns += 3;
      for (const std::string& e : json_events) ExpectSameVerdict(json, e, &compared, &unused);
      for (const std::string& l : lines) ExpectSameVerdict(delimited, l, &compared, &unused);
      for (const std::string& l : lines) ExpectSameVerdict(two_fields, l, &compared, &unused);
      size_t r = 0, c = 0;
      ExpectSameVerdict(json, "{}", &c, &r);
      ExpectSameVerdict(delimited, "", &c, &r);
      ExpectSameVerdict(two_fields, "", &c, &r);
      rejected += r;
      if (HasFailure()) return;
    }
  }
  EXPECT_EQ(patterns, EdgeNumbers().size() * ops.size() * 3);
  // Every spelling outside the grammar is rejected after < > <= >=: 0x10, 5., .5, -.5, 1e, 1e+,
  // ++1 (7 numbers x 4 operators x 3 shapes).
  EXPECT_EQ(rejected, 7u * 4 * 3);
  EXPECT_GT(compared, 10000u);
}

// A number beyond simdjson's range is still a JSON number: a JSON pattern sees the message as an
// object whose value is +-infinity or the nearest double (docs/cwl-filter-patterns.md). The fast
// path reads it with match::DomParser's number fallback (issue 8, defect 11).
TEST(CwlDifferential, NumbersBeyondTheJsonReader) {
  size_t compared = 0;
  for (const std::string& n : EdgeNumbers()) {
    if (!BeyondTheJsonReader(n)) continue;
    for (const char* pattern : {"{ $.n > 1000 }", "{ $.n < 0 }", "{ $.n = 1e999 }", "{ $.x = 1 }",
                                "{ $.n != 5 }", "{ $.n NOT EXISTS }"}) {
      ExpectAgree(pattern, "{\"x\":1,\"n\":" + n + "}", &compared);
    }
  }
  EXPECT_EQ(compared, 7u * 6);
}

// The same numbers with the verdicts worked out by hand from the rule "the nearest double, as
// strtod reads it" (docs/cwl-filter-patterns.md): 1e999 is +infinity, -99999999999999999999 is
// -1e20, 18446744073709551616 is 2^64, 1.0000000000000000001 is 1, -0 is 0.
TEST(CwlDifferential, NumbersBeyondTheJsonReaderByHand) {
  struct Case {
    const char* pattern;
    const char* n;
    bool match;
  };
  const Case cases[] = {
      {"{ $.n > 1000 }", "1e999", true},
      {"{ $.n = 1e999 }", "1e999", true},
      {"{ $.n < 1e999 }", "1e999", false},
      {"{ $.n >= 1.7976931348623157e308 }", "1e999", true},
      {"{ $.n < 0 }", "-1e999", true},
      {"{ $.n = -1e999 }", "-1E999", true},
      {"{ $.n = 18446744073709551616 }", "18446744073709551616", true},
      {"{ $.n = 18446744073709551615 }", "18446744073709551616", true},  // same double
      {"{ $.n > 18446744073709551615 }", "18446744073709551616", false},
      {"{ $.n = 1e20 }", "99999999999999999999", true},
      {"{ $.n <= -1e20 }", "-99999999999999999999", true},
      {"{ $.n > 1e29 }", "123456789012345678901234567890", true},
      {"{ $.n = 1 }", "1.0000000000000000001", true},
      {"{ $.n = 0 }", "-0", true},
      {"{ $.n != 5 }", "1e999", true},
      {"{ $.x = 1 }", "1e999", true},  // the record is evaluated: other fields still match
      {"{ $.n NOT EXISTS }", "1e999", false},
      {"{ $.n = \"1e999\" }", "1e999", false},  // a quoted value matches strings only
      {"1e999", "1e999", true},                 // a term matches the raw text
      {"{ $.n = * }", "-99999999999999999999", true},
  };
  for (const Case& c : cases) {
    const std::string event = std::string("{\"x\":1,\"n\":") + c.n + "}";
    auto compiled = CompileFilterPattern(c.pattern);
    ASSERT_TRUE(compiled.has_value()) << c.pattern << ": " << compiled.error().message;
    EXPECT_EQ(testing::FastMatches(**compiled, event), c.match) << c.pattern << " on " << event;
    auto ref = reference::ReferenceMatchFilterPattern(c.pattern, event);
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    EXPECT_EQ(*ref, c.match) << "reference: " << c.pattern << " on " << event;
  }
}

// Mutants of generated patterns (cut short, a character dropped, a syntax character inserted):
// the two parsers must accept and reject the same ones, and agree on those they accept.
TEST(CwlDifferential, MutatedPatternsGetTheSameVerdict) {
  Gen gen(kSeed + 3);
  const std::string kInserts = "()[]{}\"%=!<>&|,*.$ \\-?0eIS";
  size_t compared = 0, rejected = 0;
  for (int p = 0; p < 1500 && !HasFailure(); ++p) {
    const size_t shape = gen.Below(3);
    std::string pattern = shape == 0   ? gen.JsonPattern()
                          : shape == 1 ? gen.DelimitedPattern()
                                       : gen.TermPattern();
    const std::string event = shape == 0   ? gen.Event()
                              : shape == 1 ? gen.LogLine()
                                           : gen.TextLine();
    const size_t at = gen.Below(pattern.size() + 1);
    switch (gen.Below(3)) {
      case 0:
        pattern.resize(at);
        break;
      case 1:
        if (at < pattern.size()) pattern.erase(at, 1);
        break;
      default:
        pattern.insert(at, 1, kInserts[gen.Below(kInserts.size())]);
    }
    ExpectSameVerdict(pattern, event, &compared, &rejected);
  }
  EXPECT_EQ(compared, 1500u);
  // The mutants must exercise both verdicts.
  EXPECT_GT(rejected, compared / 10);
  EXPECT_LT(rejected, compared * 9 / 10);
}

}  // namespace
}  // namespace tw::match::cwl

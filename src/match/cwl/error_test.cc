// Error reporting: the column, the caret under the spot, and the hint.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "match/cwl/compile.h"

namespace tw::match::cwl {
namespace {

struct Rendered {
  size_t column = 0;
  std::vector<std::string> lines;
};

Rendered Reject(const std::string& pattern) {
  Rendered r;
  auto node = CompileFilterPattern(pattern);
  EXPECT_FALSE(node.has_value()) << pattern;
  if (node) return r;
  EXPECT_EQ(node.error().code, ErrorCode::kInvalidArgument);
  r.column = ErrorColumn(node.error());
  std::string line;
  for (char c : node.error().message) {
    if (c == '\n') {
      r.lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  r.lines.push_back(line);
  EXPECT_EQ(r.lines.size(), 4u) << node.error().message;
  return r;
}

// The caret sits under column `column` of the echoed pattern.
void ExpectCaretAt(const Rendered& r, const std::string& pattern) {
  ASSERT_EQ(r.lines.size(), 4u);
  const size_t caret = r.lines[2].find('^');
  ASSERT_NE(caret, std::string::npos);
  ASSERT_GE(caret, 2u);
  if (pattern.size() <= 100) {
    EXPECT_EQ(r.lines[1], "  " + pattern);
    EXPECT_EQ(caret - 2, r.column - 1);
  }
  if (r.column <= pattern.size()) {
    ASSERT_LT(caret, r.lines[1].size());
    EXPECT_EQ(r.lines[1][caret], pattern[r.column - 1]);
  }
}

TEST(CwlErrors, JsonObjectSeedShowsTheValidForm) {
  const std::string pattern =
      R"({ "$.eventName": "ConsoleLogin", "$.errorMessage": "Failed authentication" })";
  auto node = CompileFilterPattern(pattern);
  ASSERT_FALSE(node.has_value());
  EXPECT_EQ(ErrorColumn(node.error()), 3u);
  EXPECT_EQ(node.error().message,
            "invalid filter pattern: expected a selector starting with \"$.\" at column 3\n"
            "  { \"$.eventName\": \"ConsoleLogin\", \"$.errorMessage\": \"Failed "
            "authentication\" }\n"
            "    ^\n"
            "  hint: a JSON filter pattern compares selectors with operators: { ($.eventName = "
            "\"ConsoleLogin\") && ($.errorMessage = \"Failed authentication\") }");
}

TEST(CwlErrors, JsonObjectHintHandlesPlainKeysAndTypes) {
  const Rendered r = Reject(R"({"eventName": "CreateTrail", "n": 5, "ok": true, "x": null})");
  EXPECT_EQ(r.column, 2u);
  EXPECT_EQ(r.lines[3],
            "  hint: a JSON filter pattern compares selectors with operators: { ($.eventName = "
            "\"CreateTrail\") && ($.n = 5) && ($.ok IS TRUE) && ($.x IS NULL) }");
}

TEST(CwlErrors, MissingValue) {
  const std::string p = "{ $.eventType = }";
  const Rendered r = Reject(p);
  EXPECT_EQ(r.column, 17u);
  EXPECT_NE(r.lines[0].find("expected a value after '='"), std::string::npos);
  ExpectCaretAt(r, p);
  EXPECT_NE(r.lines[3].find("use * to match any value"), std::string::npos);
}

TEST(CwlErrors, IsNotAndExists) {
  const std::string p = "{ $.SomeObject IS NOT NULL }";
  Rendered r = Reject(p);
  EXPECT_EQ(r.column, 16u);
  EXPECT_NE(r.lines[0].find("IS NOT is not supported"), std::string::npos);
  EXPECT_NE(r.lines[3].find("NOT EXISTS"), std::string::npos);
  ExpectCaretAt(r, p);

  r = Reject("{ $.SomeObject EXISTS }");
  EXPECT_EQ(r.column, 16u);
  EXPECT_NE(r.lines[0].find("EXISTS is not supported"), std::string::npos);

  r = Reject("{ $.a is null }");
  EXPECT_NE(r.lines[0].find("keywords are upper case: write IS NULL"), std::string::npos);
}

TEST(CwlErrors, RegexCharacters) {
  std::string p = "%something!%";
  Rendered r = Reject(p);
  EXPECT_EQ(r.column, 11u);
  EXPECT_NE(r.lines[3].find("\\x21"), std::string::npos);
  ExpectCaretAt(r, p);

  p = "{ $.eventType = %(Update)Trail% }";
  r = Reject(p);
  EXPECT_EQ(r.column, p.find('(') + 1);
  EXPECT_NE(r.lines[3].find("\\x28"), std::string::npos);

  r = Reject("%caf\xC3\xA9%");
  EXPECT_EQ(r.column, 5u);
  EXPECT_NE(r.lines[0].find("multi-byte"), std::string::npos);
}

TEST(CwlErrors, Limits) {
  std::string p = "{ $.a = %a% || $.b = %b% || $.c = %c% }";
  Rendered r = Reject(p);
  EXPECT_EQ(r.column, p.find("%c%") + 1);
  EXPECT_NE(r.lines[0].find("more than 2 regexes"), std::string::npos);

  p = "{ $.objectList[*].tags[*] = \"x\" }";
  r = Reject(p);
  EXPECT_EQ(r.column, p.find("[*]", 16) + 1);
  ExpectCaretAt(r, p);

  p = "{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }";
  r = Reject(p);
  EXPECT_EQ(r.column, p.find("[*]", p.find("$.d")) + 1);

  p = std::string(1025, 'X');
  r = Reject(p);
  EXPECT_EQ(r.column, 1025u);
  ExpectCaretAt(r, p);
  EXPECT_TRUE(CompileFilterPattern(std::string(1024, 'X')).has_value());
  // Characters, not bytes: 1024 two-byte characters are allowed.
  std::string wide;
  for (int i = 0; i < 1024; ++i) wide += "\xC3\xA9";
  EXPECT_TRUE(CompileFilterPattern(wide).has_value());
}

TEST(CwlErrors, Structure) {
  std::string p = "{ $.eventType = \"UpdateTrail\"";
  Rendered r = Reject(p);
  EXPECT_EQ(r.column, p.size() + 1);
  EXPECT_NE(r.lines[0].find("missing '}'"), std::string::npos);

  p = "{ ($.a = 1 }";
  r = Reject(p);
  EXPECT_NE(r.lines[0].find("missing ')' to close the '(' at column 3"), std::string::npos);

  p = "{ $.a = 1 } extra";
  r = Reject(p);
  EXPECT_EQ(r.column, p.find("extra") + 1);

  p = "{ $.a > abc }";
  r = Reject(p);
  EXPECT_EQ(r.column, p.find("abc") + 1);
  EXPECT_NE(r.lines[0].find("compares numbers"), std::string::npos);

  p = "[a = 1 || b = 2]";
  r = Reject(p);
  EXPECT_EQ(r.column, p.find("b =") + 1);

  r = Reject("{ $.a == 1 }");
  EXPECT_NE(r.lines[3].find("single '='"), std::string::npos);
  r = Reject("%abc% ERROR");
  EXPECT_EQ(r.column, 7u);
  r = Reject("[]");
  r = Reject("{ }");
  r = Reject("\"unterminated");
  EXPECT_EQ(r.column, 1u);
  r = Reject("ERROR -\" \"");
}

TEST(CwlErrors, LongPatternsShowAWindow) {
  std::string p = "{ $.a = 1";
  while (p.size() < 900) p += " || $.a = 1";
  p += " || $.a = }";
  const Rendered r = Reject(p);
  EXPECT_EQ(r.column, p.size());
  EXPECT_LT(r.lines[1].size(), 120u);
  ExpectCaretAt(r, p);
}

TEST(CwlErrors, ErrorColumnIgnoresOtherErrors) {
  EXPECT_EQ(ErrorColumn(Error{ErrorCode::kParse, "at column 3"}), 0u);
  EXPECT_EQ(ErrorColumn(Error{ErrorCode::kInvalidArgument, "bad at column 3"}), 0u);
}

// A repetition with nothing before it: RE2 would accept `^*`, ECMAScript and Python's re do not
// (found by CwlDifferential.MutatedPatternsGetTheSameVerdict against the reference's std::regex).
TEST(CwlErrors, RepetitionWithNothingToRepeat) {
  for (const std::string p : {"%^*$%", "%*a%", "%a|+b%", "%^{2}%", "{ $.a = %$?% }"}) {
    const Rendered r = Reject(p);
    ASSERT_EQ(r.lines.size(), 4u) << p;
    EXPECT_EQ(r.lines[0].rfind("invalid filter pattern: a repetition needs something to repeat", 0),
              0u)
        << p << ": " << r.lines[0];
  }
  for (const std::string p : {"%a*?%", "%a{2}?%", "%[*]+%", "%\\*%", "%^a*$%"}) {
    EXPECT_TRUE(CompileFilterPattern(p).has_value()) << p;
  }
}

// Numbers beyond a double are numbers (+-infinity, 0), not errors: docs/cwl-filter-patterns.md.
TEST(CwlErrors, NumbersOutOfDoubleRangeAreAccepted) {
  for (const std::string p : {"{ $.n < 1e999 }", "{ $.n > -1e999 }", "{ $.n = 1e-999 }",
                              "[a, n >= 99999999999999999999]"}) {
    EXPECT_TRUE(CompileFilterPattern(p).has_value()) << p;
  }
}

}  // namespace
}  // namespace tw::match::cwl

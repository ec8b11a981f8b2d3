#include "rules/diagnostic.h"

#include <gtest/gtest.h>

namespace tw::rules {
namespace {

TEST(DiagnosticTest, RendersLocationExcerptCaretAndHint) {
  Diagnostic d;
  d.where = {"rules/x.yml", 3, 1};
  d.message = "unknown key `severty` in a rule";
  d.excerpt = "severty: high";
  d.caret_column = 1;
  d.hint = "did you mean `severity`?";
  EXPECT_EQ(d.ToString(),
            "rules/x.yml:3:1: error: unknown key `severty` in a rule\n"
            "  severty: high\n"
            "  ^\n"
            "  hint: did you mean `severity`?");
}

TEST(DiagnosticTest, WarningWithoutExcerptOrHint) {
  Diagnostic d;
  d.level = DiagnosticLevel::kWarning;
  d.where = {"f.yml", 2, 0};
  d.message = "m";
  EXPECT_EQ(d.ToString(), "f.yml:2: warning: m");
  d.where.line = 0;
  EXPECT_EQ(d.ToString(), "f.yml: warning: m");
}

TEST(DiagnosticTest, CaretKeepsTabsAndSkipsUtf8ContinuationBytes) {
  Diagnostic d;
  d.where = {"f", 1, 7};
  d.message = "m";
  d.excerpt =
      "\t\xC3\xA9"
      "ab x";  // tab, e-acute (2 bytes), "ab x": 'x' is byte 7
  d.caret_column = 7;
  EXPECT_EQ(d.ToString(),
            "f:1:7: error: m\n  \t\xC3\xA9"
            "ab x\n  \t    ^");
}

// Issue 8, defect 14: what comes from a rule file reaches the terminal escaped. The caret stays
// under the same character of the escaped excerpt; backslashes in the excerpt and the hint stay
// as written.
TEST(DiagnosticTest, EscapesMessageExcerptAndHintForTheTerminal) {
  Diagnostic d;
  d.where = {"f.yml", 5, 20};
  d.message = "unknown key `a\x1b]0;t\x07`";
  d.excerpt = "x: \"\x1b[2J\\\" }";          // x: "<ESC>[2J\" }
  d.caret_column = 12;                       // the '}' (byte 11)
  d.hint = "write it as \\\" \xe2\x80\xae";  // a backslash-quote, then U+202E
  EXPECT_EQ(d.ToString(),
            "f.yml:5:20: error: unknown key `a\\x1b]0;t\\x07`\n"
            "  x: \"\\x1b[2J\\\" }\n"
            "                ^\n"  // 2 + 14: `x: "\x1b[2J\" ` is 14 columns shown
            "  hint: write it as \\\" \\u{202e}");
}

TEST(DiagnosticTest, FormatJoinsWithNewlines) {
  Diagnostic a;
  a.where = {"a", 1, 1};
  a.message = "one";
  Diagnostic b = a;
  b.message = "two";
  EXPECT_EQ(FormatDiagnostics({a, b}), "a:1:1: error: one\na:1:1: error: two");
}

TEST(DiagnosticTest, LineOf) {
  constexpr std::string_view kText = "one\r\ntwo\nthree";
  EXPECT_EQ(LineOf(kText, 1), "one");
  EXPECT_EQ(LineOf(kText, 2), "two");
  EXPECT_EQ(LineOf(kText, 3), "three");
  EXPECT_EQ(LineOf(kText, 4), "");
  EXPECT_EQ(LineOf(kText, 0), "");
}

TEST(DiagnosticTest, EditDistanceAndClosestMatch) {
  EXPECT_EQ(EditDistance("severty", "severity"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("hihg", "high"), 1);
  const std::vector<std::string_view> keys = {"id", "title", "severity", "description"};
  EXPECT_EQ(ClosestMatch("severty", keys), "severity");
  EXPECT_EQ(ClosestMatch("titel", keys), "title");
  EXPECT_EQ(ClosestMatch("Description", keys), "description");
  EXPECT_EQ(ClosestMatch("xyz", keys), "");
  EXPECT_EQ(ClosestMatch("ix", keys), "");  // one edit from `id`, but half of a 2-letter word
}

}  // namespace
}  // namespace tw::rules

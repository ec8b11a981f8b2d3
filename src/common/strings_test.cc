#include "common/strings.h"

#include <gtest/gtest.h>

namespace tw {
namespace {

TEST(AppendJsonEscaped, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\n\x1b[31m");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u001b[31m");
}

TEST(AppendJsonEscaped, ReplacesInvalidUtf8) {
  std::string out;
  AppendJsonEscaped(out, "ok\xff");
  EXPECT_EQ(out, "ok\xEF\xBF\xBD");
}

TEST(AppendJsonEscaped, EscapesC1ControlsAndLineSeparators) {
  std::string out;
  AppendJsonEscaped(out,
                    "a\xC2\x9B"
                    "31m\xE2\x80\xA8");
  EXPECT_EQ(out, "a\\u009b31m\\u2028");
}

TEST(EscapeForTerminal, NeutralisesAnsiSequences) {
  EXPECT_EQ(EscapeForTerminal("curl\x1b]0;pwned\x07"), "curl\\x1b]0;pwned\\x07");
  EXPECT_EQ(EscapeForTerminal("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(EscapeForTerminal("\xC2\x9B"), "\\x9b");  // C1 CSI
}

TEST(IsNumberText, FollowsTheJsonNumberGrammarWithAPlus) {
  for (const char* yes : {"0", "-1", "+1000", "1.5", "10e-3", "1E+3", "007"}) {
    EXPECT_TRUE(IsNumberText(yes)) << yes;
  }
  for (const char* no : {"", "+", "1.", ".5", "+-5", "inf", "nan", "1e", "0x10", " 1", "1 "}) {
    EXPECT_FALSE(IsNumberText(no)) << no;
  }
}

TEST(FoldCase, FoldsSimpleCasesOnly) {
  EXPECT_EQ(FoldCase("ÉCOLE"), "école");
  EXPECT_EQ(FoldCase("AbC"), "abc");
  EXPECT_EQ(FoldCase("STRASSE"), "strasse");
  EXPECT_NE(FoldCase("STRASSE"), FoldCase("straße"));
  EXPECT_EQ(FoldCase("ΣΊΣΥΦΟΣ"), FoldCase("σίσυφος"));
}

}  // namespace
}  // namespace tw

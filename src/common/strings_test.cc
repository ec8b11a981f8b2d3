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

TEST(AppendJsonEscaped, FindsEverySpecialByteAtEveryPositionOfALongString) {
  // Long strings are skipped sixteen bytes at a time: each special byte, at every position
  // around the block boundaries, is still escaped, and the plain bytes around it kept.
  const std::pair<std::string, std::string> specials[] = {
      {"\"", "\\\""},           {"\\", "\\\\"},          {"\n", "\\n"},
      {"\x1f", "\\u001f"},      {"\x7f", "\\u007f"},     {"\xC2\x9B", "\\u009b"},
      {"\xC3\xA9", "\xC3\xA9"}, {"\xff", "\xEF\xBF\xBD"}};
  for (const auto& [raw, escaped] : specials) {
    for (size_t at = 0; at <= 40; ++at) {
      std::string out = "<";
      AppendJsonEscaped(out, std::string(at, 'x') + raw + std::string(40 - at, 'y'));
      EXPECT_EQ(out, "<" + std::string(at, 'x') + escaped + std::string(40 - at, 'y'))
          << "at " << at;
    }
  }
  std::string plain;
  AppendJsonEscaped(plain, std::string(33, '~'));
  EXPECT_EQ(plain, std::string(33, '~'));
}

TEST(AppendJsonEscaped, ShortValuesAndTailsOfEveryLength) {
  // Values shorter than a block, and the last bytes of longer ones, are checked as a block
  // too: plain ones are copied as they are, and a special byte is escaped at any position.
  for (size_t n = 0; n <= 35; ++n) {
    const std::string plain(n, 'q');
    std::string out = "<";
    AppendJsonEscaped(out, plain);
    EXPECT_EQ(out, "<" + plain) << "length " << n;
    for (size_t at = 0; at < n; ++at) {
      std::string value = plain;
      value[at] = '"';
      std::string escaped = "<" + plain.substr(0, at) + "\\\"" + plain.substr(at + 1);
      out = "<";
      AppendJsonEscaped(out, value);
      EXPECT_EQ(out, escaped) << "length " << n << " at " << at;
      value[at] = '\x01';
      escaped = "<" + plain.substr(0, at) + "\\u0001" + plain.substr(at + 1);
      out = "<";
      AppendJsonEscaped(out, value);
      EXPECT_EQ(out, escaped) << "length " << n << " at " << at;
    }
  }
}

TEST(EscapeForTerminal, NeutralisesAnsiSequences) {
  EXPECT_EQ(EscapeForTerminal("curl\x1b]0;pwned\x07"), "curl\\x1b]0;pwned\\x07");
  EXPECT_EQ(EscapeForTerminal("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(EscapeForTerminal("\xC2\x9B"), "\\x9b");  // C1 CSI
}

// A backslash typed into a field must not read like one of our own escapes: `\x1b` as four
// characters is shown as `\\x1b`, the real ESC byte as `\x1b`.
TEST(EscapeForTerminal, EscapesTheBackslashItself) {
  EXPECT_EQ(EscapeForTerminal("a\\x1b"), "a\\\\x1b");
  EXPECT_EQ(EscapeForTerminal("a\x1b"), "a\\x1b");
  EXPECT_NE(EscapeForTerminal("\\x1b"), EscapeForTerminal("\x1b"));
  EXPECT_EQ(EscapeForTerminal("C:\\"), "C:\\\\");
}

// Bidi overrides and isolates reorder what follows them (Trojan Source, CVE-2021-42574), and
// invisible format characters hide text: each is shown as \u{XXXX}.
TEST(EscapeForTerminal, ShowsBidiAndInvisibleFormatCharacters) {
  // U+202E RIGHT-TO-LEFT OVERRIDE: "user\u{202e}nimda" would display as "useradmin".
  EXPECT_EQ(EscapeForTerminal("user\xE2\x80\xAEnimda"), "user\\u{202e}nimda");
  const struct {
    const char* utf8;
    const char* shown;
  } kCases[] = {
      {"\xE2\x80\xAA", "\\u{202a}"}, {"\xE2\x80\xAB", "\\u{202b}"}, {"\xE2\x80\xAC", "\\u{202c}"},
      {"\xE2\x80\xAD", "\\u{202d}"}, {"\xE2\x81\xA6", "\\u{2066}"}, {"\xE2\x81\xA7", "\\u{2067}"},
      {"\xE2\x81\xA8", "\\u{2068}"}, {"\xE2\x81\xA9", "\\u{2069}"}, {"\xE2\x80\x8B", "\\u{200b}"},
      {"\xE2\x80\x8C", "\\u{200c}"}, {"\xE2\x80\x8D", "\\u{200d}"}, {"\xE2\x80\x8E", "\\u{200e}"},
      {"\xE2\x80\x8F", "\\u{200f}"}, {"\xE2\x80\xA8", "\\u{2028}"}, {"\xE2\x80\xA9", "\\u{2029}"},
      {"\xEF\xBB\xBF", "\\u{feff}"},
  };
  for (const auto& c : kCases) EXPECT_EQ(EscapeForTerminal(c.utf8), c.shown) << c.shown;
  // Neighbours of the escaped ranges stay printable: U+2010 HYPHEN, U+2030 PER MILLE, U+2027
  // HYPHENATION POINT, U+FEFE.
  for (const char* keep : {"\xE2\x80\x90", "\xE2\x80\xB0", "\xE2\x80\xA7", "\xEF\xBB\xBE"}) {
    EXPECT_EQ(EscapeForTerminal(keep), keep);
  }
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

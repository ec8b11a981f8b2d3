// TokenizeDelimited and MatchDelimited (delimited.h), below the parser.
#include "match/delimited.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "match/cwl/test_util.h"

namespace tw::match::cwl {
namespace {

using Tokens = std::vector<std::string_view>;

Tokens Tokenize(std::string_view message) {
  Tokens tokens;
  TokenizeDelimited(message, tokens);
  return tokens;
}

TEST(CwlDelimited, TokenizesApacheLines) {
  // [doc-2023]: $timestamp and $request come out without their delimiters.
  EXPECT_EQ(Tokenize("127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /index.html "
                     "HTTP/1.0\" 404 1534"),
            (Tokens{"127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700",
                    "GET /index.html HTTP/1.0", "404", "1534"}));
  EXPECT_EQ(Tokenize("  a   b\tc  "), (Tokens{"a", "b", "c"}));
  EXPECT_EQ(Tokenize(""), Tokens{});
  EXPECT_EQ(Tokenize("[] \"\" x"), (Tokens{"", "", "x"}));
  EXPECT_EQ(Tokenize("a [unterminated b"), (Tokens{"a", "unterminated b"}));
  EXPECT_EQ(Tokenize("a\"b c"), (Tokens{"a\"b", "c"}));
}

bool Matches(const std::string& pattern, const std::string& message) {
  auto node = CompileFilterPattern(pattern);
  EXPECT_TRUE(node.has_value()) << pattern;
  return node && testing::FastMatches(**node, message);
}

TEST(CwlDelimited, PositionalBinding) {
  EXPECT_TRUE(Matches("[a, b = 2, c]", "1 2 3"));
  EXPECT_FALSE(Matches("[a, b = 2, c]", "1 3 2"));
  EXPECT_FALSE(Matches("[a, b, c, d]", "1 2 3"));  // more fields than tokens
  // The last field absorbs the rest of the line.
  EXPECT_TRUE(Matches("[a = ERROR, b]", "ERROR x y z"));
  EXPECT_TRUE(Matches("[a, b = \"x y\"]", "1 x y"));
  EXPECT_TRUE(Matches("[a, b = *z]", "1 x y z"));
  EXPECT_FALSE(Matches("[a, b > 5]", "1 6 7"));  // "6 7" is not a number
}

TEST(CwlDelimited, Ellipses) {
  EXPECT_TRUE(Matches("[...]", ""));
  EXPECT_TRUE(Matches("[...]", "a b c"));
  EXPECT_TRUE(Matches("[..., x = 404, ...]", "a b 404 c"));
  EXPECT_FALSE(Matches("[..., x = 404, ...]", "a b 405 c"));
  EXPECT_TRUE(Matches("[a, ..., b = 2, ..., c = 3]", "1 9 2 9 9 3"));
  EXPECT_FALSE(Matches("[a, ..., b = 2, ..., c = 3]", "1 9 9 9 9 3"));
  EXPECT_TRUE(Matches("[..., s, b > 1000]", "x 200 1534"));
  // Many ellipses over a long line stay polynomial.
  std::string line;
  for (int i = 0; i < 2000; ++i) line += "a ";
  EXPECT_FALSE(Matches("[..., x = b, ..., y = b, ..., z = b, ...]", line));
}

TEST(CwlDelimited, NumericStrings) {
  EXPECT_TRUE(Matches("[a = 404]", "404"));
  EXPECT_TRUE(Matches("[a = 404]", "404.0"));
  EXPECT_TRUE(Matches("[a = 1000]", "1e3"));
  EXPECT_FALSE(Matches("[a = 404]", "x404"));
  EXPECT_TRUE(Matches("[a != 404]", "x404"));
  EXPECT_TRUE(Matches("[a >= 400 && a < 500]", "404"));
}

}  // namespace
}  // namespace tw::match::cwl

#include "match/evaluator.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tw::match {
namespace {

// Straight from the definition: `*` matches any run of characters, everything else itself.
bool NaiveGlob(std::string_view p, std::string_view t) {
  if (p.empty()) return t.empty();
  if (p[0] == '*') {
    for (size_t i = 0; i <= t.size(); ++i) {
      if (NaiveGlob(p.substr(1), t.substr(i))) return true;
    }
    return false;
  }
  return !t.empty() && p[0] == t[0] && NaiveGlob(p.substr(1), t.substr(1));
}

TEST(WildcardMatch, AgreesWithTheDefinitionOnGeneratedCases) {
  std::mt19937 rng(20261128);
  const std::string alphabet = "ab*";
  for (int n = 0; n < 20000; ++n) {
    std::string p, t;
    const int plen = static_cast<int>(rng() % 7), tlen = static_cast<int>(rng() % 9);
    for (int i = 0; i < plen; ++i) p += alphabet[rng() % 3];
    for (int i = 0; i < tlen; ++i) t += alphabet[rng() % 2];
    ASSERT_EQ(WildcardMatch(p, t), NaiveGlob(p, t)) << "pattern " << p << " text " << t;
  }
}

TEST(WildcardMatch, EscapedStarsAreLiteral) {
  EXPECT_TRUE(WildcardMatch("a\\*b", "a*b"));
  EXPECT_FALSE(WildcardMatch("a\\*b", "axb"));
  EXPECT_TRUE(WildcardMatch("*\\**", "x*y"));
  EXPECT_TRUE(WildcardMatch("*sqlmap*", "sqlmap/1.4.7#stable (http://sqlmap.org)"));
  EXPECT_FALSE(WildcardMatch("*sqlmap*", "aws-cli/2.0"));
}

TEST(Cidr, ContainsByPrefixBits) {
  CidrBlock b;
  ASSERT_TRUE(ParseCidr("10.0.0.0/24", &b));
  EXPECT_TRUE(CidrContains(b, "10.0.0.255"));
  EXPECT_FALSE(CidrContains(b, "10.0.1.0"));
  ASSERT_TRUE(ParseCidr("2001:db8::/32", &b));
  EXPECT_TRUE(CidrContains(b, "2001:db8:ffff::1"));
  EXPECT_FALSE(CidrContains(b, "2001:db9::1"));
  EXPECT_FALSE(ParseCidr("10.0.0.0", &b));
  EXPECT_FALSE(ParseCidr("10.0.0.0/33", &b));
}

}  // namespace
}  // namespace tw::match

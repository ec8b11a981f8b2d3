// Golden IR dumps. Each expectation was written by hand from docs/pattern-languages.md §1 and
// the lowering rules in compile.h, not pasted from the implementation's output.
#include <gtest/gtest.h>

#include <string>

#include "match/cwl/compile.h"

namespace tw::match::cwl {
namespace {

std::string Dump(const std::string& pattern) {
  auto node = CompileFilterPattern(pattern);
  if (!node) return "ERROR: " + node.error().message;
  return DumpIr(**node);
}

TEST(CwlGolden, MatchAll) {
  EXPECT_EQ(Dump(""), "true");
  EXPECT_EQ(Dump("   "), "true");
  EXPECT_EQ(Dump("\" \""), "true");
  EXPECT_EQ(Dump("\"\""), "true");
}

TEST(CwlGolden, Terms) {
  EXPECT_EQ(Dump("ERROR"), "leaf(text contains[\"ERROR\"])");
  EXPECT_EQ(Dump("ERROR -ARGUMENTS"),
            "and(leaf(text contains[\"ERROR\"]),not(leaf(text contains[\"ARGUMENTS\"])))");
  EXPECT_EQ(Dump("?ERROR ?WARN"), "leaf(text contains[\"ERROR\",\"WARN\"])");
  // `?` terms mixed with another term are ignored [doc].
  EXPECT_EQ(Dump("?ERROR ?ARGUMENTS REQUEST"), "leaf(text contains[\"REQUEST\"])");
  EXPECT_EQ(Dump("\"INTERNAL SERVER ERROR\""), "leaf(text contains[\"INTERNAL SERVER ERROR\"])");
  // [doc-2020] writes the exclusion with a space after the minus.
  EXPECT_EQ(Dump("\"ERROR\" - \"Exiting\""),
            "and(leaf(text contains[\"ERROR\"]),not(leaf(text contains[\"Exiting\"])))");
}

TEST(CwlGolden, Regex) {
  EXPECT_EQ(Dump("%AUTHORIZED%"), "leaf(text regex[%AUTHORIZED%])");
  EXPECT_EQ(Dump("%a{,2}b%"), "leaf(text regex[%a{0,2}b%])");
  EXPECT_EQ(Dump("%\\x3a%"), "leaf(text regex[%\\x3A%])");
}

TEST(CwlGolden, JsonEquality) {
  EXPECT_EQ(Dump("{ $.eventName = CreateTrail }"),
            "leaf($.eventName exact str_eq[\"CreateTrail\"])");
  // Same path, same positive op under ||: one leaf with several operands.
  EXPECT_EQ(Dump("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
                 "($.eventName = DeleteTrail) }"),
            "leaf($.eventName exact str_eq[\"CreateTrail\",\"UpdateTrail\",\"DeleteTrail\"])");
  EXPECT_EQ(Dump("{ $.a = \"x\" || ($.a = \"y\" || $.b = \"z\") }"),
            "or(leaf($.a exact str_eq[\"x\",\"y\"]),leaf($.b exact str_eq[\"z\"]))");
  EXPECT_EQ(Dump("{ $.['cluster.name'] = \"c\" }"), "leaf($.['cluster.name'] exact str_eq[\"c\"])");
  EXPECT_EQ(Dump("{ (($.a = 1)) }"), "leaf($.a exact num_eq[1] numstr)");
}

TEST(CwlGolden, JsonWildcards) {
  EXPECT_EQ(Dump("{ ($.errorCode = \"*UnauthorizedOperation\") || "
                 "($.errorCode = \"AccessDenied*\") }"),
            "or(leaf($.errorCode exact suffix[\"UnauthorizedOperation\"]),"
            "leaf($.errorCode exact prefix[\"AccessDenied\"]))");
  EXPECT_EQ(Dump("{ $.sourceIPAddress != 123.123.* }"),
            "leaf($.sourceIPAddress exact !prefix[\"123.123.\"])");
  // [doc-2020]: a `*` in the middle is literal.
  EXPECT_EQ(Dump("{ $.eventName = Ev*ent }"), "leaf($.eventName exact str_eq[\"Ev*ent\"])");
  EXPECT_EQ(Dump("{ $.latency = * }"), "leaf($.latency exact any_scalar)");
  EXPECT_EQ(Dump("{ $.* = *Trail* }"), "leaf($.* exact contains[\"Trail\"])");
  EXPECT_EQ(Dump("{ $.arrayKey[*] = %val.{2}% }"), "leaf($.arrayKey[*] exact regex[%val.{2}%])");
}

TEST(CwlGolden, JsonNumbersAndKeywords) {
  EXPECT_EQ(Dump("{ $.bandwidth > 75 }"), "leaf($.bandwidth exact num_range[(75,inf]] numstr)");
  EXPECT_EQ(Dump("{ $.latency <= 1e-3 }"), "leaf($.latency exact num_range[[-inf,0.001]] numstr)");
  EXPECT_EQ(Dump("{ $.errorCode != 500 }"), "leaf($.errorCode exact !num_eq[500] numstr)");
  EXPECT_EQ(Dump("{ $.SomeObject IS NULL }"), "leaf($.SomeObject exact is_null)");
  EXPECT_EQ(Dump("{ $.coordinates[0][1] IS TRUE }"), "leaf($.coordinates[0][1] exact is_true)");
}

TEST(CwlGolden, JsonPrecedence) {
  EXPECT_EQ(Dump("{ $.a = 1 || $.b = 2 && $.c = 3 }"),
            "or(leaf($.a exact num_eq[1] numstr),"
            "and(leaf($.b exact num_eq[2] numstr),leaf($.c exact num_eq[3] numstr)))");
}

TEST(CwlGolden, NotExistsIsGuardedByARoot) {
  EXPECT_EQ(Dump("{$.userIdentity.type=\"Root\" && $.userIdentity.invokedBy NOT EXISTS && "
                 "$.eventType !=\"AwsServiceEvent\"}"),
            "and(leaf($ exact present),leaf($.userIdentity.type exact str_eq[\"Root\"]),"
            "leaf($.userIdentity.invokedBy exact never missing=true),"
            "leaf($.eventType exact !str_eq[\"AwsServiceEvent\"]))");
}

TEST(CwlGolden, Delimited) {
  EXPECT_EQ(Dump("[ip, user, ..., status_code = 404 || status_code = 410, bytes > 1000]"),
            "delimited(ip,user,...,status_code:leaf(token num_eq[404,410] numstr),"
            "bytes:leaf(token num_range[(1000,inf]] numstr))");
  EXPECT_EQ(Dump("[w1!=ERROR && w1!=WARN, w2]"),
            "delimited(w1:and(leaf(token !str_eq[\"ERROR\"] numstr),"
            "leaf(token !str_eq[\"WARN\"] numstr)),w2)");
  EXPECT_EQ(Dump("[, request = *.html*, = 4*]"),
            "delimited(_,request:leaf(token contains[\".html\"] numstr),"
            "_:leaf(token prefix[\"4\"] numstr))");
}

}  // namespace
}  // namespace tw::match::cwl

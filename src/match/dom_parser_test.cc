// DomParser: numbers simdjson refuses are read as the nearest double; everything else is
// simdjson's own. Expected values are worked out by hand (powers of two, the IEEE range).
#include "match/dom_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace tw::match {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

element At(element root, const char* key) {
  element e;
  EXPECT_EQ(root[key].get(e), simdjson::SUCCESS) << key;
  return e;
}

double Num(element e) {
  EXPECT_EQ(e.type(), element_type::DOUBLE);
  return e.get_double().value_unsafe();
}

TEST(DomParser, PlainJsonIsSimdjsonsOwn) {
  DomParser p;
  element root;
  ASSERT_EQ(p.Parse(R"({"a":5,"b":18446744073709551615,"c":1.5})", false, root), simdjson::SUCCESS);
  EXPECT_FALSE(p.wide_numbers());
  EXPECT_EQ(At(root, "a").type(), element_type::INT64);
  EXPECT_EQ(At(root, "b").type(), element_type::UINT64);
  EXPECT_EQ(Num(At(root, "c")), 1.5);
}

TEST(DomParser, NumbersBeyondSimdjsonAreTheNearestDouble) {
  DomParser p;
  element root;
  const std::string text =
      R"({"inf":1e999,"ninf":-1E999,"two64":18446744073709551616,)"
      R"("below":-9223372036854775809,"e20":99999999999999999999,"tiny":1e-999,)"
      R"("one":1.0000000000000000001,"i":-7,"u":18446744073709551615,"d":0.25,)"
      R"("s":"1e999 \"-5\" 3","arr":[1e400,2]})";
  ASSERT_EQ(p.Parse(text, false, root), simdjson::SUCCESS);
  EXPECT_TRUE(p.wide_numbers());
  EXPECT_EQ(Num(At(root, "inf")), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Num(At(root, "ninf")), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Num(At(root, "two64")), std::ldexp(1.0, 64));
  EXPECT_EQ(Num(At(root, "below")), -std::ldexp(1.0, 63));  // -2^63 - 1 rounds to -2^63
  EXPECT_EQ(Num(At(root, "e20")), 1e20);  // 1e20 = 2^20 * 5^20 is exact; the spacing is 2^14
  EXPECT_EQ(Num(At(root, "tiny")), 0.0);
  EXPECT_EQ(Num(At(root, "one")), 1.0);
  // The numbers simdjson can hold keep simdjson's types.
  EXPECT_EQ(At(root, "i").type(), element_type::INT64);
  EXPECT_EQ(At(root, "i").get_int64().value_unsafe(), -7);
  EXPECT_EQ(At(root, "u").type(), element_type::UINT64);
  EXPECT_EQ(At(root, "u").get_uint64().value_unsafe(), 18446744073709551615u);
  EXPECT_EQ(Num(At(root, "d")), 0.25);
  // Strings are untouched, digits and escaped quotes included.
  EXPECT_EQ(At(root, "s").get_string().value_unsafe(), "1e999 \"-5\" 3");
  element arr = At(root, "arr");
  EXPECT_EQ(Num(arr.at(0).value_unsafe()), std::numeric_limits<double>::infinity());
  EXPECT_EQ(arr.at(1).value_unsafe().get_int64().value_unsafe(), 2);
}

TEST(DomParser, AScalarRootAndTheNextParseIsClean) {
  DomParser p;
  element root;
  ASSERT_EQ(p.Parse("-1e999", false, root), simdjson::SUCCESS);
  EXPECT_EQ(Num(root), -std::numeric_limits<double>::infinity());
  ASSERT_EQ(p.Parse("[1]", false, root), simdjson::SUCCESS);
  EXPECT_FALSE(p.wide_numbers());
}

TEST(DomParser, WhatIsNotJsonStaysAnError) {
  DomParser p;
  element root;
  EXPECT_NE(p.Parse(R"({"n":1e999,"m":01})", false, root), simdjson::SUCCESS);
  EXPECT_NE(p.Parse(R"({"n":1e999,"m":1.})", false, root), simdjson::SUCCESS);
  EXPECT_NE(p.Parse(R"({"n":1e999,"m":+1})", false, root), simdjson::SUCCESS);
  EXPECT_NE(p.Parse(R"({"n":1e999)", false, root), simdjson::SUCCESS);
  EXPECT_NE(p.Parse(R"({"n":1e999,"m":0x10})", false, root), simdjson::SUCCESS);
  const std::string deep =
      R"({"n":1e999,"d":)" + std::string(1100, '[') + std::string(1100, ']') + "}";
  EXPECT_EQ(p.Parse(deep, false, root), simdjson::DEPTH_ERROR);
}

TEST(DomParser, MinifyDomReadsBackAsTheSameValues) {
  DomParser p;
  element root;
  ASSERT_EQ(p.Parse(R"({"a" : [ 1e999 , -1e999, 18446744073709551616, 1.5, -7, "x\n" ], "b":null,)"
                    R"("c":true})",
                    false, root),
            simdjson::SUCCESS);
  const std::string text = MinifyDom(root);
  EXPECT_EQ(text.find(' '), std::string::npos) << text;
  EXPECT_NE(text.find("[1e999,-1e999,"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(1.5,-7,"x\n"],"b":null,"c":true})"), std::string::npos) << text;
  DomParser q;
  element again;
  ASSERT_EQ(q.Parse(text, false, again), simdjson::SUCCESS) << text;
  EXPECT_EQ(Num(At(again, "a").at(2).value_unsafe()), std::ldexp(1.0, 64));
}

// Found by fuzzing DomParser + MinifyDom: -0E400 is the double -0, which must not be written
// "-0" (that reads back as the integer 0, and the text would change on a second round).
TEST(DomParser, MinifyDomKeepsDoublesDoubles) {
  DomParser p;
  element root;
  ASSERT_EQ(p.Parse("[-0E400, 0.5e-999, 5e0, 123456789012345678902469135780]", false, root),
            simdjson::SUCCESS);
  const std::string text = MinifyDom(root);
  EXPECT_EQ(text.substr(0, 19), "[-0.0,0.0,5.0,1.234") << text;
  DomParser q;
  element again;
  ASSERT_EQ(q.Parse(text, false, again), simdjson::SUCCESS) << text;
  EXPECT_EQ(MinifyDom(again), text);
}

TEST(ReadJsonNumber, FollowsTheJsonGrammar) {
  double d = 0;
  EXPECT_TRUE(ReadJsonNumber("1e999", &d));
  EXPECT_EQ(d, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(ReadJsonNumber("-0", &d));
  EXPECT_EQ(d, 0.0);
  EXPECT_FALSE(ReadJsonNumber("+1", &d));
  EXPECT_FALSE(ReadJsonNumber(".5", &d));
  EXPECT_FALSE(ReadJsonNumber("1.", &d));
  EXPECT_FALSE(ReadJsonNumber("01", &d));
}

}  // namespace
}  // namespace tw::match

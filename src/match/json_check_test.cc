// CheckJson. Expected values from RFC 8259 (§2 the value grammar and whitespace, §4 objects, §5
// arrays, §6 numbers, §7 strings and escapes) and from what match::DomParser reads (the
// reference CheckJson must agree with, json_check.h): each case is also parsed with it.
#include "match/json_check.h"

#include <gtest/gtest.h>

#include <string>

#include "match/dom_parser.h"

namespace tw::match {
namespace {

using Kind = JsonCheck::Kind;

bool DomReads(std::string_view text) {
  DomParser dom;
  simdjson::dom::element root;
  return dom.Parse(text, /*padded=*/false, root) == simdjson::SUCCESS;
}

TEST(JsonCheck, ValidJsonIsValid) {
  for (const char* text : {
           R"({})",
           R"([])",
           R"( { "a" : [ 1 , -2.5e+3 , 0 , -0 , 0.5 , 1E9 , true , false , null , "" ] } )",
           "{\n\t\"a\":\r\n{\"b\":[[],{}]}}",
           R"({"a":"\" \\ \/ \b \f \n \r \t \u0041 \ud83d\ude00"})",
           R"({"a":1,"a":2})",  // duplicate names: the grammar allows them (§4)
           R"("just a string")",
           R"(5)",
           R"({"n":123456789012345678901234567890,"m":1e999,"k":-1e-999})",  // any size
           "{\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac\"}",
       }) {
    EXPECT_EQ(CheckJson(text).kind, Kind::kValid) << text;
    EXPECT_TRUE(DomReads(text)) << text;
  }
}

TEST(JsonCheck, UnpairedSurrogatesAreJsonAndReported) {
  for (const char* text : {R"({"a":"\ud800x"})", R"({"\udc00":1})", R"(["ok","\uDBFF"])"}) {
    EXPECT_EQ(CheckJson(text).kind, Kind::kLoneSurrogates) << text;
    EXPECT_TRUE(CheckJson(text).ok());
    EXPECT_TRUE(DomReads(text)) << text;
  }
}

struct Bad {
  const char* text;
  Kind kind;
  size_t offset;
  const char* message;
};

TEST(JsonCheck, DamageIsFoundWhereItIs) {
  const Bad cases[] = {
      // The issue-8 findings: damage inside members no rule reads.
      {R"({"requestParameters":{"a":1,5:2}})", Kind::kNotJson, 28,
       "unexpected `5` where a member name (a string) should be, at byte 29"},
      {R"({"userIdentity":{"type":"Root","x":[1,2}}})", Kind::kNotJson, 39,
       "unexpected `}` where `,` or `]` should be, at byte 40"},
      {R"({"a":"\q"})", Kind::kBadEscape, 6, "invalid escape \\q in a string at byte 7"},
      {R"({"a" 1})", Kind::kNotJson, 5, "unexpected `1` where `:` should be, at byte 6"},
      {R"({"a":1 "b":2})", Kind::kNotJson, 7,
       "unexpected `\"` where `,` or `}` should be, at byte 8"},
      {R"({"a":1,})", Kind::kNotJson, 7,
       "unexpected `}` where a member name (a string) should be, at byte 8"},
      {R"([1,])", Kind::kNotJson, 3, "unexpected `]` where a value should be, at byte 4"},
      {R"({"a":01})", Kind::kNotJson, 6,
       "unexpected `1` where `,` or `}` should be, at byte 7"},  // no leading zeros (§6)
      {R"({"a":1.})", Kind::kNotJson, 7,
       "unexpected `}` where a digit of a number should be, at byte 8"},
      {R"({"a":.5})", Kind::kNotJson, 5, "unexpected `.` where a value should be, at byte 6"},
      {R"({"a":-})", Kind::kNotJson, 6,
       "unexpected `}` where a digit of a number should be, at byte 7"},
      {R"({"a":1e})", Kind::kNotJson, 7,
       "unexpected `}` where a digit of a number should be, at byte 8"},
      {R"({"a":+1})", Kind::kNotJson, 5, "unexpected `+` where a value should be, at byte 6"},
      {R"({"a":tru})", Kind::kNotJson, 5, "unexpected `t` where a value should be, at byte 6"},
      {R"({"a":truex})", Kind::kNotJson, 9,
       "unexpected `x` where `,` or `}` should be, at byte 10"},
      {R"({"a":NaN})", Kind::kNotJson, 5, "unexpected `N` where a value should be, at byte 6"},
      {R"({'a':1})", Kind::kNotJson, 1,
       "unexpected `'` where a member name (a string) should be, at byte 2"},
      {R"({"a":1}})", Kind::kNotJson, 7,
       "unexpected `}` after the end of the JSON value, at byte 8"},
      {R"({"a":1}{"b":2})", Kind::kNotJson, 7,
       "unexpected `{` after the end of the JSON value, at byte 8"},
      {R"({"a":"x)", Kind::kNotJson, 7, "unexpected end of text inside a string, at byte 8"},
      {R"({"a":1)", Kind::kNotJson, 6,
       "unexpected end of text inside an object (no closing `}`), at byte 7"},
      {R"([1,2)", Kind::kNotJson, 4,
       "unexpected end of text inside an array (no closing `]`), at byte 5"},
      {R"({"a")", Kind::kNotJson, 4, "unexpected end of text where `:` should be, at byte 5"},
      {R"({"a":)", Kind::kNotJson, 5, "unexpected end of text where a value should be, at byte 6"},
      {"", Kind::kNotJson, 0, "unexpected end of text where a value should be, at byte 1"},
      {"{\"a\":\"tab\there\"}", Kind::kNotJson, 9,
       "unescaped control character 0x09 in a string at byte 10"},  // §7: must be escaped
      {"{\"a\":1}\x0b", Kind::kNotJson, 7,
       "unexpected byte 0x0b after the end of the JSON value, at byte 8"},  // not whitespace
  };
  for (const Bad& c : cases) {
    const JsonCheck check = CheckJson(c.text);
    EXPECT_EQ(check.kind, c.kind) << c.text;
    EXPECT_EQ(check.offset, c.offset) << c.text;
    EXPECT_EQ(DescribeJsonCheck(c.text, check), c.message) << c.text;
    EXPECT_FALSE(check.ok());
    EXPECT_FALSE(DomReads(c.text)) << c.text;
  }
}

TEST(JsonCheck, NulBytesAreNotJson) {
  const std::string text("{\"a\":\0\0\0\"b\"}", 12);
  const JsonCheck check = CheckJson(text);
  EXPECT_EQ(check.kind, Kind::kNotJson);
  EXPECT_EQ(check.offset, 5u);
  EXPECT_EQ(DescribeJsonCheck(text, check),
            "unexpected byte 0x00 where a value should be, at byte 6");
  EXPECT_FALSE(DomReads(text));
  const std::string in_string("{\"a\":\"x\0y\"}", 11);
  EXPECT_EQ(CheckJson(in_string).kind, Kind::kNotJson);
  EXPECT_EQ(CheckJson(in_string).offset, 7u);
  EXPECT_FALSE(DomReads(in_string));
}

TEST(JsonCheck, LongStringsAreScannedToTheirEnd) {
  // Past the 16-byte blocks: the stop byte at every position of a block, and in the tail.
  for (size_t n = 0; n < 40; ++n) {
    const std::string body(n, 'x');
    EXPECT_EQ(CheckJson("[\"" + body + "\"]").kind, Kind::kValid) << n;
    EXPECT_EQ(CheckJson("[\"" + body + "\\n" + body + "\"]").kind, Kind::kValid) << n;
    const std::string bad = "[\"" + body + "\\q\"]";
    EXPECT_EQ(CheckJson(bad).kind, Kind::kBadEscape) << n;
    EXPECT_EQ(CheckJson(bad).offset, 2 + n) << n;
    const std::string control = "[\"" + body + "\x1f\"]";
    EXPECT_EQ(CheckJson(control).kind, Kind::kNotJson) << n;
    EXPECT_EQ(CheckJson(control).offset, 2 + n) << n;
    EXPECT_EQ(CheckJson("[\"" + body).kind, Kind::kNotJson) << n;
  }
  // Bytes above 0x7F are not control characters.
  EXPECT_EQ(
      CheckJson("[\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"]")
          .kind,
      Kind::kValid);
}

TEST(JsonCheck, NestingIsBoundedAsTheDomBoundsIt) {
  // 1,024 levels is what simdjson's DOM holds; one more is too deep for both.
  const auto nested = [](size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
  };
  EXPECT_EQ(CheckJson(nested(1024)).kind, Kind::kValid);
  EXPECT_TRUE(DomReads(nested(1024)));
  const JsonCheck deep = CheckJson(nested(1025));
  EXPECT_EQ(deep.kind, Kind::kTooDeep);
  EXPECT_EQ(deep.offset, 1024u);  // the 1,025th opener
  EXPECT_EQ(DescribeJsonCheck(nested(1025), deep), "nesting deeper than 1024 levels at byte 1025");
  EXPECT_FALSE(DomReads(nested(1025)));
  std::string objects;
  for (int i = 0; i < 1025; ++i) objects += "{\"a\":";
  objects += "1" + std::string(1025, '}');
  EXPECT_EQ(CheckJson(objects).kind, Kind::kTooDeep);
  EXPECT_FALSE(DomReads(objects));
  EXPECT_EQ(CheckJson("[[[1]]]", 2).kind, Kind::kTooDeep);
  EXPECT_EQ(CheckJson("[[1]]", 2).kind, Kind::kValid);
}

// The literals true, false and null (RFC 8259 §3), lowercase and whole: each cut short (also
// at the very end of the text, where a word-wide comparison must not read past it) or with a
// byte changed is not JSON, as DomParser agrees.
TEST(JsonCheck, LiteralsAreWholeAndExact) {
  for (const std::string literal : {"true", "false", "null"}) {
    for (const std::string& text : {literal, "[" + literal + "]", R"({"a":)" + literal + "}"}) {
      EXPECT_TRUE(CheckJson(text).ok()) << text;
      EXPECT_TRUE(DomReads(text)) << text;
    }
    for (size_t cut = 1; cut < literal.size(); ++cut) {
      const std::string part = literal.substr(0, cut);
      for (const std::string& text : {part, "[" + part + "]", R"({"a":)" + part}) {
        EXPECT_FALSE(CheckJson(text).ok()) << text;
        EXPECT_FALSE(DomReads(text)) << text;
      }
    }
    for (size_t at = 0; at < literal.size(); ++at) {
      for (const char c : {'x', static_cast<char>(literal[at] - 32)}) {  // another letter, upper
        std::string changed = literal;
        changed[at] = c;
        for (const std::string& text : {changed, "[" + changed + "]"}) {
          EXPECT_FALSE(CheckJson(text).ok()) << text;
          EXPECT_FALSE(DomReads(text)) << text;
        }
      }
    }
  }
}

// non_ascii: false only when every byte of the value is ASCII, so that a caller may skip its
// UTF-8 check then (JSON allows other bytes only inside strings, RFC 8259 §8.1).
TEST(JsonCheck, NonAsciiIsSaidOfEveryTextWithAByteAbove7F) {
  for (const std::string& text : {std::string(R"({"a":"b","c":[1,"d"]})"),
                                  std::string(R"({"a":")") + std::string(100, 'x') + "\"}"}) {
    const JsonCheck c = CheckJson(text);
    ASSERT_TRUE(c.ok()) << text;
    EXPECT_FALSE(c.non_ascii) << text;
  }
  // Each position of a byte above 0x7F in strings of several lengths (within and past a
  // 16-byte block), in a value and in a key.
  for (size_t n = 1; n <= 40; ++n) {
    for (size_t at = 0; at < n; ++at) {
      std::string body(n, 'x');
      body[at] = '\xE9';
      for (const std::string& text : {R"({"k":")" + body + R"("})", R"({")" + body + R"(":1})",
                                      R"(["a",")" + body + R"("])"}) {
        const JsonCheck c = CheckJson(text);
        ASSERT_TRUE(c.ok()) << text;
        EXPECT_TRUE(c.non_ascii) << n << " " << at << " " << text;
      }
    }
  }
  // Outside strings no such byte is JSON.
  EXPECT_FALSE(CheckJson("{\"a\":1\xE9}").ok());
}

}  // namespace
}  // namespace tw::match

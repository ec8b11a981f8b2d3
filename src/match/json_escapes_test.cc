// CheckJsonEscapes / ReplaceLoneSurrogates, and DomParser reading unpaired surrogates as
// U+FFFD. Expected values from RFC 8259 §7 (the escapes JSON has; \u and four hex digits; a
// character beyond the BMP as a high-low surrogate pair) and Unicode (U+FFFD is EF BF BD in
// UTF-8; U+1F600 is the pair D83D DE00, F0 9F 98 80 in UTF-8).
#include "match/json_escapes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "match/dom_parser.h"

namespace tw::match {
namespace {

using Kind = EscapeCheck::Kind;

TEST(JsonEscapes, EveryJsonEscapeIsClean) {
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\" \\ \/ \b \f \n \r \t \u0041 \uABCD \uabcd"})").kind,
            Kind::kClean);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"no escapes at all"})").kind, Kind::kClean);
  EXPECT_EQ(CheckJsonEscapes("").kind, Kind::kClean);
  // A pair, either hex case.
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\ud83d\ude00","b":"\uD83D\uDE00"})").kind, Kind::kClean);
  // An escaped backslash followed by text that looks like an escape is not one.
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\\q \\ud800 \\u12"})").kind, Kind::kClean);
}

TEST(JsonEscapes, UnpairedSurrogatesAreFound) {
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\ud800x"})").kind, Kind::kLoneSurrogates);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\ud800\u0041"})").kind, Kind::kLoneSurrogates);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\udc00"})").kind, Kind::kLoneSurrogates);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\uDBFF"})").kind, Kind::kLoneSurrogates);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\ude00\ud83d"})").kind, Kind::kLoneSurrogates);
  EXPECT_EQ(CheckJsonEscapes(R"({"\ud800":1})").kind, Kind::kLoneSurrogates);  // in a key
}

TEST(JsonEscapes, InvalidEscapesAreFoundWithTheirOffset) {
  // Offsets count from 0: `{"a":"` is 6 bytes.
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\q"})").kind, Kind::kInvalid);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\q"})").offset, 6u);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\u12"})").kind, Kind::kInvalid);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\u12G4"})").kind, Kind::kInvalid);
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\U0041"})").kind, Kind::kInvalid);  // upper-case U
  EXPECT_EQ(CheckJsonEscapes(R"({"a":"\x41"})").kind, Kind::kInvalid);
  EXPECT_EQ(CheckJsonEscapes("{\"a\":\"\\\x01\"}").kind, Kind::kInvalid);
  EXPECT_EQ(CheckJsonEscapes("\\").kind, Kind::kInvalid);
  // A bad escape after an unpaired surrogate is still a bad escape.
  const EscapeCheck c = CheckJsonEscapes(R"({"a":"ok","b":"\ud800\u12G4"})");
  EXPECT_EQ(c.kind, Kind::kInvalid);
  EXPECT_EQ(c.offset, 21u);  // `{"a":"ok","b":"` is 15 bytes, `\ud800` 6 more
}

TEST(JsonEscapes, DescribeShowsThePrintableEscape) {
  // The byte is counted from 1: the backslash at offset 6 is the 7th byte.
  EXPECT_EQ(DescribeBadEscape(R"({"a":"\q"})", 6), "invalid escape \\q in a string at byte 7");
  EXPECT_EQ(DescribeBadEscape(R"({"a":"\u12G4"})", 6),
            "invalid escape \\u12G4 in a string at byte 7");
  EXPECT_EQ(DescribeBadEscape(R"({"a":"\u12"})", 6), "invalid escape \\u12 in a string at byte 7");
  // An ESC after the backslash is not shown raw.
  EXPECT_EQ(DescribeBadEscape("\"\\\x1b[2J\"", 1),
            "invalid escape (a backslash and byte 0x1b) in a string at byte 2");
}

TEST(JsonEscapes, ReplaceRewritesOnlyUnpairedSurrogates) {
  std::string out;
  EXPECT_EQ(ReplaceLoneSurrogates(R"(["\ud800x","\ud800\u0041","\udc00"])", out), 3u);
  EXPECT_EQ(out, R"(["\ufffdx","\ufffd\u0041","\ufffd"])");
  // A high surrogate before a pair: only the first is unpaired.
  EXPECT_EQ(ReplaceLoneSurrogates(R"("\ud800\ud83d\ude00")", out), 1u);
  EXPECT_EQ(out, R"("\ufffd\ud83d\ude00")");
  EXPECT_EQ(ReplaceLoneSurrogates(R"("\\ud800 \ud83d\ude00")", out), 0u);
  EXPECT_EQ(out, R"("\\ud800 \ud83d\ude00")");
}

std::string Hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

std::string StringAt(DomParser& p, const std::string& json) {
  simdjson::dom::element root;
  EXPECT_EQ(p.Parse(json, false, root), simdjson::SUCCESS) << json;
  std::string_view s;
  if (root["a"].get_string().get(s) != simdjson::SUCCESS) return "(none)";
  return Hex(s);
}

TEST(DomParser, UnpairedSurrogatesReadAsReplacementCharacter) {
  DomParser p;
  EXPECT_EQ(StringAt(p, R"({"a":"\ud800x"})"), "efbfbd78");
  EXPECT_EQ(StringAt(p, R"({"a":"\ud800\u0041"})"), "efbfbd41");
  EXPECT_EQ(StringAt(p, R"({"a":"\udc00"})"), "efbfbd");
  EXPECT_EQ(StringAt(p, R"({"a":"\ud800\ud83d\ude00"})"), "efbfbdf09f9880");
  EXPECT_EQ(p.text(), R"({"a":"\ufffd\ud83d\ude00"})");
  // With a number beyond simdjson's range before it, and after it.
  EXPECT_EQ(StringAt(p, R"({"n":1e999,"a":"\udc00"})"), "efbfbd");
  EXPECT_TRUE(p.wide_numbers());
  EXPECT_EQ(StringAt(p, R"({"a":"\udc00","n":123456789012345678901234567890})"), "efbfbd");
  EXPECT_TRUE(p.wide_numbers());
  // A clean text is read as given.
  EXPECT_EQ(StringAt(p, R"({"a":"\u0041"})"), "41");
  EXPECT_EQ(p.text(), R"({"a":"\u0041"})");
}

TEST(DomParser, InvalidEscapesAreStillRefused) {
  DomParser p;
  simdjson::dom::element root;
  EXPECT_EQ(p.Parse(R"({"a":"\q"})", false, root), simdjson::STRING_ERROR);
  EXPECT_EQ(p.Parse(R"({"a":"\u12G4"})", false, root), simdjson::STRING_ERROR);
  EXPECT_EQ(p.Parse(R"({"a":"\ud800","b":"\u12"})", false, root), simdjson::STRING_ERROR);
}

// Each escape of RFC 8259 §7 read as the character it names; UTF-8 by hand (U+00E9: C3 A9,
// U+1F600: F0 9F 98 80, U+FFFD: EF BF BD).
TEST(AppendUnescaped, ReadsEachEscapeAsItsCharacter) {
  const auto read = [](std::string_view body) {
    std::string out = "<";
    AppendUnescaped(body, out);
    return out;
  };
  EXPECT_EQ(read("plain"), "<plain");
  EXPECT_EQ(read(R"(\"\\\/\b\f\n\r\t)"), "<\"\\/\b\f\n\r\t");
  EXPECT_EQ(read(R"(caf\u00e9 \u00E9)"), "<caf\xC3\xA9 \xC3\xA9");
  EXPECT_EQ(read(R"(\ud83d\ude00!)"), "<\xF0\x9F\x98\x80!");
  // Unpaired surrogates: U+FFFD each, and the escape after a lone high one read on its own.
  EXPECT_EQ(read(R"(\ud800x\udc00\ud800\u0041)"),
            "<\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(read(R"(\u0000)"), std::string("<\0", 2));
}

}  // namespace
}  // namespace tw::match

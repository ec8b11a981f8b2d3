#include "match/json_check.h"

#include <fmt/format.h>

#include <algorithm>

#include "match/json_walk.h"

namespace tw::match {

JsonCheck CheckJson(std::string_view text, size_t max_depth) {
  NoJsonListener none;
  return WalkJson(text, /*prefix=*/false, max_depth, none);
}

JsonCheck CheckJsonPrefix(std::string_view text, size_t max_depth) {
  NoJsonListener none;
  return WalkJson(text, /*prefix=*/true, max_depth, none);
}

std::string DescribeJsonCheck(std::string_view text, const JsonCheck& check, size_t max_depth) {
  using namespace json_walk;             // NOLINT(google-build-using-namespace): Expected
  const size_t byte = check.offset + 1;  // 1-based, for people
  switch (check.kind) {
    case JsonCheck::Kind::kValid:
    case JsonCheck::Kind::kLoneSurrogates:
      return "valid JSON";
    case JsonCheck::Kind::kBadEscape:
      return DescribeBadEscape(text, check.offset);
    case JsonCheck::Kind::kTooDeep:
      return fmt::format("nesting deeper than {} levels at byte {}",
                         std::min(max_depth, json_walk::kMaxDepth), byte);
    case JsonCheck::Kind::kNotJson:
      break;
  }
  const auto what = static_cast<Expected>(check.detail);
  if (check.offset >= text.size()) {
    const char* where = "where a value should be";
    switch (what) {
      case kStringEnd:
        where = "inside a string";
        break;
      case kMemberName:
        where = "where a member name should be";
        break;
      case kColon:
        where = "where `:` should be";
        break;
      case kCommaOrBrace:
        where = "inside an object (no closing `}`)";
        break;
      case kCommaOrBracket:
        where = "inside an array (no closing `]`)";
        break;
      case kDigit:
        where = "inside a number";
        break;
      default:
        break;
    }
    return fmt::format("unexpected end of text {}, at byte {}", where, byte);
  }
  const auto c = static_cast<unsigned char>(text[check.offset]);
  if (what == kEscaped) {
    return fmt::format("unescaped control character 0x{:02x} in a string at byte {}", c, byte);
  }
  const std::string shown = c >= 0x21 && c <= 0x7E && c != '`'
                                ? fmt::format("`{}`", static_cast<char>(c))
                                : fmt::format("byte 0x{:02x}", c);
  const char* where = "where a value should be";
  switch (what) {
    case kMemberName:
      where = "where a member name (a string) should be";
      break;
    case kColon:
      where = "where `:` should be";
      break;
    case kCommaOrBrace:
      where = "where `,` or `}` should be";
      break;
    case kCommaOrBracket:
      where = "where `,` or `]` should be";
      break;
    case kEndOfText:
      where = "after the end of the JSON value";
      break;
    case kDigit:
      where = "where a digit of a number should be";
      break;
    default:
      break;
  }
  return fmt::format("unexpected {} {}, at byte {}", shown, where, byte);
}

}  // namespace tw::match

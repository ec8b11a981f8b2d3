#include "match/json_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <bitset>
#include <cstring>
#include <optional>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "match/json_escapes.h"

namespace tw::match {
namespace {

// What a failed check found missing (kNone: nothing), kept in JsonCheck::detail for
// DescribeJsonCheck.
enum Expected : uint8_t {
  kNone,
  kValue,
  kMemberName,
  kColon,
  kCommaOrBrace,
  kCommaOrBracket,
  kEndOfText,
  kStringEnd,  // the text ends inside a string
  kEscaped,    // a control character in a string
  kDigit,      // a number's grammar
  kEscape,     // a bad escape (JsonCheck::Kind::kBadEscape)
};

constexpr size_t kMaxDepth = 4096;  // the most CheckJson can track (max_depth above it: this)

// One comparison rejects every byte above the space, which is nearly every byte.
inline bool IsWs(char c) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline const char* SkipWs(const char* p, const char* end) {
  while (p < end && IsWs(*p)) ++p;
  return p;
}

// The first byte at or after `p` that is '"', '\\' or below 0x20 (`end` when none).
inline const char* StringStop(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1F);
  if (end - p >= 16) {
    for (const char* const last = end - 16; p <= last; p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // max(v, 0x1F) == 0x1F exactly for the bytes 0x00-0x1F (unsigned).
      const __m128i hits =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
      const int mask = _mm_movemask_epi8(hits);
      if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    }
  }
#endif
  while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

// Reads a number from `p` (its first byte, '-' or a digit): -?(0|[1-9][0-9]*)(\.[0-9]+)?
// ([eE][+-]?[0-9]+)? (RFC 8259 §6), of any size. Returns the byte after it; on damage, sets
// `error` and returns where the damage is.
inline const char* ReadNumber(const char* p, const char* end, Expected* error) {
  if (*p == '-') ++p;
  if (p == end || !IsDigit(*p)) {
    *error = kDigit;
    return p;
  }
  if (*p == '0') {
    ++p;
  } else {
    while (p < end && IsDigit(*p)) ++p;
  }
  if (p < end && *p == '.') {
    ++p;
    if (p == end || !IsDigit(*p)) {
      *error = kDigit;
      return p;
    }
    while (p < end && IsDigit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !IsDigit(*p)) {
      *error = kDigit;
      return p;
    }
    while (p < end && IsDigit(*p)) ++p;
  }
  return p;
}

}  // namespace

// A state machine over the bytes, its states the labels below: a value is expected (value), a
// member name or the end of an empty object (member), or what follows a value (after_value).
// The common case, compact JSON, takes no whitespace branch: whitespace is skipped only where
// the expected byte is not found.
JsonCheck CheckJson(std::string_view text, size_t max_depth) {
  const char* const end = text.data() + text.size();
  if (max_depth > kMaxDepth) max_depth = kMaxDepth;
  bool is_object[kMaxDepth];  // per open level: an object (else an array); written on opening
  size_t depth = 0;
  bool lone = false;
  bool in_name = false;  // the string being read is a member name (where string_slow goes back)
  Expected error = kNone;
  const char* p = text.data();

value:
  if (p == end || IsWs(*p)) {
    p = SkipWs(p, end);
    if (p == end) {
      error = kValue;
      goto fail;
    }
  }
  if (*p == '"') {  // most values are strings
    p = StringStop(p + 1, end);
    in_name = false;
    if (p == end || *p != '"') goto string_slow;
    ++p;
    goto after_value;
  }
  switch (*p) {
    case '{':
    case '[': {
      if (depth >= max_depth) {
        JsonCheck deep;
        deep.kind = JsonCheck::Kind::kTooDeep;
        deep.offset = static_cast<size_t>(p - text.data());
        return deep;
      }
      const bool object = *p == '{';
      is_object[depth++] = object;
      ++p;
      if (p < end && IsWs(*p)) p = SkipWs(p, end);
      if (p < end && *p == (object ? '}' : ']')) {
        --depth;
        ++p;
        goto after_value;
      }
      if (object) goto member;
      goto value;
    }
    case 't':
    case 'f':
    case 'n': {
      const std::string_view literal = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
      if (static_cast<size_t>(end - p) < literal.size() ||
          std::memcmp(p, literal.data(), literal.size()) != 0) {
        error = kValue;
        goto fail;
      }
      p += literal.size();
      goto after_value;
    }
    default:
      if (*p != '-' && !IsDigit(*p)) {
        error = kValue;
        goto fail;
      }
      p = ReadNumber(p, end, &error);
      if (error != kNone) goto fail;
      goto after_value;
  }

member:  // at a member name: after `{` (not empty) or after an object's `,`
  if (p == end || *p != '"') {
    p = SkipWs(p, end);
    if (p == end || *p != '"') {
      error = kMemberName;
      goto fail;
    }
  }
  p = StringStop(p + 1, end);
  in_name = true;
  if (p == end || *p != '"') goto string_slow;
  ++p;
after_name:
  if (p == end || *p != ':') {
    p = SkipWs(p, end);
    if (p == end || *p != ':') {
      error = kColon;
      goto fail;
    }
  }
  ++p;
  goto value;

after_value:
  if (p < end && *p == ',' && depth != 0) {  // the common case first
    ++p;
    if (is_object[depth - 1]) goto member;
    goto value;
  }
  if (p < end && IsWs(*p)) p = SkipWs(p, end);
  if (depth == 0) {
    if (p != end) {
      error = kEndOfText;
      goto fail;
    }
    JsonCheck ok;
    ok.kind = lone ? JsonCheck::Kind::kLoneSurrogates : JsonCheck::Kind::kValid;
    return ok;
  }
  if (p < end && *p == ',') {
    ++p;
    if (is_object[depth - 1]) goto member;
    goto value;
  }
  if (p < end && *p == (is_object[depth - 1] ? '}' : ']')) {
    --depth;
    ++p;
    goto after_value;
  }
  error = is_object[depth - 1] ? kCommaOrBrace : kCommaOrBracket;
  goto fail;

string_slow:  // p at a string's stop byte that is not its closing quote: an escape, or damage
  for (;;) {
    if (p == end) {
      error = kStringEnd;
      goto fail;
    }
    if (*p == '"') break;
    if (*p != '\\') {
      error = kEscaped;
      goto fail;
    }
    size_t len = 0;
    switch (ReadEscape(text, static_cast<size_t>(p - text.data()), &len)) {
      case EscapeRead::kValid:
        break;
      case EscapeRead::kLone:
        lone = true;
        break;
      case EscapeRead::kInvalid:
        error = kEscape;
        goto fail;
    }
    p = StringStop(p + len, end);
  }
  ++p;
  if (in_name) goto after_name;
  goto after_value;

fail:
  JsonCheck bad;
  bad.kind = error == kEscape ? JsonCheck::Kind::kBadEscape : JsonCheck::Kind::kNotJson;
  bad.offset = static_cast<size_t>(p - text.data());
  bad.detail = error;
  return bad;
}

std::string DescribeJsonCheck(std::string_view text, const JsonCheck& check, size_t max_depth) {
  const size_t byte = check.offset + 1;  // 1-based, for people
  switch (check.kind) {
    case JsonCheck::Kind::kValid:
    case JsonCheck::Kind::kLoneSurrogates:
      return "valid JSON";
    case JsonCheck::Kind::kBadEscape:
      return DescribeBadEscape(text, check.offset);
    case JsonCheck::Kind::kTooDeep:
      return fmt::format("nesting deeper than {} levels at byte {}", std::min(max_depth, kMaxDepth),
                         byte);
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

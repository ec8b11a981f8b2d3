// WalkJson: the one-pass JSON grammar check of match::CheckJson (json_check.h), with hooks that
// let a caller read chosen members as the walk passes them (docs/design-one-pass-records.md).
//
// The walk accepts exactly what CheckJson accepts (it is CheckJson's code: CheckJson is WalkJson
// with NoJsonListener). A listener follows a prefix of the nesting: the top-level value and,
// below it, the objects the listener asks to follow ("tracked" levels, contiguous from the top).
// At a tracked object's member the walk calls Name(); when Name() returns true, exactly one of
// String(), Scalar(), Array() or Object() follows for that member's value, before the walk goes
// past it. The top-level value is always announced (as if Name() had returned true). Object()
// returns true to follow the object; its end is then announced with Close(). Nothing below an
// untracked level is announced, but every byte is still checked.
//
// String() and Name() get the string's bytes between its quotes, as written, and whether they
// hold an escape (then every escape in them is valid, but surrogate escapes may be unpaired:
// the result says so). Hooks are called before the walk checks the rest of the text: a text
// that then fails the check may already have been partly announced.
//
// Listener contract:
//   struct L {
//     static constexpr bool kTracks = true;
//     bool Name(const char* begin, const char* end, bool escaped);
//     void String(const char* begin, const char* end, bool escaped);
//     void Scalar(const char* begin, const char* end);  // a number, true, false or null
//     void Array();   // not followed: its elements are not announced
//     bool Object();  // true: follow it
//     void Close();   // a followed object ends
//   };
//
// Header-only so that both CheckJson and the engine's anchor extractor compile the walk with
// their hooks inlined. Stateless; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "match/json_check.h"
#include "match/json_escapes.h"

namespace tw::match {

// Follows nothing: WalkJson is then CheckJson.
struct NoJsonListener {
  static constexpr bool kTracks = false;
  bool Name(const char*, const char*, bool) { return false; }
  void String(const char*, const char*, bool) {}
  void Scalar(const char*, const char*) {}
  void Array() {}
  bool Object() { return false; }
  void Close() {}
};

namespace json_walk {

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

inline constexpr size_t kMaxDepth = 4096;  // the most the walk can track (max_depth above: this)

// One comparison rejects every byte above the space, which is nearly every byte.
inline bool IsWs(char c) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline const char* SkipWs(const char* p, const char* end) {
  while (p < end && IsWs(*p)) ++p;
  return p;
}

// The first byte at or after `p` that is '"', '\\' or below 0x20 (`end` when none). Sets a
// bit of `high` when a byte above 0x7F is among the bytes it read: those before the stop, and
// perhaps some after it in the same 16-byte block (so `high` may say so of a text whose strings
// are all ASCII, never the other way round).
inline const char* StringStop(const char* p, const char* end, unsigned& high) {
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
      high |= static_cast<unsigned>(_mm_movemask_epi8(v));  // the bytes' top bits
      const int mask = _mm_movemask_epi8(hits);
      if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    }
  }
#endif
  while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) {
    high |= static_cast<unsigned char>(*p) & 0x80u;
    ++p;
  }
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

}  // namespace json_walk

// Checks `text` as CheckJson does, announcing members to `listener` (above). With `prefix`, the
// text may go on after its first value (not checked); for an ok() result, `offset` is where the
// value ends (the byte after it) in either mode.
//
// A state machine over the bytes, its states the labels below: a value is expected (value), a
// member name (member), what follows a value (after_value), a closing bracket (close), a
// scalar read (scalar).
// The common case, compact JSON, takes no whitespace branch: whitespace is skipped only where
// the expected byte is not found.
template <class Listener>
JsonCheck WalkJson(std::string_view text, bool prefix, size_t max_depth, Listener& listener) {
  using namespace json_walk;  // NOLINT(google-build-using-namespace): the walk's own helpers
  const char* const end = text.data() + text.size();
  if (max_depth > kMaxDepth) max_depth = kMaxDepth;
  bool is_object[kMaxDepth];  // per open level: an object (else an array); written on opening
  size_t depth = 0;
  size_t tracked = 0;             // levels 1..tracked are followed by the listener
  bool want = Listener::kTracks;  // the next value is announced
  bool lone = false;
  unsigned high = 0;  // nonzero: a string may hold a byte above 0x7F (StringStop)
  enum class StringRole : uint8_t { kName, kValue, kAnnounced };
  StringRole role = StringRole::kValue;  // of the string being read (where string_slow goes back)
  const char* string_begin = nullptr;
  const char* scalar_begin = nullptr;
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
    string_begin = p + 1;
    p = StringStop(p + 1, end, high);
    role = want ? StringRole::kAnnounced : StringRole::kValue;
    if (p == end || *p != '"') goto string_slow;
    if constexpr (Listener::kTracks) {
      if (want) {
        listener.String(string_begin, p, false);
        want = false;
      }
    }
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
      if constexpr (Listener::kTracks) {
        if (want) {
          want = false;
          if (!object) {
            listener.Array();
          } else if (listener.Object()) {
            tracked = depth;
          }
        }
      }
      ++p;
      if (p < end && IsWs(*p)) p = SkipWs(p, end);
      if (p < end && *p == (object ? '}' : ']')) goto close;  // empty
      if (object) goto member;
      goto value;
    }
    case 't':
    case 'f':
    case 'n': {
      scalar_begin = p;
      // Compared as one 4-byte word ("fals", then 'e'): no call to memcmp.
      const char* const literal = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
      const size_t size = *p == 'f' ? 5 : 4;
      uint32_t got = 0;
      uint32_t word = 0;
      if (static_cast<size_t>(end - p) >= size) {
        std::memcpy(&got, p, 4);
        std::memcpy(&word, literal, 4);
      }
      if (static_cast<size_t>(end - p) < size || got != word || (size == 5 && p[4] != 'e')) {
        error = kValue;
        goto fail;
      }
      p += size;
      goto scalar;
    }
    default:
      if (*p != '-' && !IsDigit(*p)) {
        error = kValue;
        goto fail;
      }
      scalar_begin = p;
      p = ReadNumber(p, end, &error);
      if (error != kNone) goto fail;
      goto scalar;
  }

scalar:  // a number, true, false or null has been read
  if constexpr (Listener::kTracks) {
    if (want) {
      listener.Scalar(scalar_begin, p);
      want = false;
    }
  }
  goto after_value;

member:  // at a member name: after `{` (not empty) or after an object's `,`
  if (p == end || *p != '"') {
    p = SkipWs(p, end);
    if (p == end || *p != '"') {
      error = kMemberName;
      goto fail;
    }
  }
  string_begin = p + 1;
  p = StringStop(p + 1, end, high);
  role = StringRole::kName;
  if (p == end || *p != '"') goto string_slow;
  if constexpr (Listener::kTracks) {
    if (depth == tracked) want = listener.Name(string_begin, p, false);
  }
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
  if (depth == 0) {
    const char* value_end = p;
    if (!prefix) {
      if (p < end && IsWs(*p)) p = SkipWs(p, end);
      if (p != end) {
        error = kEndOfText;
        goto fail;
      }
    }
    JsonCheck ok;
    ok.kind = lone ? JsonCheck::Kind::kLoneSurrogates : JsonCheck::Kind::kValid;
    ok.offset = static_cast<size_t>(value_end - text.data());
    ok.non_ascii = high != 0;
    return ok;
  }
  if (p < end && IsWs(*p)) p = SkipWs(p, end);
  if (p < end && *p == ',') {
    ++p;
    if (is_object[depth - 1]) goto member;
    goto value;
  }
  if (p < end && *p == (is_object[depth - 1] ? '}' : ']')) goto close;
  error = is_object[depth - 1] ? kCommaOrBrace : kCommaOrBracket;
  goto fail;

close:  // p at the closing bracket of the innermost open level
  if constexpr (Listener::kTracks) {
    if (depth == tracked) {
      listener.Close();
      --tracked;
    }
  }
  --depth;
  ++p;
  goto after_value;

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
    p = StringStop(p + len, end, high);
  }
  switch (role) {
    case StringRole::kName:
      if constexpr (Listener::kTracks) {
        if (depth == tracked) want = listener.Name(string_begin, p, true);
      }
      ++p;
      goto after_name;
    case StringRole::kAnnounced:
      if constexpr (Listener::kTracks) {
        listener.String(string_begin, p, true);
        want = false;
      }
      break;
    case StringRole::kValue:
      break;
  }
  ++p;
  goto after_value;

fail:
  JsonCheck bad;
  bad.kind = error == kEscape ? JsonCheck::Kind::kBadEscape : JsonCheck::Kind::kNotJson;
  bad.offset = static_cast<size_t>(p - text.data());
  bad.detail = error;
  return bad;
}

}  // namespace tw::match

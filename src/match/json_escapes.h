// JSON string escapes, read one way everywhere (docs/json-input.md, "String escapes").
//
// simdjson checks a string's escapes only when it unescapes that string, so a record with `"\q"`
// in a member no rule reads was an event for the rule index and an unreadable record for
// exhaustive evaluation (issue 8); the engine's one pass over each record now reads every escape
// with ReadEscape (match/json_walk.h). And
// simdjson refuses every unpaired UTF-16 surrogate escape (`"\ud800x"`, `"\ud800\u0041"`,
// `"\udc00"`), which the JSON grammar allows (RFC 8259 §7; §8.2 leaves their meaning open), so a
// record with one in any field could not be evaluated. trailwatch reads every record, on every
// path (the index, exhaustive evaluation, `match`, rule-file tests), by one rule:
//   - an escape other than \" \\ \/ \b \f \n \r \t and \u followed by four hex digits
//     (RFC 8259 §7) makes the record damaged: an error with its location, not an event;
//   - an unpaired surrogate escape reads as U+FFFD REPLACEMENT CHARACTER, and the record is
//     evaluated. The record is read from a copy in which each such escape is rewritten as
//     `\ufffd` (six bytes for six, so no offset moves), as the EventBridge pattern parser reads
//     one in a pattern (eventbridge/pattern_json.cc).
//
// CheckJsonEscapes costs one memchr over a record without a backslash. It does not track
// quotes: every backslash of valid JSON lies in a string, and escapes are read pairwise from the
// start, so `\\u` is an escaped backslash and a `u`. A backslash outside a string is reported as
// a bad escape, which the text is in any case not JSON.
//
// Stateless functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tw::match {

struct EscapeCheck {
  enum class Kind : uint8_t {
    kClean,           // every escape is valid, every surrogate escape paired
    kLoneSurrogates,  // every escape is valid, some surrogate escape is unpaired
    kInvalid,         // some escape is not JSON (reported even when unpaired surrogates precede it)
  };
  Kind kind = Kind::kClean;
  size_t offset = 0;  // kInvalid: the byte offset of the first bad escape's backslash
};

// How the escape whose backslash is text[i] reads: a valid escape (a high-low surrogate pair
// included), an unpaired surrogate escape, or not a JSON escape. Sets `len` to the bytes it
// spans (a pair spans both escapes; 2 for an invalid one).
enum class EscapeRead : uint8_t { kValid, kLone, kInvalid };
EscapeRead ReadEscape(std::string_view text, size_t i, size_t* len);

// Appends to `out` the characters of a JSON string's body (the bytes between its quotes), its
// escapes read: each escape in it must read as kValid or kLone (ReadEscape); an unpaired
// surrogate escape reads as U+FFFD, as everywhere else.
void AppendUnescaped(std::string_view body, std::string& out);

// Checks every backslash escape of `text` (one JSON value, or several).
EscapeCheck CheckJsonEscapes(std::string_view text);

// "invalid escape \q in a string at byte 58": the message for a kInvalid check of `text` (the
// byte counted from 1, the record's first byte being byte 1). The
// escape is shown as written, up to six characters, printable ASCII only (a byte outside that
// range ends it), so the message is safe for a terminal and JSON.
std::string DescribeBadEscape(std::string_view text, size_t offset);

// Sets `out` to `text` with every unpaired surrogate escape (\uD800-\uDFFF not part of a
// high-low pair, any hex case) rewritten as \ufffd. Escapes are read as CheckJsonEscapes reads
// them; `text` should have passed it. Returns the number of escapes rewritten.
size_t ReplaceLoneSurrogates(std::string_view text, std::string& out);

}  // namespace tw::match

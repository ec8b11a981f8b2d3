// CheckJson: is a record's text JSON that exhaustive evaluation can read? One pass over the
// bytes, no allocation, no DOM (docs/json-input.md, "One check per record").
//
// The rule index reads only the members its rules dispatch on; exhaustive evaluation parses
// every record into a DOM and refuses broken JSON anywhere in it (`{"a":1,5:2}`, `[1,2}` or NUL
// bytes inside requestParameters). So that the two count a record alike (an event, or an error
// with its location: issue 8), every record's whole text is checked by this pass: the engine's
// anchor extractor runs it with hooks that extract as it goes (match/json_walk.h), exhaustive
// evaluation runs CheckJson. DescribeJsonCheck tells why a record was refused.
// CheckJson accepts exactly the texts match::DomParser accepts (the fuzz target dom_parser
// holds it to that):
//   - one JSON value (RFC 8259), whitespace around it allowed;
//   - numbers by the JSON grammar, of any size (DomParser reads 1e999 and 30-digit integers);
//   - string escapes as match/json_escapes.h reads them: a bad escape is an error, an unpaired
//     surrogate escape is allowed and reported (kLoneSurrogates), as the record is then read from
//     a copy with each rewritten as \ufffd;
//   - no unescaped control character (U+0000-U+001F) in a string;
//   - nesting at most `max_depth` levels of arrays and objects (simdjson's DOM holds 1,024).
// It does not check UTF-8. Outside strings only ASCII is JSON; a string's other bytes are
// accepted as they are, and an ok() check says whether there may be any (`non_ascii`), so that
// the caller checks the UTF-8 of only such a text (engine::Engine does, for the text that the
// record reader hands over unchecked: decode/record_reader.h).
//
// Cost: strings are scanned 16 bytes at a time (SSE2; byte by byte without it), the rest byte
// by byte: about 3.4 instructions per byte of a CloudTrail record (5,490 for the gate corpus's
// average record of 1,627 bytes), about 60% of a DOM parse.
//
// Stateless functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tw::match {

struct JsonCheck {
  enum class Kind : uint8_t {
    kValid,           // JSON, every escape valid, every surrogate escape paired
    kLoneSurrogates,  // JSON, some surrogate escape unpaired
    kBadEscape,       // a string escape that JSON does not have (offset: its backslash)
    kNotJson,         // not one JSON value (offset: the first byte that cannot be read)
    kTooDeep,         // JSON nested deeper than max_depth (offset: the opener one level too deep)
  };
  Kind kind = Kind::kValid;
  size_t offset = 0;   // not ok(): where; ok(): where the value ends (the byte after it)
  uint8_t detail = 0;  // kNotJson: what should have been there (read by DescribeJsonCheck)
  // ok(): a string may hold a byte above 0x7F, whose UTF-8 this check does not read. False
  // means the whole value is ASCII; true may be said of an ASCII value too (a byte just after
  // a string was seen), and of a text with bytes above 0x7F after the value (`prefix`).
  bool non_ascii = false;
  bool ok() const { return kind == Kind::kValid || kind == Kind::kLoneSurrogates; }
};

inline constexpr size_t kJsonCheckDepth = 1024;  // simdjson::DEFAULT_MAX_DEPTH; at most 4,096

// Checks that `text` is one JSON value DomParser can read (see above).
JsonCheck CheckJson(std::string_view text, size_t max_depth = kJsonCheckDepth);

// As CheckJson, for a text that starts with one JSON value and may go on after it (a record at
// its place in a larger document): what follows the value is not read. When ok(), `offset` is
// where the value ends (the byte after it).
JsonCheck CheckJsonPrefix(std::string_view text, size_t max_depth = kJsonCheckDepth);

// What is wrong, for a check that is not ok(), ending with where: "invalid escape \q in a string
// at byte 7", "unexpected `5` where a member name (a string) should be, at byte 29", "unexpected
// end of text inside a string, at byte 8", "nesting deeper than 1024 levels at byte 1025".
// Bytes count from 1 (one past the end for the end of text). A byte quoted is printable ASCII or
// shown as 0xNN, so the message is safe for a terminal and JSON.
std::string DescribeJsonCheck(std::string_view text, const JsonCheck& check,
                              size_t max_depth = kJsonCheckDepth);

}  // namespace tw::match

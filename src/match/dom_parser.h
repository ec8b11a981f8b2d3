// DomParser: simdjson's DOM parser, extended to every number JSON allows.
//
// simdjson refuses some valid JSON numbers ("Problem while parsing a number"): integers beyond
// 64 bits (18446744073709551616, -9223372036854775809, 30-digit ids) and magnitudes beyond a
// double (1e999). A record holding one must still be evaluated, or any attacker-controlled field
// becomes a way to hide an event (issue 8, defect 11). trailwatch reads such a number as every
// number is read (docs/json-input.md, "Numbers"): the IEEE-754 double nearest to its decimal
// text, as strtod rounds it, so 1e999 is +infinity, -1e999 -infinity, and
// 18446744073709551616 is 2^64 as a double. Both pattern languages then compare it by value.
//
// How: Parse first lets simdjson parse the text. Only when simdjson reports NUMBER_ERROR does it
// re-read a copy in which every number token is replaced by `0`, and then write each number's
// own value into the DOM's tape (simdjson's documented tape format, doc/tape.md: a number is a
// type word 'l', 'u' or 'd' followed by its 64-bit payload, in document order). An integer that
// fits int64 or uint64 is stored as simdjson stores it; every other number as its nearest
// double. Strings, keys and structure are simdjson's own; a text that is not JSON for another
// reason still fails with simdjson's error.
//
// Unpaired UTF-16 surrogate escapes (`"\ud800x"`, `"\udc00"`) read as U+FFFD
// (match/json_escapes.h, docs/json-input.md "String escapes"): when simdjson refuses a string
// (STRING_ERROR) and the text's only fault is such escapes, Parse reads a copy in which each is
// rewritten `\ufffd`. Any other bad escape still fails with simdjson's STRING_ERROR.
//
// simdjson::minify cannot write an infinite double (it writes nothing), so a DOM read with the
// fallback is written back with MinifyDom, which spells +-infinity as 1e999 / -1e999.
//
// Ownership: the parser owns the DOM; elements from Parse are valid until the next Parse. Not
// thread-safe: one DomParser per thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tw::match {

class DomParser {
 public:
  DomParser();
  DomParser(const DomParser&) = delete;
  DomParser& operator=(const DomParser&) = delete;

  // Parses `text` into `root`. `padded`: SIMDJSON_PADDING readable bytes follow the text (else
  // simdjson copies it). Returns simdjson's error code (SUCCESS, or why the text is not JSON
  // this parser can hold: nesting deeper than 1,024 levels is still DEPTH_ERROR).
  simdjson::error_code Parse(std::string_view text, bool padded, simdjson::dom::element& root);

  // True when the last successful Parse needed the number fallback (some number is beyond
  // simdjson's range): write its elements with MinifyDom, not simdjson::minify.
  bool wide_numbers() const { return wide_numbers_; }

  // The text the last successful Parse read: its `text`, or the copy with unpaired surrogate
  // escapes rewritten as \ufffd (then valid until the next Parse). What a term or regex pattern
  // sees, so that it reads the record as every other path does.
  std::string_view text() const { return text_; }

 private:
  struct NumberSlot {
    char type;      // 'l', 'u' or 'd', as on simdjson's tape
    uint64_t bits;  // the payload word
  };

  simdjson::dom::parser parser_;
  std::string scratch_;
  std::string surrogates_;  // the text with unpaired surrogate escapes rewritten
  std::string_view text_;
  std::vector<NumberSlot> numbers_;
  bool wide_numbers_ = false;
};

// Reads `token` as trailwatch reads a JSON number (see above): the nearest double, +-infinity
// beyond the range, (-)0 below it. False when `token` is not a JSON number (RFC 8259 §6).
bool ReadJsonNumber(std::string_view token, double* out);

// Compact JSON of `e`, as simdjson::minify writes it, except that doubles are written with 17
// significant digits and +-infinity as 1e999 / -1e999 (so the text reads back as the same
// values).
std::string MinifyDom(simdjson::dom::element e);

}  // namespace tw::match

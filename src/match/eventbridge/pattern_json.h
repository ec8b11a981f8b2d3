// A small JSON reader for EventBridge event patterns (internal to match/eventbridge/).
//
// Pattern text is short (2048 characters by default) and must be read exactly as EventBridge
// reads it, which a general-purpose parser does not promise:
//   * duplicate object keys are all kept, in document order (the pattern compiler decides who
//     wins: the last reference to a path, see parser.h);
//   * numbers keep their literal spelling next to their double value, for error messages;
//   * every value records the byte offset where it starts, for diagnostics;
//   * nesting deeper than a fixed limit is an error, so hostile input cannot exhaust the stack.
//
// Thread-safety: the functions are reentrant; values are plain data.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace tw::match::eventbridge {

struct PatternJson {
  enum class Kind { kNull, kTrue, kFalse, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  double number = 0;               // kNumber
  std::string text;                // kString: the decoded string; kNumber: the literal as written
  std::vector<PatternJson> items;  // kArray
  std::vector<std::pair<std::string, PatternJson>> members;  // kObject, duplicates kept, in order
  size_t offset = 0;  // byte offset of the value's first character in the pattern text

  // Declared here, defined in the .cc: the members hold PatternJsons, which must be complete
  // before the implicit members are instantiated (clang with libstdc++ insists).
  PatternJson();
  ~PatternJson();
  PatternJson(const PatternJson&);
  PatternJson(PatternJson&&) noexcept;
  PatternJson& operator=(const PatternJson&);
  PatternJson& operator=(PatternJson&&) noexcept;

  bool IsString() const { return kind == Kind::kString; }
  bool IsNumber() const { return kind == Kind::kNumber; }
  bool IsArray() const { return kind == Kind::kArray; }
  bool IsObject() const { return kind == Kind::kObject; }
};

// Nesting deeper than this many arrays/objects is rejected.
inline constexpr int kMaxPatternJsonDepth = 64;

// Parses one JSON document (RFC 8259, UTF-8; surrounding whitespace allowed). Errors are
// kInvalidArgument with a message such as "Unexpected character 'x' at offset 12".
[[nodiscard]] Result<PatternJson> ParsePatternJson(std::string_view text);

// A short rendering of `value` for error messages: strings quoted, numbers as written,
// "[" / "{" for containers (as event-ruler reports the token it stopped at).
std::string DescribeToken(const PatternJson& value);

}  // namespace tw::match::eventbridge

// A deliberately naive JSON tree for the reference matchers (tests only).
//
// The reference matchers interpret each pattern language's syntax tree directly over this tree,
// independently of the IR, the evaluator and simdjson, so that differential tests compare two
// implementations that share nothing but the front ends' parsers. Simplicity beats speed here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace tw::match::reference {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;                                      // kString; kNumber: the literal text
  std::vector<JsonValue> array;                            // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, in document order

  // Declared here, defined in the .cc: the members hold JsonValues, which must be complete
  // before the implicit members are instantiated (clang with libstdc++ insists).
  JsonValue();
  ~JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;

  // The member named `key`; the first one when the key repeats (docs/json-input.md). Null
  // when absent.
  const JsonValue* Find(std::string_view key) const;
  bool IsScalar() const { return kind != Kind::kArray && kind != Kind::kObject; }
};

// Parses one JSON document (RFC 8259; surrounding whitespace allowed).
[[nodiscard]] Result<JsonValue> ParseJson(std::string_view text);

}  // namespace tw::match::reference

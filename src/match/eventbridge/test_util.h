// Helpers shared by the EventBridge pattern tests (header-only, tests only).
#pragma once

#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/strings.h"
#include "match/dom_parser.h"
#include "match/evaluator.h"
#include "match/eventbridge/compile.h"
#include "match/reference/json_tree.h"

namespace tw::match::eventbridge::testing {

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compact JSON text for a reference tree; numbers keep their literal spelling.
inline void AppendJson(std::string& out, const reference::JsonValue& v) {
  using Kind = reference::JsonValue::Kind;
  switch (v.kind) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.boolean ? "true" : "false";
      return;
    case Kind::kNumber:
      out += v.string;
      return;
    case Kind::kString:
      out += '"';
      AppendJsonEscaped(out, v.string);
      out += '"';
      return;
    case Kind::kArray:
      out += '[';
      for (size_t i = 0; i < v.array.size(); ++i) {
        if (i) out += ',';
        AppendJson(out, v.array[i]);
      }
      out += ']';
      return;
    case Kind::kObject:
      out += '{';
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        out += '"';
        AppendJsonEscaped(out, v.members[i].first);
        out += "\":";
        AppendJson(out, v.members[i].second);
      }
      out += '}';
      return;
  }
}

inline std::string ToJson(const reference::JsonValue& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

// Evaluates a compiled pattern over `event_text` the way the engine does: a DOM parse
// (match/dom_parser.h, numbers beyond simdjson's range included) and Subject{raw, &root, nullptr}.
inline Result<bool> FastMatch(const Node& node, std::string_view event_text) {
  DomParser parser;
  simdjson::dom::element root;
  if (parser.Parse(event_text, /*padded=*/false, root) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "event is not JSON");
  }
  return Evaluate(node, Subject{event_text, &root, nullptr});
}

inline Result<bool> FastMatch(std::string_view pattern_text, std::string_view event_text) {
  auto node = CompileEventPattern(pattern_text);
  if (!node) return tl::unexpected(node.error());
  return FastMatch(**node, event_text);
}

}  // namespace tw::match::eventbridge::testing

// Helpers shared by the cwl_test sources (header-only: every non-test .cc in this folder goes
// into the library).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "match/cwl/compile.h"
#include "match/cwl/parser.h"
#include "match/dom_parser.h"
#include "match/evaluator.h"
#include "match/ir.h"
#include "match/reference/cwl_reference.h"

namespace tw::match::cwl::testing {

// Evaluates `node` the way the engine does: with the DOM (match/dom_parser.h, numbers beyond
// simdjson's range included) when the message is a JSON object, and json = nullptr otherwise.
inline bool FastMatches(const Node& node, std::string_view message) {
  DomParser parser;
  simdjson::dom::element root;
  const simdjson::dom::element* json = nullptr;
  if (parser.Parse(message, /*padded=*/false, root) == simdjson::SUCCESS &&
      root.type() == simdjson::dom::element_type::OBJECT) {
    json = &root;
  }
  return Evaluate(node, Subject{message, json, nullptr});
}

}  // namespace tw::match::cwl::testing

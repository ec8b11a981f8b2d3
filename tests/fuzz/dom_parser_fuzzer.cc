// Fuzz target: match::DomParser, the DOM reader of every record (simdjson plus the fallback for
// numbers simdjson refuses, which rewrites the text and the DOM's tape), and MinifyDom. Checks
// that whatever Parse accepts, MinifyDom writes as JSON that Parse reads back, and that a second
// round writes the same text (the values, and doubles as doubles, survive). And that
// match::CheckJson accepts exactly what Parse accepts (json_check.h: the engine's check of each
// record before it is counted), on every UTF-8 text; and, on any text, that a check that finds
// no byte above 0x7F (`non_ascii` false) is only ever given for ASCII, so that leaving the UTF-8
// check to such texts alone (engine::Engine) misses none.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "match/dom_parser.h"
#include "match/json_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* first = new tw::match::DomParser();
  static auto* second = new tw::match::DomParser();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  simdjson::dom::element root;
  const bool parsed = first->Parse(text, /*padded=*/false, root) == simdjson::SUCCESS;
  const tw::match::JsonCheck check = tw::match::CheckJson(text);
  if (simdjson::validate_utf8(text.data(), text.size()) && check.ok() != parsed) std::abort();
  if (check.ok() && !check.non_ascii) {
    for (const char c : text) {
      if (static_cast<unsigned char>(c) > 0x7F) std::abort();
    }
  }
  if (!parsed) return 0;
  const std::string written = tw::match::MinifyDom(root);
  simdjson::dom::element again;
  if (second->Parse(written, /*padded=*/false, again) != simdjson::SUCCESS) std::abort();
  if (tw::match::MinifyDom(again) != written) std::abort();
  return 0;
}

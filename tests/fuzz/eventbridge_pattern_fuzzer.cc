// Fuzz target: EventBridge event patterns. Compiles the input as a pattern; when it compiles,
// evaluates it on a real EventBridge event (as given) and on a CloudTrail record seen through the
// virtual envelope the scanner builds (event/envelope.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "event/envelope.h"
#include "fuzz_events.h"
#include "match/evaluator.h"
#include "match/eventbridge/compile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tw::fuzz::ParsedJson event(tw::fuzz::kEventBridgeEvent);
  static const tw::fuzz::ParsedJson record(tw::fuzz::kCloudTrailRecord);
  // Built in place: the envelope's views point into the storage's own string.
  static tw::event::EnvelopeStorage envelope;
  static const bool envelope_built = (tw::event::BuildEnvelope(record.root, envelope), true);
  (void)envelope_built;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  tw::match::eventbridge::CompileOptions options;
  options.dotted_event_keys = size % 2 == 0;  // both lowerings, chosen by a cheap input bit
  auto node = tw::match::eventbridge::CompileEventPattern(text, options);
  if (!node) return 0;
  const tw::match::Node& root = **node;
  (void)tw::match::Evaluate(root, {tw::fuzz::kEventBridgeEvent, &event.root, nullptr});
  (void)tw::match::Evaluate(root, {tw::fuzz::kCloudTrailRecord, &record.root, &envelope.envelope});
  return 0;
}

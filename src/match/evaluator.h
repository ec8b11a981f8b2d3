// Evaluates an IR tree (match/ir.h) against one event.
//
// A Subject is what a matcher looks at: the raw message text and, when that text is a JSON
// object, its simdjson DOM root. An EventBridge-language rule over a CloudTrail record that did
// not arrive through EventBridge sees a virtual envelope (Envelope): `detail` is the record
// root, the other members are the strings given (see docs/envelope-mapping.md).
//
// With a FieldCache (match/field_cache.h) in the Subject, the paths that carry a field id are
// resolved once per event and shared by every rule evaluated with that cache; the answers are
// the same as without it.
//
// Thread-safety: Evaluate is reentrant; the IR is read-only. The Subject's views must outlive the
// call (they usually point into the simdjson parser's buffers, valid until its next parse). A
// FieldCache is used by one thread at a time.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "event/envelope.h"
#include "match/field_cache.h"
#include "match/ir.h"

namespace tw::match {

using Envelope = event::Envelope;

struct Subject {
  std::string_view raw;                          // the message exactly as read
  const simdjson::dom::element* json = nullptr;  // the parsed message, if it is JSON
  const Envelope* envelope = nullptr;            // non-null: the root is the envelope around *json
  // Non-null: memoize the nodes reached by fields (nodes with a field_id) for this event. Every
  // Subject evaluated with one cache between two NextEvent() calls must have the same root for
  // the same domain (the scanner: the record for filter patterns, the envelope for event
  // patterns). Null: every leaf walks its own path.
  FieldCache* fields = nullptr;
};

// Returns whether `node` holds for `subject`.
bool Evaluate(const Node& node, const Subject& subject);

// True when `leaf`'s op accepts the string `value` (negate and on_missing are not applied).
// The rule index uses it to test cheap necessary conditions on extracted strings.
bool OpAcceptsString(const Leaf& leaf, std::string_view value);

// EventBridge wildcard matching: `*` matches any run of characters; `\*` is a literal star and
// `\\` a literal backslash. `pattern` has been validated by the front end.
bool WildcardMatch(std::string_view pattern, std::string_view text);

// Parses "a.b.c.d/n" or an IPv6 CIDR. Returns false when malformed.
bool ParseCidr(std::string_view text, CidrBlock* block);

// True when `ip` (textual IPv4 or IPv6) lies inside `block`.
bool CidrContains(const CidrBlock& block, std::string_view ip);

}  // namespace tw::match

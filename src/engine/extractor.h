// AnchorExtractor: one simdjson On-Demand pass over a record that pulls out the values the rule
// index dispatches on (match/index.h), and recognises EventBridge envelopes.
//
// It walks the top-level members once, descending only into the objects that lead to an anchor
// slot (userIdentity for $.userIdentity.type, detail for an envelope). Nothing is allocated:
// string values are views into the parser's buffers, valid until the parser's next document.
//
// An input object is either a CloudTrail record or an EventBridge envelope whose `detail` is
// one (detail-type one of the CloudTrail ones). For an envelope the slots are filled from
// `detail`, and the envelope's own `source` / `detail-type` fill the two envelope slots; for a
// record those come from eventSource / eventType as EventBridge would set them.
//
// Thread-safety: Extract is const; use one output array and one scratch string per thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "match/index.h"

namespace tw::engine {

struct ExtractResult {
  bool envelope = false;  // the object was an EventBridge envelope around a CloudTrail record
  // Non-empty: a member the engine relies on has the wrong type ("eventName: expected a
  // string, got number"). The record is not evaluated; the document is still readable.
  std::string type_error;
};

class AnchorExtractor {
 public:
  explicit AnchorExtractor(const std::vector<match::AnchorSlot>& slots);

  size_t slot_count() const { return slot_count_; }

  // Fills values[0..slot_count()) for `object`. `source_scratch` holds a derived `source`.
  // An error (kParse) means the JSON itself is damaged: the rest of the document is unreadable.
  [[nodiscard]] Result<ExtractResult> Extract(simdjson::ondemand::object object,
                                              match::AnchorValue* values,
                                              std::string& source_scratch) const;

 public:
  struct Trie {
    std::string key;
    int slot = -1;
    std::vector<Trie> children;
    uint64_t child_sizes = 0;  // bit n: some child key has length n (n < 64), for fast rejects
  };

 private:
  static Trie* Child(Trie& node, std::string_view key);
  static const Trie* Find(const Trie& node, std::string_view key);
  simdjson::error_code Walk(simdjson::ondemand::object object, const Trie& node,
                            match::AnchorValue* values) const;

  Trie root_;
  size_t slot_count_ = 0;
  int source_slot_ = -1;
  int detail_type_slot_ = -1;
};

}  // namespace tw::engine

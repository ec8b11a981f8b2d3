// AnchorExtractor: one simdjson On-Demand pass over a record that pulls out the values the rule
// index dispatches on (match/index.h), and recognises EventBridge envelopes.
//
// It walks the top-level members once, descending only into the objects that lead to an anchor
// slot (userIdentity for $.userIdentity.type, detail for an envelope). Nothing is allocated:
// string values are views into the parser's buffers, valid until the parser's next document.
//
// It reads exactly what the evaluator sees (match/subject.h): an input object is an EventBridge
// envelope when its `detail-type` is a string naming a CloudTrail detail-type and its `detail` is
// an object (match::IsCloudTrailEnvelope). For an envelope the record slots come from `detail`
// only, and the envelope's own `source` / `detail-type` fill the two envelope slots; otherwise
// the record slots come from the top-level members only (a `detail` member of a record is just a
// member) and the envelope slots from eventSource / eventType as EventBridge would set them.
// Both are collected in the one pass and the choice is made at the end, because `detail` may
// come before `detail-type`.
//
// Duplicate keys: the first occurrence wins, in every object, as in the evaluator and everywhere
// else (docs/json-input.md). A later occurrence of a key is skipped unread.
//
// A member of the wrong type is never an error: an anchor that is not a string is kOther (array,
// object: EventBridge flattens arrays, so a rule may still match) or kScalar (number, boolean,
// null); a path that meets a string or a scalar on the way reaches nothing (kAbsent); a
// non-string eventSource / eventType derives the envelope fields from "" as event/envelope.h
// does.
//
// Thread-safety: an extractor keeps per-record scratch (Extract is not const): one per thread.
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
};

class AnchorExtractor {
 public:
  explicit AnchorExtractor(const std::vector<match::AnchorSlot>& slots);

  size_t slot_count() const { return slot_count_; }

  // Fills values[0..slot_count()) for `object`. `source_scratch` holds a derived `source`.
  // An error (kParse) means the JSON itself is damaged: the rest of the document is unreadable.
  [[nodiscard]] Result<ExtractResult> Extract(simdjson::ondemand::object object,
                                              match::AnchorValue* values,
                                              std::string& source_scratch);

 public:
  // One key a node looks for, in the node's open-addressing table.
  struct KeyEntry {
    uint64_t head = 0;       // the key's first 8 bytes (fewer: zero-extended), as loaded
    uint64_t tail = 0;       // keys of more than 8 bytes: the last 8
    uint32_t size = 0;       // the key's length
    int16_t child = kNoKey;  // index in the node's children; -1: none (a special key only)
    uint8_t special = 0;     // at the root: which of the extractor's own keys it is (0: none)
  };
  static constexpr int16_t kNoKey = -2;  // an empty table entry

  struct Trie {
    std::string key;
    int slot = -1;
    int id = 0;  // position in the per-record `seen` marks
    std::vector<Trie> children;
    // The keys of `children` (and, at the root, the extractor's own keys) by hash of their
    // length and first bytes: one probe rejects a key no rule reads, the common case.
    std::vector<KeyEntry> table;
    uint64_t shift = 64;  // 64 - log2(table size)
  };

 private:
  Trie* Child(Trie& node, std::string_view key);
  // Fills `table` for `node` and below; `specials` are the root's own keys.
  static void BuildTables(Trie& node, bool root);
  static const KeyEntry* Find(const Trie& node, std::string_view key);
  // True the first time `node` is met in this walk (duplicate keys: the first one wins).
  bool FirstTime(const Trie& node, uint32_t* seen) const {
    if (seen[node.id] == generation_) return false;
    seen[node.id] = generation_;
    return true;
  }
  simdjson::error_code Walk(simdjson::ondemand::object object, const Trie& node,
                            match::AnchorValue* values, uint32_t* seen) const;
  // Walks the object `object_value` (of type object) for `node`'s slots: from its text when
  // ReadOnlyChildFromText can, else with Walk.
  simdjson::error_code Descend(simdjson::ondemand::value& object_value, const Trie& node,
                               match::AnchorValue* values, uint32_t* seen) const;
  // When `node` has one child and the object's text starts with that child's key and a string
  // without escapes ({"type":"Root",...), stores that string as Walk would and returns true,
  // leaving `object_value` unread (the parent's iterator skips it). Else false, nothing done.
  bool ReadOnlyChildFromText(simdjson::ondemand::value& object_value, const Trie& node,
                             match::AnchorValue* values, uint32_t* seen) const;

  Trie root_;
  int node_count_ = 1;
  size_t slot_count_ = 0;
  // Per record: the slots as read from an object `detail`, used when the record is an envelope;
  // and the generation marks of the trie nodes met at the top level and inside `detail`.
  std::vector<match::AnchorValue> detail_values_;
  std::vector<uint32_t> seen_top_;
  std::vector<uint32_t> seen_detail_;
  uint32_t generation_ = 0;
  int source_slot_ = -1;
  int detail_type_slot_ = -1;
};

}  // namespace tw::engine

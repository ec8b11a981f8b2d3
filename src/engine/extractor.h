// AnchorExtractor: one pass over a record's text that checks its JSON grammar (exactly as
// match::CheckJson does) and, on the way, pulls out the values the rule index dispatches on
// (match/index.h), and recognises EventBridge envelopes (docs/design-one-pass-records.md).
//
// The pass is match::WalkJson: every byte of the record is checked, and the walk follows only the
// objects that lead to an anchor slot (userIdentity for $.userIdentity.type, detail for an
// envelope), probing their member names in a hashed key table. Nothing is allocated per record:
// a string value is a view into the text, or, when it holds an escape, into the extractor's
// scratch (valid until the next Extract).
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
// else (docs/json-input.md).
//
// A member of the wrong type is never an error: an anchor that is not a string is kOther (array,
// object: EventBridge flattens arrays, so a rule may still match) or kScalar (number, boolean,
// null); a path that meets a string or a scalar on the way reaches nothing (kAbsent); a
// non-string eventSource / eventType derives the envelope fields from "" as event/envelope.h
// does. Escapes read as everywhere else (match/json_escapes.h): an unpaired surrogate escape is
// U+FFFD.
//
// Thread-safety: an extractor keeps per-record scratch (Extract is not const): one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "match/index.h"
#include "match/json_check.h"
#include "match/value_table.h"

namespace tw::engine {

struct ExtractResult {
  // The record's grammar check (match::CheckJson): when not ok(), the values are not usable.
  // When ok(), check.offset is where the record ends.
  match::JsonCheck check;
  bool envelope = false;  // the object was an EventBridge envelope around a CloudTrail record
  // The walk skipped an object that holds second-look slots (SecondLook): those are all kOther.
  bool second_look_pending = false;
};

class AnchorExtractor {
 public:
  // The index's second look (match::RuleIndex::first_look_slots). Slots from `first_look` on
  // are read in this walk only for a record whose eventName (the string in slot
  // `event_name_slot`, read before the object: CloudTrail writes eventName before
  // requestParameters and responseElements) is one of `event_names`. Otherwise an object
  // that holds only such slots is skipped, not followed, and every slot from `first_look` on
  // is kOther, the record's second look pending. A second-look slot met outside such an
  // object (a top-level userAgent) is read as any other.
  struct SecondLook {
    size_t first_look = SIZE_MAX;  // SIZE_MAX: every slot is read in this walk
    int event_name_slot = -1;
    std::vector<std::string> event_names;
  };

  explicit AnchorExtractor(const std::vector<match::AnchorSlot>& slots);  // every slot read
  AnchorExtractor(const std::vector<match::AnchorSlot>& slots, SecondLook second_look);

  size_t slot_count() const { return slot_count_; }

  // Checks the record at the start of `text` (its `{`) and fills values[0..slot_count()).
  // `source_scratch` holds a derived `source`. With `prefix`, `text` may go on after the record
  // (the rest of a document); else it is the record, blanks around it allowed. `text` must have
  // at least 8 readable bytes after its end (simdjson padding): member names are loaded a word
  // at a time.
  ExtractResult Extract(std::string_view text, bool prefix, match::AnchorValue* values,
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
    bool lazy = false;    // every slot below is the second look's (SecondLook)
  };

 private:
  // One object the walk follows: its trie node, where its slots go, its `seen` marks.
  struct Frame {
    const Trie* node = nullptr;
    match::AnchorValue* values = nullptr;
    uint32_t* seen = nullptr;
    bool root = false;  // the record itself: the extractor's own keys are read here
  };
  class Listener;
  friend class Listener;

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
  static int Depth(const Trie& node);
  // Marks the nodes whose slots are all the second look's; true when `node` has a slot of the
  // first look below it (or is one).
  bool MarkLazy(Trie& node);

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
  size_t first_look_ = SIZE_MAX;
  int event_name_slot_ = -1;
  match::ValueTable second_look_names_;
  std::vector<Frame> frames_;  // as deep as the walk follows: the trie's depth, plus `detail`
  // Unescaped strings: one for the member name being probed (padded for Find's word loads), and
  // one per value a record can store (each slot at most once at the top and once in `detail`,
  // plus the extractor's own keys), so that a stored view never moves.
  std::string name_scratch_;
  std::vector<std::string> value_scratch_;
};

}  // namespace tw::engine

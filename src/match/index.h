// RuleIndex: dispatches an event to the rules that can still match it.
//
// At build time each rule's IR is analysed for an *anchor*: a field that must hold a string for
// the rule to match, and, when the rule requires exact values there (eventName = CreateTrail ||
// eventName = DeleteTrail), the set of those values. The index keeps, per anchor field (a slot),
// a hash map value -> rules and a list of rules that only need the field present. Rules with no
// anchor form the small always-evaluated set.
//
// Per event the caller extracts the string value of each slot once (scan/ does it with simdjson
// On-Demand) and asks for the candidates. Before a candidate is returned, its other necessary
// string conditions on extracted slots (errorCode = "AccessDenied*", userAgent prefix ...) are
// checked on the extracted values, so an event reaches the full evaluator only when every cheap
// condition of some rule holds. A rule that cannot match is never evaluated, and an event with
// no candidate costs no allocation.
//
// Correctness rests on one property, tested against the reference matchers: for every event a
// rule matches, the rule is among the candidates. Slot values that are not plain strings (an
// array, an object) are reported as kOther and make every rule on that slot a candidate.
//
// Besides string conditions, requirements include conditions that only need to know whether
// the field is there (`exists: true`) or reject some strings (`anything-but`, `!=`): checked on
// a field extracted for some rule anyway (kScalar tells a number, boolean or null from a
// missing field), they never dispatch a rule nor add a field to the first look (a field deep
// in the request or response objects may be the second look's, see first_look_slots).
//
// A field's RE2::Set walks the whole value (a userAgent of 100-250 bytes) on every event, while
// CloudTrail repeats a handful of such values over and over: a caller may keep a ShapeMemo per
// thread, which remembers the set's answer for recent values.
//
// Slots address the CloudTrail record. Event pattern rules see the EventBridge envelope: their
// `detail.x` paths become record paths, and `source` / `detail-type` become the two envelope
// slots, filled from the real envelope or from the record (event/envelope.h).
//
// Thread-safety: immutable after Build; Candidates is const and reentrant.
#pragma once

#include <re2/set.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "match/matcher.h"
#include "match/value_table.h"

namespace tw::match {

struct AnchorSlot {
  enum class Kind : uint8_t { kRecordPath, kEnvelopeSource, kEnvelopeDetailType };
  Kind kind = Kind::kRecordPath;
  std::vector<std::string> path;  // kRecordPath: object keys from the record root

  std::string Name() const;  // "$.userIdentity.type", "source", "detail-type"
};

// What extraction found in one slot for one event.
struct AnchorValue {
  // kAbsent: the path reaches nothing; kScalar: a number, boolean or null; kOther: an array or
  // an object (on the way or at the end: a path through an array may still reach strings).
  enum class State : uint8_t { kAbsent, kString, kOther, kScalar };
  State state = State::kAbsent;
  std::string_view value;  // kString: the string; kScalar: its text (true, false, null, 1.5e3)
};

class RuleIndex {
 public:
  struct Stats {
    struct Bucket {
      std::string slot;
      size_t exact_rules = 0;  // rules dispatched by value
      size_t distinct_values = 0;
      size_t presence_rules = 0;  // rules dispatched on the shape of the field's string
      size_t shape_rules = 0;     // of which matched together by one RE2::Set
      size_t prefix_rules = 0;    // of which dispatched by the first two bytes of a prefix
    };
    std::vector<Bucket> buckets;  // per slot; from first_look_slots on, the second look's
    size_t first_look_slots = 0;
    size_t unindexed = 0;  // always evaluated
  };

  // RE2::Set::Match, or a stand-in (tests force its failure through it).
  using SetMatch = bool (*)(const re2::RE2::Set& set, std::string_view text, std::vector<int>* hits,
                            re2::RE2::Set::ErrorInfo* error);
  struct BuildOptions {
    int64_t shape_set_max_mem = 64 << 20;  // memory budget of each field's RE2::Set
    SetMatch set_match = nullptr;          // null: RE2::Set::Match
  };

  // Builds the index over `matchers`; candidate ids are positions in that vector.
  static std::unique_ptr<RuleIndex> Build(const std::vector<const Matcher*>& matchers,
                                          const BuildOptions& options);
  static std::unique_ptr<RuleIndex> Build(const std::vector<const Matcher*>& matchers) {
    return Build(matchers, BuildOptions{});
  }

  const std::vector<AnchorSlot>& slots() const { return slots_; }

  // Two looks at a record. Slots [0, first_look_slots()) are the fields extracted from every
  // record. The rest are fields deep in the bulky request and response objects, which only some
  // rules test (requestParameters.key) and which the first look would have to walk on every
  // record: a caller extracts them only when a candidate wants a second look, and until then
  // passes them to Candidates and Decides as kOther (unknown: every requirement on them holds,
  // and no rule is decided on them). With every slot extracted, Candidates and Decides answer
  // as if all were read in the first look.
  size_t first_look_slots() const { return first_look_slots_; }

  // Whether the second look can tell more about candidate `id`: it has a requirement, or a
  // field that must be missing, among the second look's slots. After it, the rule is either
  // no longer a candidate, or decided when its conditions are all checked (Decides).
  bool WantsSecondLook(uint32_t id) const { return second_look_[id] != 0; }

  // The eventName values on which the rules that want the second look are dispatched (sorted),
  // and the eventName slot (-1: none). An extractor may read the second look's fields in its
  // first walk for these events (engine/extractor.h), where CloudTrail writes eventName before
  // the request and response objects.
  const std::vector<std::string>& second_look_event_names() const {
    return second_look_event_names_;
  }
  int event_name_slot() const { return event_name_slot_; }

  // The answers of the fields' RE2::Sets for the values met recently (a few dozen per field,
  // values up to kMaxMemoValue bytes), for one thread. It belongs to the index it was first
  // used with: used with another index, it forgets what it holds. Not thread-safe: one per
  // thread (an Engine keeps one).
  class ShapeMemo {
   public:
    static constexpr size_t kMaxMemoValue = 512;

   private:
    friend class RuleIndex;
    struct Entry {
      bool used = false;
      uint64_t hash = 0;
      std::string value;
      std::vector<uint32_t> rules;  // the set's hits, as rule ids
    };
    // Entries per field: a value may sit in any of kProbe entries from its hash's, so that two
    // frequent values whose hashes meet do not keep evicting each other.
    static constexpr size_t kWays = 64;
    static constexpr size_t kProbe = 4;
    uint64_t index_id_ = 0;  // RuleIndex::id_ of the index the entries are for
    uint32_t victim_ = 0;    // which of the kProbe entries a miss replaces when all are used
    std::vector<std::vector<Entry>> slots_;
  };

  // Appends the ids of the rules that may match to `out` (cleared first), each once, in
  // ascending order. `values[i]` is the extraction result for slots()[i]. When a field's
  // RE2::Set cannot answer (RE2::Set::Match fails, e.g. its DFA runs out of memory), every rule
  // of that set is a candidate, and shape_set_fallbacks() counts it: a failure never reads as
  // "no match" (and is not remembered). With a `memo`, a value the memo holds is not matched
  // again; the candidates are the same with or without it.
  void Candidates(const AnchorValue* values, std::vector<uint32_t>& out,
                  ShapeMemo* memo = nullptr) const;

  // Whether candidate `id` (returned by Candidates for these `values`) certainly matches, so
  // that evaluating it would only confirm it. True when the rule is a conjunction of
  // conditions on extracted fields that Candidates has all checked exactly: each conjunct a
  // string test, tests on one field joined by `or` (eventName = A || eventName = B), a test
  // for a literal (IS TRUE, [false], [null]), or a field that must be missing (NOT EXISTS,
  // exists: false); and, in this event, every field tested for strings holds a string, every
  // field tested for a literal holds a scalar, and every field that must be missing is (an
  // array, or a field present where it must not be, leaves the decision to the evaluator).
  // Rules with a negation across fields, a delimited pattern, a numeric test, a path through
  // an array or a field the index does not extract are never decided here.
  bool Decides(uint32_t id, const AnchorValue* values) const {
    const uint64_t strings = decided_slots_[id];
    if (strings == 0) return false;
    for (uint64_t m = strings; m != 0; m &= m - 1) {
      if (values[std::countr_zero(m)].state != AnchorValue::State::kString) return false;
    }
    for (uint64_t m = decided_literals_[id]; m != 0; m &= m - 1) {
      if (values[std::countr_zero(m)].state != AnchorValue::State::kScalar) return false;
    }
    for (uint64_t m = decided_missing_[id]; m != 0; m &= m - 1) {
      if (values[std::countr_zero(m)].state != AnchorValue::State::kAbsent) return false;
    }
    return true;
  }

  // How many times Candidates fell back to every rule of a failed RE2::Set, since Build (all
  // threads; for the scan summary and statistics).
  uint64_t shape_set_fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }

  // The anchor chosen for rule `id` in words, e.g. "$.eventName in 5 values", and the fields
  // it wants the second look at, for --stats.
  std::string DescribeAnchor(uint32_t id) const;

  Stats GetStats() const;

 private:
  // Rule ids by string key: key i of `keys` has ids[begin[i], begin[i + 1]).
  struct KeyedRules {
    ValueTable keys;
    std::vector<uint32_t> begin;
    std::vector<uint32_t> ids;

    std::span<const uint32_t> Find(std::string_view key) const {
      const uint32_t k = keys.Find(key);
      if (k == ValueTable::kNotFound) return {};
      return {ids.data() + begin[k], ids.data() + begin[k + 1]};
    }
  };
  struct SlotIndex {
    SlotIndex();
    ~SlotIndex();
    SlotIndex(SlotIndex&&) noexcept;
    SlotIndex& operator=(SlotIndex&&) noexcept;

    KeyedRules by_value;              // rules dispatched by the field's exact value
    std::vector<uint32_t> exact_all;  // every rule in by_value, for kOther
    // Rules that need a string of some shape (prefix, suffix, wildcard, regex ...) here. Those
    // whose shape is a regular language are matched all at once by one RE2::Set per slot.
    std::vector<uint32_t> presence;  // tested one by one (cidr, case folding ...)
    // Rules whose every accepted string starts with a known literal of 2+ bytes, by those 2
    // bytes: a value only reaches the rules of its own first bytes.
    KeyedRules by_prefix2;
    size_t prefix_rules = 0;
    std::unique_ptr<re2::RE2::Set> shapes;  // pattern i is rule shape_rules[i]
    std::vector<uint32_t> shape_rules;
    std::vector<uint32_t> presence_all;  // every rule dispatched on this field's shape
    std::vector<std::pair<uint32_t, std::vector<const Leaf*>>> pending;  // during Build
  };
  struct RuleAnchor {
    int slot = -1;  // -1: unindexed
    bool exact = false;
    size_t values = 0;
  };
  // A necessary condition of a rule checked on the extracted string before the rule is
  // evaluated: the slot's value must pass one of `leaves` (an array or object value passes;
  // a leaf may be negated, or kPresent / kAnyScalar, which a number, boolean or null passes).
  // Every requirement fails on a missing field.
  struct Requirement {
    int slot = -1;
    bool selective = false;  // a string test (not a filtering condition: exists, !=, literal)
    bool exact = false;      // the value must be in `values`
    ValueTable values;
    std::vector<const Leaf*> leaves;  // otherwise it must pass one of these
  };

  static KeyedRules BuildKeyed(std::map<std::string, std::vector<uint32_t>> lists);
  // The slot's number, added when new (SlotFor) or -1 when not extracted (KnownSlot).
  int SlotFor(const AnchorSlot& slot);
  int KnownSlot(const AnchorSlot& slot) const;
  static void BuildShapes(SlotIndex& si, const BuildOptions& options);
  bool Passes(uint32_t id, const AnchorValue* values) const;
  // The rules of slot `slot`'s RE2::Set that `value` matches, appended to `out`.
  void MatchShapes(size_t slot, const SlotIndex& si, std::string_view value,
                   std::vector<uint32_t>& out, ShapeMemo* memo) const;

  std::vector<AnchorSlot> slots_;
  std::vector<SlotIndex> slot_index_;
  std::vector<uint32_t> unindexed_;
  std::vector<RuleAnchor> anchors_;
  std::vector<std::vector<Requirement>> requirements_;  // per rule
  // Per rule, bit i set when a requirement reads slot i (i < 64): a rule whose bits are not all
  // among the fields the event has fails Passes, which this rejects without reading it.
  std::vector<uint64_t> required_slots_;
  // Per rule, the slots that must hold strings for Decides (the anchor's and every
  // requirement's); 0 for a rule Candidates never decides.
  std::vector<uint64_t> decided_slots_;
  std::vector<uint64_t> decided_missing_;  // per rule, the slots that must be missing for it
  // Per rule, the slots tested for a literal (IS TRUE, [null]): they must hold a scalar, whose
  // text the requirement checked.
  std::vector<uint64_t> decided_literals_;
  std::vector<uint64_t> second_look_;  // per rule, the second-look slots it reads
  size_t first_look_slots_ = 0;
  uint64_t second_look_slots_ = 0;  // their bits
  std::vector<std::string> second_look_event_names_;
  int event_name_slot_ = -1;
  SetMatch set_match_ = nullptr;
  uint64_t id_ = 0;  // unique per Build in this process (ShapeMemo ownership)
  mutable std::atomic<uint64_t> fallbacks_{0};
};

}  // namespace tw::match

// FieldCache: each field an event's candidate rules need is resolved once per event, not once
// per rule.
//
// A *field* is a path evaluated from the root of the document a rule sees (match/ir.h): a
// kLeaf with Target::kPath or a kScope that is not inside another kScope (top level, or below
// kAnd / kOr / kNot only). Two fields are the same when their steps, their ArrayMode and their
// *domain* are equal. The domain names the document the path starts from: the scanner passes
// the rule's Language, because filter patterns see the CloudTrail record and event patterns see
// the EventBridge envelope around it, so `$.source` means two different things.
//
// Field ids. AssignFieldIds gives each such node (Node::field_id) a small integer from one
// process-wide intern table, so every rule that tests `$.eventName` shares the id and therefore
// the memo. The ids are written into the shared, otherwise immutable IR of a Matcher, which is
// sound because they are process-wide: a node's id is fixed by the first call that sees it and
// never changes afterwards, so a matcher shared by two rule sets (a reload) gets the same ids
// in both, and a rule set that is being evaluated never sees a write. A per-rule-set numbering
// could not live in the shared IR; a side table keyed by node would cost a lookup per leaf.
// Limit: the table holds one entry per distinct (domain, path) ever compiled in the process
// (a few hundred for large rule packs); reloads reuse the entries of paths already seen.
//
// The memo. A FieldCache belongs to one thread (the scan worker) and is reused for every event:
// NextEvent() forgets all memos in O(1) by bumping a generation, and the node buffer keeps its
// capacity, so the steady state allocates nothing. Per field id it keeps the nodes the path
// reaches from the root, in Walk order: usually one, several for `[*]`, `.*` or flattened
// arrays, none when the path is absent. Evaluation with a cache gives the same answer as
// without one (match/evaluator.h): a leaf tests the memoized nodes in the same order the walk
// would have produced them.
//
// The memoized nodes are views into the simdjson DOM (and the envelope) of the current event:
// they are valid until the next parse, which is why NextEvent() must be called after each one.
//
// Thread-safety: AssignFieldIds is thread-safe (one global lock, taken only at rule set
// creation). A FieldCache is not: one per thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "match/ir.h"

namespace tw::match {

// Gives every field of `root` (see above) the process-wide id of its (domain, path), leaving
// nodes that already have one as they are. Returns how many fields `root` has. Call before the
// matcher is evaluated with a FieldCache, and before it is shared with threads that do.
size_t AssignFieldIds(const Node& root, uint32_t domain);

// How many field ids exist so far in the process.
size_t FieldIdCount();

// A node of the (possibly virtual) document being matched: a DOM element, the virtual EventBridge
// envelope root, or a synthesised string (an envelope member, a token, the raw message).
struct DocRef {
  enum class Kind : uint8_t { kMissing, kDom, kEnvelope, kText };
  Kind kind = Kind::kMissing;
  simdjson::dom::element dom;
  std::string_view text;  // kText
  bool numeric_text = false;
};

class FieldCache {
 public:
  // A run of memoized nodes: positions [begin, begin + size) of node().
  struct Range {
    uint32_t begin = 0;
    uint32_t size = 0;
  };

  FieldCache() = default;
  FieldCache(const FieldCache&) = delete;
  FieldCache& operator=(const FieldCache&) = delete;

  // Starts a new event: every memo is forgotten. Call after each parse, before evaluating.
  void NextEvent() {
    nodes_.clear();
    if (++generation_ == 0) {  // wrapped after 2^32 events: make every slot stale explicitly
      for (Slot& s : slots_) s.generation = 0;
      generation_ = 1;
    }
  }

  // The nodes field `id` reaches in this event. The first call in an event runs
  // `resolve(std::vector<DocRef>& out)`, which appends them to `out` (and must not use this
  // cache); later calls return the memo.
  template <typename Resolve>
  Range Get(int32_t id, Resolve&& resolve) {
    const auto i = static_cast<size_t>(id);
    if (i >= slots_.size()) slots_.resize(i + 1);  // the first event that needs this id
    if (slots_[i].generation == generation_) {
      ++hits_;
      return slots_[i].range;
    }
    Range r;
    r.begin = static_cast<uint32_t>(nodes_.size());
    resolve(nodes_);
    r.size = static_cast<uint32_t>(nodes_.size() - r.begin);
    slots_[i] = Slot{generation_, r};
    ++resolutions_;
    return r;
  }

  const DocRef& node(uint32_t i) const { return nodes_[i]; }

  // Counters since construction, for tests and statistics: paths walked, and answers from a memo.
  uint64_t resolutions() const { return resolutions_; }
  uint64_t hits() const { return hits_; }

 private:
  struct Slot {
    uint32_t generation = 0;  // the memo is valid when this equals generation_
    Range range;
  };

  std::vector<Slot> slots_;  // by field id
  std::vector<DocRef> nodes_;
  uint32_t generation_ = 1;
  uint64_t resolutions_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace tw::match

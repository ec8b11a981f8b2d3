#include "match/index.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>

#include "match/evaluator.h"

namespace tw::match {
namespace {

// The regular expression (RE2 syntax) of the strings `leaf` accepts, when there is one.
bool ShapeRegex(const Leaf& leaf, std::string* out) {
  std::string alternatives;
  auto add = [&](const std::string& re) {
    if (!alternatives.empty()) alternatives += '|';
    alternatives += "(?:" + re + ")";
  };
  switch (leaf.op) {
    case Op::kStrEq:
      for (const auto& s : leaf.operand.strings) add("^" + RE2::QuoteMeta(s) + "$");
      break;
    case Op::kStrPrefix:
      for (const auto& s : leaf.operand.strings) add("^" + RE2::QuoteMeta(s));
      break;
    case Op::kStrSuffix:
      for (const auto& s : leaf.operand.strings) add(RE2::QuoteMeta(s) + "$");
      break;
    case Op::kStrContains:
      for (const auto& s : leaf.operand.strings) add(RE2::QuoteMeta(s));
      break;
    case Op::kWildcard:
      for (const auto& s : leaf.operand.strings) {
        // `*` is any run; `\*` a literal star and `\\` a literal backslash.
        std::string re = "^";
        std::string literal;
        for (size_t i = 0; i < s.size(); ++i) {
          if (s[i] == '\\' && i + 1 < s.size()) {
            literal += s[++i];
          } else if (s[i] == '*') {
            re += RE2::QuoteMeta(literal) + "(?s:.*)";
            literal.clear();
          } else {
            literal += s[i];
          }
        }
        add(re + RE2::QuoteMeta(literal) + "$");
      }
      break;
    case Op::kRegex:
      for (const auto& r : leaf.operand.regexes) add(r->pattern());
      break;
    default:
      return false;  // cidr, case folding, numbers: tested one by one
  }
  if (alternatives.empty()) return false;
  *out = "(?:" + alternatives + ")";
  return true;
}

// The 2-byte keys (first two bytes of each literal prefix) under which a leaf's accepted
// strings must fall. False when some accepted string has no literal prefix of 2 bytes.
bool LiteralPrefixKeys(const Leaf& leaf, std::vector<uint16_t>* keys) {
  if (leaf.op != Op::kStrEq && leaf.op != Op::kStrPrefix && leaf.op != Op::kWildcard) return false;
  for (const auto& s : leaf.operand.strings) {
    size_t literal = 0;
    if (leaf.op == Op::kWildcard) {
      while (literal < s.size() && s[literal] != '*' && s[literal] != '\\') ++literal;
    } else {
      literal = s.size();
    }
    if (literal < 2) return false;
    keys->push_back(static_cast<uint16_t>(static_cast<unsigned char>(s[0]) << 8 |
                                          static_cast<unsigned char>(s[1])));
  }
  return !leaf.operand.strings.empty();
}

// A requirement a rule places on one slot: the field must hold one of `values` (exact), or
// merely hold a string (presence).
struct Option {
  AnchorSlot slot;
  bool exact = false;
  // false: a requirement only, never the rule's anchor (negated leaves, kPresent and
  // kAnyScalar: numbers, booleans and null pass them too, which the slot lists do not index).
  bool dispatch = true;
  std::vector<std::string> values;
  std::vector<const Leaf*> leaves;  // the value must pass one of these
};

bool SameSlot(const AnchorSlot& a, const AnchorSlot& b) {
  return a.kind == b.kind && a.path == b.path;
}

bool KeysOnly(const Path& path) {
  return std::all_of(path.steps.begin(), path.steps.end(),
                     [](const Step& s) { return s.kind == StepKind::kKey; });
}

// Maps a full path (from the matcher's root) to a record slot.
bool SlotForPath(const std::vector<std::string>& full, bool envelope_root, AnchorSlot* slot) {
  if (full.empty()) return false;
  if (!envelope_root) {
    slot->kind = AnchorSlot::Kind::kRecordPath;
    slot->path = full;
    return true;
  }
  if (full.size() == 1 && full[0] == "source") {
    slot->kind = AnchorSlot::Kind::kEnvelopeSource;
    return true;
  }
  if (full.size() == 1 && full[0] == "detail-type") {
    slot->kind = AnchorSlot::Kind::kEnvelopeDetailType;
    return true;
  }
  if (full.size() >= 2 && full[0] == "detail") {
    slot->kind = AnchorSlot::Kind::kRecordPath;
    slot->path.assign(full.begin() + 1, full.end());
    return true;
  }
  return false;
}

bool IsStringOnlyOp(Op op) {
  switch (op) {
    case Op::kStrPrefix:
    case Op::kStrSuffix:
    case Op::kStrContains:
    case Op::kStrEqFold:
    case Op::kPrefixFold:
    case Op::kSuffixFold:
    case Op::kWildcard:
    case Op::kRegex:
    case Op::kCidr:
    case Op::kContainsFold:
      return true;
    default:
      return false;
  }
}

std::vector<Option> Options(const Node& node, std::vector<std::string>& prefix, bool envelope_root);

// A test for one JSON literal (IS TRUE, `[false]`, `[null]`), which a scalar's text tells.
bool IsLiteralTest(const Leaf& leaf) {
  return (leaf.op == Op::kIsTrue || leaf.op == Op::kIsFalse || leaf.op == Op::kIsNull) &&
         !leaf.negate;
}

// Leaves a requirement can check on an extracted value (LeafAcceptsValue) but the slot lists
// cannot dispatch on: whether the field is there, a literal, and negated string tests
// (anything-but).
bool IsRequirementOnlyLeaf(const Leaf& leaf) {
  if (IsLiteralTest(leaf)) return true;
  if (leaf.op == Op::kPresent || leaf.op == Op::kAnyScalar) return !leaf.negate;
  return leaf.negate && (leaf.op == Op::kStrEq || IsStringOnlyOp(leaf.op));
}

std::vector<Option> LeafOptions(const Leaf& leaf, std::vector<std::string>& prefix,
                                bool envelope_root) {
  std::vector<Option> out;
  if (leaf.target != Target::kPath || leaf.on_missing || !KeysOnly(leaf.path)) return out;
  const bool requirement_only = IsRequirementOnlyLeaf(leaf);
  if (leaf.negate && !requirement_only) return out;
  const bool exact = leaf.op == Op::kStrEq && !leaf.negate;
  if (!exact && !requirement_only && !IsStringOnlyOp(leaf.op)) return out;
  std::vector<std::string> full = prefix;
  for (const Step& s : leaf.path.steps) full.push_back(s.key);
  Option o;
  if (!SlotForPath(full, envelope_root, &o.slot)) return out;
  o.exact = exact;
  o.dispatch = !requirement_only;
  if (exact) o.values = leaf.operand.strings;
  o.leaves.push_back(&leaf);
  out.push_back(std::move(o));
  return out;
}

std::vector<Option> OrOptions(const Node& node, std::vector<std::string>& prefix,
                              bool envelope_root) {
  std::vector<std::vector<Option>> per_child;
  for (const auto& c : node.children) {
    per_child.push_back(Options(*c, prefix, envelope_root));
    if (per_child.back().empty()) return {};
  }
  std::vector<Option> out;
  if (per_child.empty()) return out;
  for (const Option& first : per_child[0]) {
    Option merged = first;
    bool ok = true;
    for (size_t i = 1; i < per_child.size() && ok; ++i) {
      const Option* best = nullptr;
      for (const Option& o : per_child[i]) {
        if (!SameSlot(o.slot, first.slot)) continue;
        if (best == nullptr || (o.exact && !best->exact)) best = &o;
      }
      if (best == nullptr) {
        ok = false;
        break;
      }
      merged.leaves.insert(merged.leaves.end(), best->leaves.begin(), best->leaves.end());
      merged.dispatch = merged.dispatch && best->dispatch;
      if (merged.exact && best->exact) {
        merged.values.insert(merged.values.end(), best->values.begin(), best->values.end());
      } else {
        merged.exact = false;
        merged.values.clear();
      }
    }
    if (ok) out.push_back(std::move(merged));
  }
  return out;
}

std::vector<Option> Options(const Node& node, std::vector<std::string>& prefix,
                            bool envelope_root) {
  switch (node.kind) {
    case NodeKind::kLeaf:
      return LeafOptions(*node.leaf, prefix, envelope_root);
    case NodeKind::kAnd: {
      std::vector<Option> out;
      for (const auto& c : node.children) {
        auto sub = Options(*c, prefix, envelope_root);
        std::move(sub.begin(), sub.end(), std::back_inserter(out));
      }
      return out;
    }
    case NodeKind::kOr:
      return OrOptions(node, prefix, envelope_root);
    case NodeKind::kScope: {
      if (!KeysOnly(node.path)) return {};
      const size_t depth = prefix.size();
      for (const Step& s : node.path.steps) prefix.push_back(s.key);
      auto out = Options(*node.children[0], prefix, envelope_root);
      prefix.resize(depth);
      return out;
    }
    default:
      return {};  // kNot, kDelimited, constants: no requirement we can index on
  }
}

// The root itself is there (CloudWatch's guard of a pattern with NOT EXISTS): true of every
// record whose fields the index reads.
bool IsRootPresent(const Leaf& leaf) {
  return leaf.target == Target::kPath && leaf.path.steps.empty() && leaf.op == Op::kPresent &&
         !leaf.negate && !leaf.on_missing;
}

// A field that must be missing (CloudWatch's NOT EXISTS, EventBridge's exists: false): true
// exactly when the path reaches nothing, which the extractor tells (kAbsent) for a path of keys.
bool IsAbsence(const Leaf& leaf) {
  return leaf.target == Target::kPath && !leaf.path.steps.empty() && KeysOnly(leaf.path) &&
         leaf.op == Op::kNever && !leaf.negate && leaf.on_missing;
}

// Whether `node` holds exactly when each of its options (Options) does and each field in
// `absent` is missing: a conjunction whose every conjunct is one leaf, leaves on one field
// joined by `or` (each turned into exactly one option that keeps all its leaves), a field that
// must be missing (appended to `absent`), or the root's presence. A negation, a delimited
// pattern, a constant, an `or` across fields or a leaf Options cannot use makes it false.
bool Conjunctive(const Node& node, std::vector<std::string>& prefix, bool envelope_root,
                 std::vector<AnchorSlot>& absent) {
  switch (node.kind) {
    case NodeKind::kLeaf: {
      const Leaf& leaf = *node.leaf;
      if (IsRootPresent(leaf)) return true;
      if (IsAbsence(leaf)) {
        std::vector<std::string> full = prefix;
        for (const Step& s : leaf.path.steps) full.push_back(s.key);
        AnchorSlot slot;
        if (!SlotForPath(full, envelope_root, &slot)) return false;
        absent.push_back(std::move(slot));
        return true;
      }
      return LeafOptions(leaf, prefix, envelope_root).size() == 1;
    }
    case NodeKind::kOr:
      for (const auto& c : node.children) {
        if (c->kind == NodeKind::kLeaf) {
          if (LeafOptions(*c->leaf, prefix, envelope_root).size() != 1) return false;
        } else if (c->kind != NodeKind::kOr || !Conjunctive(*c, prefix, envelope_root, absent)) {
          return false;
        }
      }
      return OrOptions(node, prefix, envelope_root).size() == 1;
    case NodeKind::kAnd:
      return !node.children.empty() &&
             std::all_of(node.children.begin(), node.children.end(), [&](const NodePtr& c) {
               return Conjunctive(*c, prefix, envelope_root, absent);
             });
    case NodeKind::kScope: {
      if (!KeysOnly(node.path)) return false;
      const size_t depth = prefix.size();
      for (const Step& s : node.path.steps) prefix.push_back(s.key);
      const bool out = Conjunctive(*node.children[0], prefix, envelope_root, absent);
      prefix.resize(depth);
      return out;
    }
    default:
      return false;
  }
}

// Lower is better: exact values beat presence, eventName beats other fields.
int Score(const Option& o) {
  int score = o.exact ? 0 : 10000;
  if (o.slot.kind == AnchorSlot::Kind::kRecordPath && o.slot.path.size() == 1 &&
      o.slot.path[0] == "eventName") {
    score += 0;
  } else if (o.slot.kind == AnchorSlot::Kind::kRecordPath && o.slot.path.size() == 1 &&
             o.slot.path[0] == "eventSource") {
    score += 2000;
  } else if (o.slot.kind != AnchorSlot::Kind::kRecordPath) {
    score += 3000;
  } else {
    score += 1000;
  }
  return score + static_cast<int>(std::min<size_t>(o.values.size(), 999));
}

// A hash of every byte of `s`, a word at a time (the ShapeMemo's; values are 100-250 bytes).
uint64_t HashBytes(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const size_t n = s.size();
  uint64_t h = (static_cast<uint64_t>(n) + 1) * kMul;
  const auto mix = [&](uint64_t w) {
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  };
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof w);
    mix(w);
  }
  if (i < n) {
    uint64_t w = 0;
    if (n >= 8) {
      std::memcpy(&w, s.data() + n - 8, sizeof w);  // the last 8 bytes, some hashed already
    } else {
      std::memcpy(&w, s.data(), n);
    }
    mix(w);
  }
  return h;
}

}  // namespace

RuleIndex::KeyedRules RuleIndex::BuildKeyed(std::map<std::string, std::vector<uint32_t>> lists) {
  KeyedRules out;
  std::vector<std::string> keys;
  keys.reserve(lists.size());
  out.begin.push_back(0);
  for (auto& [key, ids] : lists) {
    keys.push_back(key);
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    out.begin.push_back(static_cast<uint32_t>(out.ids.size()));
  }
  out.keys = ValueTable(std::move(keys));
  return out;
}

std::string AnchorSlot::Name() const {
  switch (kind) {
    case Kind::kEnvelopeSource:
      return "source";
    case Kind::kEnvelopeDetailType:
      return "detail-type";
    case Kind::kRecordPath:
      break;
  }
  std::string out = "$";
  for (const auto& k : path) out += "." + k;
  return out;
}

std::unique_ptr<RuleIndex> RuleIndex::Build(const std::vector<const Matcher*>& matchers,
                                            const BuildOptions& build) {
  auto index = std::unique_ptr<RuleIndex>(new RuleIndex());
  index->set_match_ = build.set_match;
  index->anchors_.resize(matchers.size());
  index->requirements_.resize(matchers.size());
  static std::atomic<uint64_t> next_id{1};
  index->id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  // Conditions that only filter (exists, anything-but, !=, a literal) are worth a check on a
  // field that is extracted anyway: they are added once the first look's slots are known.
  std::vector<std::pair<uint32_t, Option>> filter_only;
  // Per rule: its IR is Conjunctive and every option is checked (the anchor's hash lookup or a
  // requirement), so Decides may answer for it.
  std::vector<bool> checked_whole(matchers.size(), false);
  std::vector<std::vector<AnchorSlot>> absent(matchers.size());  // fields that must be missing
  std::vector<std::map<std::string, std::vector<uint32_t>>> by_value;  // per slot
  // Conditions on fields deep in the bulky objects, which no rule dispatches on: checked on
  // the second look (first_look_slots()), when the masks have room for their fields.
  std::vector<std::pair<uint32_t, Option>> second_look;
  // Per rule dispatched on exact eventName values, the values.
  AnchorSlot event_name;
  event_name.path = {"eventName"};
  std::vector<std::vector<std::string>> event_names(matchers.size());
  const auto add_requirement = [&](uint32_t id, const Option& o, int slot) {
    Requirement r;
    r.slot = slot;
    r.selective = o.dispatch;
    // A hash lookup only pays for itself on larger value sets.
    r.exact = o.exact && o.values.size() > 4;
    if (r.exact) {
      std::vector<std::string> values = o.values;
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      r.values = ValueTable(std::move(values));
    } else {
      r.leaves = o.leaves;
    }
    index->requirements_[id].push_back(std::move(r));
  };
  for (uint32_t id = 0; id < matchers.size(); ++id) {
    const Matcher& m = *matchers[id];
    std::vector<std::string> prefix;
    const bool envelope_root = m.language == Language::kEventPattern;
    auto options = Options(*m.root, prefix, envelope_root);
    checked_whole[id] = Conjunctive(*m.root, prefix, envelope_root, absent[id]);
    // The anchor: the best option the slot lists can dispatch on (none: always evaluated).
    const Option* best = nullptr;
    for (const Option& o : options) {
      if (o.dispatch && (best == nullptr || Score(o) < Score(*best))) best = &o;
    }
    const int slot = best != nullptr ? index->SlotFor(best->slot) : -1;
    by_value.resize(index->slots_.size());
    for (const Option& o : options) {
      if (&o == best && best->exact) continue;  // the hash lookup already checked it
      // Extra slots of the first look cost extraction time on every event: keep them shallow,
      // and out of the large request/response objects, which the extractor would otherwise
      // have to walk. Deeper ones are the second look's.
      const bool bulky =
          o.slot.kind == AnchorSlot::Kind::kRecordPath &&
          (o.slot.path[0] == "requestParameters" || o.slot.path[0] == "responseElements");
      const bool shallow =
          o.slot.kind != AnchorSlot::Kind::kRecordPath || (o.slot.path.size() <= 2 && !bulky);
      if (!shallow && index->KnownSlot(o.slot) < 0) {
        second_look.emplace_back(id, o);
      } else if (!o.dispatch) {
        filter_only.emplace_back(id, o);
      } else {
        add_requirement(id, o, index->SlotFor(o.slot));
      }
    }
    if (best == nullptr) {
      checked_whole[id] = false;
      index->unindexed_.push_back(id);
      continue;
    }
    SlotIndex& si = index->slot_index_[static_cast<size_t>(slot)];
    RuleAnchor& anchor = index->anchors_[id];
    anchor.slot = slot;
    anchor.exact = best->exact;
    if (best->exact) {
      std::vector<std::string> values = best->values;
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      anchor.values = values.size();
      if (SameSlot(best->slot, event_name)) event_names[id] = values;
      for (const auto& v : values) by_value[static_cast<size_t>(slot)][v].push_back(id);
      si.exact_all.push_back(id);
    } else {
      si.pending.emplace_back(id, best->leaves);
    }
  }
  // The first look's fields are all known: the second look's come after them. A string test
  // on a field no rule reads gets one (it may drop its rule); a filtering condition rarely
  // drops a rule, and gets one only when its rule may then be decided.
  index->first_look_slots_ = index->slots_.size();
  const auto add_later = [&](uint32_t id, const Option& o) {
    int slot = index->KnownSlot(o.slot);
    if (slot < 0 && (o.dispatch || checked_whole[id]) && index->slots_.size() < 64) {
      slot = index->SlotFor(o.slot);
    }
    if (slot < 0) {
      checked_whole[id] = false;
      return;
    }
    add_requirement(id, o, slot);
  };
  for (const auto& [id, o] : second_look) add_later(id, o);
  for (const auto& [id, o] : filter_only) add_later(id, o);
  by_value.resize(index->slots_.size());
  for (size_t i = 0; i < index->slots_.size(); ++i) {
    index->slot_index_[i].by_value = BuildKeyed(std::move(by_value[i]));
    BuildShapes(index->slot_index_[i], build);
  }
  index->required_slots_.assign(matchers.size(), 0);
  index->decided_slots_.assign(matchers.size(), 0);
  index->decided_missing_.assign(matchers.size(), 0);
  index->decided_literals_.assign(matchers.size(), 0);
  index->second_look_.assign(matchers.size(), 0);
  for (size_t i = index->first_look_slots_; i < index->slots_.size(); ++i) {
    index->second_look_slots_ |= uint64_t{1} << i;  // every second-look slot is below 64
  }
  for (uint32_t id = 0; id < matchers.size(); ++id) {
    bool narrow = true;     // every slot the rule reads fits the masks
    uint64_t literals = 0;  // slots tested for a literal only: they must hold a scalar
    uint64_t selective = 0;
    for (const Requirement& r : index->requirements_[id]) {
      if (r.slot >= 64) {
        narrow = false;
        continue;
      }
      index->required_slots_[id] |= uint64_t{1} << r.slot;
      if (r.selective) selective |= uint64_t{1} << r.slot;
      const auto n = std::count_if(r.leaves.begin(), r.leaves.end(),
                                   [](const Leaf* leaf) { return IsLiteralTest(*leaf); });
      if (n > 0 && static_cast<size_t>(n) == r.leaves.size()) {
        literals |= uint64_t{1} << r.slot;
      } else if (n > 0) {
        narrow = false;  // a literal or a string: left to the evaluator
      }
    }
    // A field that must be missing counts only where the extractor reads it for some rule.
    uint64_t missing = 0;
    for (const AnchorSlot& slot : absent[id]) {
      const int known = index->KnownSlot(slot);
      if (known < 0 || known >= 64) {
        narrow = false;
        break;
      }
      missing |= uint64_t{1} << known;
    }
    const int anchor = index->anchors_[id].slot;
    if (checked_whole[id] && narrow && anchor >= 0 && anchor < 64) {
      index->decided_slots_[id] = (index->required_slots_[id] & ~literals) | uint64_t{1} << anchor;
      index->decided_literals_[id] = literals;
      index->decided_missing_[id] = missing;
    }
    // The second look can decide a rule that Decides may answer for, and drop any rule on a
    // failed string test; a filtering condition alone rarely drops one.
    const uint64_t useful = index->decided_slots_[id] != 0
                                ? index->required_slots_[id] | index->decided_missing_[id]
                                : selective;
    index->second_look_[id] = useful & index->second_look_slots_;
    if (index->second_look_[id] != 0) {
      auto& names = index->second_look_event_names_;
      names.insert(names.end(), event_names[id].begin(), event_names[id].end());
    }
  }
  auto& names = index->second_look_event_names_;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  index->event_name_slot_ = index->KnownSlot(event_name);
  return index;
}

RuleIndex::SlotIndex::SlotIndex() = default;
RuleIndex::SlotIndex::~SlotIndex() = default;
RuleIndex::SlotIndex::SlotIndex(SlotIndex&&) noexcept = default;
RuleIndex::SlotIndex& RuleIndex::SlotIndex::operator=(SlotIndex&&) noexcept = default;

void RuleIndex::BuildShapes(SlotIndex& si, const BuildOptions& build) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(build.shape_set_max_mem);
  auto set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  std::vector<uint32_t> set_rules;
  std::map<std::string, std::vector<uint32_t>> by_prefix2;
  for (auto& [id, leaves] : si.pending) {
    std::vector<uint16_t> keys;
    for (const Leaf* leaf : leaves) {
      if (!LiteralPrefixKeys(*leaf, &keys)) {
        keys.clear();
        break;
      }
    }
    if (!keys.empty()) {
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (uint16_t k : keys) {
        const char two[2] = {static_cast<char>(k >> 8), static_cast<char>(k & 0xff)};
        by_prefix2[std::string(two, 2)].push_back(id);
      }
      ++si.prefix_rules;
      si.presence_all.push_back(id);
      continue;
    }
    std::string alternatives;
    bool ok = true;
    for (const Leaf* leaf : leaves) {
      std::string re;
      if (!ShapeRegex(*leaf, &re)) {
        ok = false;
        break;
      }
      if (!alternatives.empty()) alternatives += '|';
      alternatives += re;
    }
    if (ok && set->Add(alternatives, nullptr) >= 0) {
      set_rules.push_back(id);
    } else {
      si.presence.push_back(id);
    }
    si.presence_all.push_back(id);
  }
  std::sort(si.presence_all.begin(), si.presence_all.end());
  si.pending.clear();
  si.by_prefix2 = BuildKeyed(std::move(by_prefix2));
  if (set_rules.size() < 4) {
    // A handful of shapes are cheaper to test one by one than to run an automaton for.
    si.presence.insert(si.presence.end(), set_rules.begin(), set_rules.end());
    return;
  }
  if (!set->Compile()) {
    // Too large for the memory budget: test these rules one by one instead.
    si.presence.insert(si.presence.end(), set_rules.begin(), set_rules.end());
    std::sort(si.presence.begin(), si.presence.end());
    return;
  }
  si.shapes = std::move(set);
  si.shape_rules = std::move(set_rules);
}

int RuleIndex::KnownSlot(const AnchorSlot& slot) const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (SameSlot(slots_[i], slot)) return static_cast<int>(i);
  }
  return -1;
}

int RuleIndex::SlotFor(const AnchorSlot& slot) {
  if (const int known = KnownSlot(slot); known >= 0) return known;
  slots_.push_back(slot);
  slot_index_.emplace_back();
  return static_cast<int>(slots_.size() - 1);
}

namespace {

// Whether the leaf (a requirement's: on_missing false, a string op, or requirement-only, see
// IsRequirementOnlyLeaf) holds for a field whose extracted value is `v`, a string or a scalar.
bool LeafAcceptsValue(const Leaf& leaf, const AnchorValue& v) {
  if (leaf.op == Op::kPresent || leaf.op == Op::kAnyScalar) return true;
  if (IsLiteralTest(leaf)) {
    const std::string_view literal = leaf.op == Op::kIsTrue    ? "true"
                                     : leaf.op == Op::kIsFalse ? "false"
                                                               : "null";
    return v.state == AnchorValue::State::kScalar && v.value == literal;
  }
  // A number, boolean or null fails every string op: it passes exactly the negated ones.
  if (v.state == AnchorValue::State::kScalar) return leaf.negate;
  return OpAcceptsString(leaf, v.value) != leaf.negate;
}

}  // namespace

bool RuleIndex::Passes(uint32_t id, const AnchorValue* values) const {
  for (const Requirement& r : requirements_[id]) {
    const AnchorValue& v = values[r.slot];
    if (v.state == AnchorValue::State::kAbsent) return false;
    if (v.state == AnchorValue::State::kOther) continue;
    if (r.exact) {
      if (v.state != AnchorValue::State::kString ||
          r.values.Find(v.value) == ValueTable::kNotFound) {
        return false;
      }
      continue;
    }
    bool any = false;
    for (const Leaf* leaf : r.leaves) {
      if (LeafAcceptsValue(*leaf, v)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

void RuleIndex::MatchShapes(size_t slot, const SlotIndex& si, std::string_view value,
                            std::vector<uint32_t>& out, ShapeMemo* memo) const {
  ShapeMemo::Entry* entry = nullptr;
  uint64_t hash = 0;
  if (memo != nullptr && value.size() <= ShapeMemo::kMaxMemoValue) {
    if (memo->index_id_ != id_) {
      memo->slots_.clear();
      memo->slots_.resize(slots_.size());
      memo->index_id_ = id_;
    }
    std::vector<ShapeMemo::Entry>& ways = memo->slots_[slot];
    if (ways.empty()) ways.resize(ShapeMemo::kWays);
    static_assert((ShapeMemo::kWays & (ShapeMemo::kWays - 1)) == 0);
    hash = HashBytes(value);
    const size_t first_way = hash % ShapeMemo::kWays;
    for (size_t k = 0; k < ShapeMemo::kProbe; ++k) {
      ShapeMemo::Entry& e = ways[(first_way + k) % ShapeMemo::kWays];
      if (!e.used) {
        if (entry == nullptr) entry = &e;  // where a miss goes
        continue;
      }
      if (e.hash == hash && e.value == value) {
        out.insert(out.end(), e.rules.begin(), e.rules.end());
        return;
      }
    }
    if (entry == nullptr) {
      entry = &ways[(first_way + memo->victim_++ % ShapeMemo::kProbe) % ShapeMemo::kWays];
    }
  }
  thread_local std::vector<int> hits;  // RE2::Set reports into a vector: reuse it
  RE2::Set::ErrorInfo info{};
  const bool matched = set_match_ != nullptr ? set_match_(*si.shapes, value, &hits, &info)
                                             : si.shapes->Match(value, &hits, &info);
  const size_t first = out.size();
  if (matched) {
    for (int h : hits) out.push_back(si.shape_rules[static_cast<size_t>(h)]);
  } else if (info.kind != RE2::Set::kNoError) {
    // The set could not answer (out of memory ...): not "no match". Every rule of the set
    // stays a candidate; the requirements and the evaluator decide. Not remembered.
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    out.insert(out.end(), si.shape_rules.begin(), si.shape_rules.end());
    return;
  }
  if (entry != nullptr) {
    entry->used = true;
    entry->hash = hash;
    entry->value.assign(value);
    entry->rules.assign(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  }
}

namespace {

// Appends `ids` to `out` (no call for an empty list, the common case).
void Append(std::vector<uint32_t>& out, std::span<const uint32_t> ids) {
  if (!ids.empty()) out.insert(out.end(), ids.begin(), ids.end());
}

}  // namespace

void RuleIndex::Candidates(const AnchorValue* values, std::vector<uint32_t>& out,
                           ShapeMemo* memo) const {
  out.clear();
  Append(out, unindexed_);
  // Bit i: slot i (< 64) holds something. The second look's slots (all below 64) are never
  // dispatched on, and count as there: the mask only saves Passes, which rejects a missing
  // field itself.
  uint64_t present = second_look_slots_;
  for (size_t i = 0; i < first_look_slots_; ++i) {
    const AnchorValue& v = values[i];
    if (v.state == AnchorValue::State::kAbsent) continue;
    if (i < 64) present |= uint64_t{1} << i;
    // A number, boolean or null passes no string op: no rule is dispatched on it.
    if (v.state == AnchorValue::State::kScalar) continue;
    const SlotIndex& si = slot_index_[i];
    if (v.state == AnchorValue::State::kOther) {
      // Unknown shape: every rule that needs this field is a candidate.
      Append(out, si.presence_all);
      Append(out, si.exact_all);
      continue;
    }
    Append(out, si.presence);
    if (!si.by_prefix2.keys.empty() && v.value.size() >= 2) {
      Append(out, si.by_prefix2.Find(v.value.substr(0, 2)));
    }
    if (si.shapes != nullptr) MatchShapes(i, si, v.value, out, memo);
    if (!si.by_value.keys.empty()) Append(out, si.by_value.Find(v.value));
  }
  if (out.empty()) return;
  // Each rule sits in exactly one slot list, so there are no duplicates; keep rule order.
  // Most rules dispatched here fail on a field the event does not have (an eventSource's
  // rules that need an errorCode): the mask rejects those without reading their requirements.
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](uint32_t id) {
                             return (required_slots_[id] & ~present) != 0 || !Passes(id, values);
                           }),
            out.end());
  if (out.size() > 1) std::sort(out.begin(), out.end());
}

std::string RuleIndex::DescribeAnchor(uint32_t id) const {
  const RuleAnchor& a = anchors_.at(id);
  if (a.slot < 0) return "unindexed (always evaluated)";
  std::string out = slots_[static_cast<size_t>(a.slot)].Name();
  out += a.exact ? fmt::format(" in {} value{}", a.values, a.values == 1 ? "" : "s") : " present";
  if (WantsSecondLook(id)) {
    out += "; second look at";
    for (uint64_t m = second_look_[id]; m != 0; m &= m - 1) {
      out += ' ';
      out += slots_[static_cast<size_t>(std::countr_zero(m))].Name();
    }
  }
  return out;
}

RuleIndex::Stats RuleIndex::GetStats() const {
  Stats stats;
  stats.unindexed = unindexed_.size();
  stats.first_look_slots = first_look_slots_;
  for (size_t i = 0; i < slots_.size(); ++i) {
    Stats::Bucket b;
    b.slot = slots_[i].Name();
    b.exact_rules = slot_index_[i].exact_all.size();
    b.distinct_values = slot_index_[i].by_value.keys.size();
    b.shape_rules = slot_index_[i].shape_rules.size();
    b.prefix_rules = slot_index_[i].prefix_rules;
    b.presence_rules = slot_index_[i].presence_all.size();
    stats.buckets.push_back(std::move(b));
  }
  return stats;
}

}  // namespace tw::match

// Lowering of a parsed EventBridge pattern (parser.h) into the IR. The why of each rule:
//   * kFlatten paths: "the value matches if it matches any element" of an event array, nested
//     arrays included [AWS docs, arrays page; event-ruler].
//   * kScope per nested object: event-ruler's rulesForJSONEvent (the matcher behind EventBridge)
//     requires fields from objects inside one array to come from the same element; binding the
//     element once for the whole nested object gives exactly that (pattern-languages.md §2.2).
//   * `$or` distribution on shared keys: event-ruler compiles a `$or` into separate rules, each
//     with its sibling fields, so a key named both beside and inside a `$or` must be matched as
//     one object (one array element), and a path given twice keeps its last reference.
#include "match/eventbridge/compile.h"

#include <set>
#include <utility>

#include "common/strings.h"

namespace tw::match::eventbridge {
namespace {

// Chains of single-field nested objects longer than this get no dotted-event-key alternatives:
// each level doubles the alternatives (2^4 = 16 at most).
constexpr int kMaxDottedChain = 4;

// The dotted-key alternatives of one pattern in all: chains nest inside chains (a pattern key
// "a.a.a...." is a chain of single-field objects), so without a total bound the alternatives
// grow as 2^depth (found by fuzzing: 32 segments exhausted memory).
constexpr int kMaxDottedAlternatives = 64;

Path KeyPath(const std::string& key) {
  Path path;
  path.mode = ArrayMode::kFlatten;
  Step step;
  step.kind = StepKind::kKey;
  step.key = key;
  path.steps.push_back(std::move(step));
  return path;
}

PatternField& FieldFor(PatternObject& object, const std::string& key) {
  for (PatternField& f : object.fields) {
    if (f.key == key) return f;
  }
  object.fields.push_back(PatternField{key, std::nullopt, {}});
  return object.fields.back();
}

// Merges `from` into `into` as if both were written in one object: a path given in both keeps
// the later reference (by document order), and `$or` groups accumulate.
void Merge(PatternObject& into, const PatternObject& from) {
  for (const PatternField& f : from.fields) {
    PatternField& target = FieldFor(into, f.key);
    if (f.leaf && (!target.leaf || f.leaf->seq > target.leaf->seq)) target.leaf = f.leaf;
    Merge(target.object, f.object);
  }
  for (const auto& group : from.or_groups) into.or_groups.push_back(group);
}

// The event keys an object level names, its `$or` alternatives included (they name keys of the
// same event object).
void CollectKeys(const PatternObject& object, std::set<std::string>& keys) {
  for (const PatternField& f : object.fields) keys.insert(f.key);
  for (const auto& group : object.or_groups) {
    for (const PatternObject& alt : group) CollectKeys(alt, keys);
  }
}

// The index of the first `$or` group that shares a key with the plain fields or with another
// group at the same level, or -1.
int FirstConflictingGroup(const PatternObject& object) {
  if (object.or_groups.empty()) return -1;
  std::set<std::string> plain;
  for (const PatternField& f : object.fields) plain.insert(f.key);
  std::vector<std::set<std::string>> group_keys(object.or_groups.size());
  for (size_t i = 0; i < object.or_groups.size(); ++i) {
    for (const PatternObject& alt : object.or_groups[i]) CollectKeys(alt, group_keys[i]);
  }
  for (size_t i = 0; i < group_keys.size(); ++i) {
    for (const std::string& key : group_keys[i]) {
      if (plain.count(key) != 0) return static_cast<int>(i);
      for (size_t j = 0; j < group_keys.size(); ++j) {
        if (j != i && group_keys[j].count(key) != 0) return static_cast<int>(i);
      }
    }
  }
  return -1;
}

bool HasAbsent(const PatternObject& object) {
  for (const PatternField& f : object.fields) {
    if (f.leaf) {
      for (const Matcher& m : f.leaf->matchers) {
        if (m.kind == Matcher::Kind::kAbsent) return true;
      }
    }
    if (HasAbsent(f.object)) return true;
  }
  for (const auto& group : object.or_groups) {
    for (const PatternObject& alt : group) {
      if (HasAbsent(alt)) return true;
    }
  }
  return false;
}

std::vector<std::string> Folded(const std::vector<std::string>& strings) {
  std::vector<std::string> out;
  out.reserve(strings.size());
  for (const std::string& s : strings) out.push_back(FoldCase(s));
  return out;
}

template <typename T>
void Append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

class Lowerer {
 public:
  explicit Lowerer(const CompileOptions& options) : options_(options) {}

  NodePtr Object(const PatternObject& object, int depth) {
    const int conflict = FirstConflictingGroup(object);
    if (conflict >= 0) {
      PatternObject rest = object;
      rest.or_groups.erase(rest.or_groups.begin() + conflict);
      std::vector<NodePtr> alternatives;
      for (const PatternObject& alt : object.or_groups[static_cast<size_t>(conflict)]) {
        PatternObject merged = rest;
        Merge(merged, alt);
        alternatives.push_back(Object(merged, depth));
      }
      return MakeOr(std::move(alternatives));
    }
    std::vector<NodePtr> parts;
    for (const PatternField& f : object.fields) parts.push_back(Field(f.key, f, depth, 0));
    for (const auto& group : object.or_groups) {
      std::vector<NodePtr> alternatives;
      for (const PatternObject& alt : group) alternatives.push_back(Object(alt, depth));
      parts.push_back(MakeOr(std::move(alternatives)));
    }
    return MakeAnd(std::move(parts));
  }

 private:
  NodePtr Field(const std::string& key, const PatternField& field, int depth, int chain) {
    std::vector<NodePtr> parts;
    if (field.leaf) parts.push_back(Matchers(key, *field.leaf));
    if (!field.object.empty()) parts.push_back(Scope(key, field.object, depth, chain));
    return MakeAnd(std::move(parts));
  }

  NodePtr Scope(const std::string& key, const PatternObject& object, int depth, int chain) {
    NodePtr primary = MakeScope(KeyPath(key), Object(object, depth + 1));
    // {"k": {"j": ...}} also matches an event that spells the path with a dotted key "k.j"
    // (aws-validated `dot_joining_event`). Only below the top level (EventBridge's top-level
    // keys are the fixed envelope fields), only for single-field objects (a chain), and not
    // when exists:false is involved, where "absent under one spelling" is not "absent".
    if (!options_.dotted_event_keys || depth == 0 || chain >= kMaxDottedChain ||
        dotted_alternatives_ >= kMaxDottedAlternatives || object.fields.size() != 1 ||
        !object.or_groups.empty() || HasAbsent(object)) {
      return primary;
    }
    ++dotted_alternatives_;
    const PatternField& only = object.fields[0];
    std::vector<NodePtr> alternatives;
    alternatives.push_back(std::move(primary));
    alternatives.push_back(Field(key + "." + only.key, only, depth, chain + 1));
    return MakeOr(std::move(alternatives));
  }

  // One leaf per operator kind: values of the same positive kind share a leaf (its operands are
  // ORed by the evaluator); each anything-but and each numeric range keeps its own.
  NodePtr Matchers(const std::string& key, const MatcherList& list) {
    std::vector<Leaf> leaves;
    std::vector<std::pair<int, size_t>> shared;  // (op + fold tag, index into leaves)
    auto leaf_for = [&](Op op, bool share) -> Leaf& {
      const int tag = static_cast<int>(op);
      if (share) {
        for (const auto& [t, index] : shared) {
          if (t == tag) return leaves[index];
        }
        shared.emplace_back(tag, leaves.size());
      }
      Leaf leaf;
      leaf.path = KeyPath(key);
      leaf.op = op;
      leaves.push_back(std::move(leaf));
      return leaves.back();
    };
    for (const Matcher& m : list.matchers) {
      using K = Matcher::Kind;
      switch (m.kind) {
        case K::kString:
          Append(leaf_for(Op::kStrEq, true).operand.strings, m.strings);
          break;
        case K::kNumber:
          Append(leaf_for(Op::kNumEq, true).operand.numbers, m.numbers);
          break;
        case K::kTrue:
          leaf_for(Op::kIsTrue, true);
          break;
        case K::kFalse:
          leaf_for(Op::kIsFalse, true);
          break;
        case K::kNull:
          leaf_for(Op::kIsNull, true);
          break;
        case K::kPrefix:
          if (m.fold) {
            Append(leaf_for(Op::kPrefixFold, true).operand.strings, Folded(m.strings));
          } else {
            Append(leaf_for(Op::kStrPrefix, true).operand.strings, m.strings);
          }
          break;
        case K::kSuffix:
          if (m.fold) {
            Append(leaf_for(Op::kSuffixFold, true).operand.strings, Folded(m.strings));
          } else {
            Append(leaf_for(Op::kStrSuffix, true).operand.strings, m.strings);
          }
          break;
        case K::kEqualsFold:
          Append(leaf_for(Op::kStrEqFold, true).operand.strings, Folded(m.strings));
          break;
        case K::kWildcard:
          Append(leaf_for(Op::kWildcard, true).operand.strings, m.strings);
          break;
        case K::kCidr:
          Append(leaf_for(Op::kCidr, true).operand.cidrs, m.cidrs);
          break;
        case K::kExists:
          leaf_for(Op::kPresent, true);
          break;
        case K::kAbsent:
          leaf_for(Op::kNever, true).on_missing = true;
          break;
        case K::kRange: {
          Leaf& leaf = leaf_for(Op::kNumRange, false);
          leaf.operand.lo = m.lo;
          leaf.operand.hi = m.hi;
          leaf.operand.lo_inclusive = m.lo_inclusive;
          leaf.operand.hi_inclusive = m.hi_inclusive;
          break;
        }
        case K::kNotStrings:
          Negated(leaf_for(Op::kStrEq, false)).operand.strings = m.strings;
          break;
        case K::kNotNumbers:
          Negated(leaf_for(Op::kNumEq, false)).operand.numbers = m.numbers;
          break;
        case K::kNotPrefix:
          Negated(leaf_for(Op::kStrPrefix, false)).operand.strings = m.strings;
          break;
        case K::kNotSuffix:
          Negated(leaf_for(Op::kStrSuffix, false)).operand.strings = m.strings;
          break;
        case K::kNotEqualsFold:
          Negated(leaf_for(Op::kStrEqFold, false)).operand.strings = Folded(m.strings);
          break;
        case K::kNotWildcard:
          Negated(leaf_for(Op::kWildcard, false)).operand.strings = m.strings;
          break;
      }
    }
    std::vector<NodePtr> nodes;
    for (Leaf& leaf : leaves) nodes.push_back(MakeLeaf(std::move(leaf)));
    return MakeOr(std::move(nodes));
  }

  static Leaf& Negated(Leaf& leaf) {
    leaf.negate = true;  // anything-but: a scalar that matches none; never a missing field
    return leaf;
  }

  const CompileOptions& options_;
  int dotted_alternatives_ = 0;  // added so far, bounded by kMaxDottedAlternatives
};

}  // namespace

NodePtr LowerEventPattern(const EventPattern& pattern, const CompileOptions& options) {
  return Lowerer(options).Object(pattern.root, 0);
}

Result<NodePtr> CompileEventPattern(std::string_view json_text, const CompileOptions& options) {
  auto pattern = ParseEventPattern(json_text, options.limits);
  if (!pattern) return tl::unexpected(std::move(pattern.error()));
  return LowerEventPattern(*pattern, options);
}

}  // namespace tw::match::eventbridge

// The predicate IR that every rule language compiles into.
//
// A matcher is a tree of Nodes. Both CloudWatch Logs filter patterns (match/cwl/) and EventBridge
// event patterns (match/eventbridge/) lower into it, and matching runs on the IR alone
// (match/evaluator.h). A later language (Sigma) compiles into the same IR.
//
// Vocabulary:
//   * A Path walks from the *current node* (the JSON root at the top; the node bound by an
//     enclosing kScope below it) through object keys and array indexes.
//   * A Leaf resolves its path to the set of nodes it reaches and tests each with an Op. The
//     leaf is true when any reached value passes. When the path reaches nothing, the leaf
//     yields `on_missing` without testing anything.
//   * `negate` flips the test per value (EventBridge anything-but, CloudWatch `!=`): a value
//     passes when it is a scalar and the op is false for it. Arrays and objects never pass a
//     comparison, negated or not (CloudWatch: "{$.users != 1}" is false on an array).
//   * A kScope node binds each node its path reaches in turn and is true when its child is true
//     for any of them (EventBridge's "same array element" rule falls out of this). When the path
//     reaches nothing, the child is evaluated once against the missing node, so that
//     `exists: false` below an absent object still holds.
//
// ArrayMode decides how a path meets arrays:
//   * kExact (CloudWatch Logs): a step goes only where it says; `[*]` and `.*` are explicit.
//     A path that ends on an array or object reaches a non-scalar node.
//   * kFlatten (EventBridge): an array met at any step, or at the end, is expanded element by
//     element (nested arrays flattened). Objects at the end of a leaf path count as missing
//     (EventBridge matches leaf values only).
//   * kDeep (Sigma): as kFlatten, and an object or array at the end of the path stands for every
//     scalar below it, at any depth ("requestParameters|contains: Suspended" looks inside).
//
// Ownership: a Node owns its children and operands (RE2 objects included). A compiled tree is
// immutable and safe to evaluate from many threads at once.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace tw::match {

enum class StepKind : uint8_t {
  kKey,       // object member `key`
  kIndex,     // array element `index` (0-based)
  kAnyIndex,  // every array element: `[*]`
  kAnyKey,    // every object member: `.*`
};

struct Step {
  StepKind kind = StepKind::kKey;
  std::string key;     // kKey
  uint32_t index = 0;  // kIndex
};

enum class ArrayMode : uint8_t { kExact, kFlatten, kDeep };

struct Path {
  std::vector<Step> steps;  // empty: the current node itself
  ArrayMode mode = ArrayMode::kExact;
};

// What a leaf looks at.
enum class Target : uint8_t {
  kPath,     // the nodes reached by `path` from the current node
  kRawText,  // the whole log message as text (CloudWatch term and regex patterns)
  kToken,    // the current field of a space-delimited pattern (a string)
};

// The test applied to each reached value. Types are strict unless stated: a string op is false
// for numbers, a numeric op false for strings (see Operand::numeric_strings).
enum class Op : uint8_t {
  kPresent,       // true for any reached node (scalar or not); `negate` is ignored
  kNever,         // always false (used with on_missing=true for "must be absent")
  kAnyScalar,     // any string, number, boolean or null
  kStrEq,         // string equal to any operand string
  kStrPrefix,     // string starts with any operand
  kStrSuffix,     // string ends with any operand
  kStrContains,   // string contains any operand (term patterns on raw text)
  kStrEqFold,     // FoldCase(value) equals any operand (operands stored folded)
  kPrefixFold,    // FoldCase(value) starts with any operand (stored folded)
  kSuffixFold,    // FoldCase(value) ends with any operand (stored folded)
  kWildcard,      // EventBridge wildcard: `*` is any run of characters; operands pre-parsed
  kRegex,         // RE2 unanchored partial match against any operand regex
  kNumEq,         // number equal to any operand number (by value: 300 == 300.0)
  kNumRange,      // lo (<|<=) number (<|<=) hi
  kIsNull,        // JSON null
  kIsTrue,        // JSON true
  kIsFalse,       // JSON false
  kCidr,          // string that parses as an IP address inside any operand block
  kContainsFold,  // FoldCase(value) contains any operand (stored folded)
  // A scalar equal to some scalar that `operand.field` reaches from the same current node:
  // strings byte for byte, numbers by value, booleans and null by kind (Sigma `fieldref`).
  kFieldEq,
};

struct CidrBlock {
  bool v6 = false;
  uint8_t bytes[16] = {};  // network address, v4 in the first 4 bytes
  uint8_t prefix_len = 0;
};

struct Operand {
  std::vector<std::string> strings;  // string ops; for kWildcard the raw EventBridge text
  std::vector<double> numbers;       // kNumEq
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_inclusive = false;
  bool hi_inclusive = false;
  std::vector<std::unique_ptr<re2::RE2>> regexes;  // kRegex
  std::vector<CidrBlock> cidrs;                    // kCidr
  Path field;                                      // kFieldEq: the other field
  // Numeric ops also accept a string that is entirely a number ("404"). Set for space-
  // delimited fields, whose values are always text.
  bool numeric_strings = false;

  Operand();
  ~Operand();
  Operand(Operand&&) noexcept;
  Operand& operator=(Operand&&) noexcept;
};

struct Leaf {
  Target target = Target::kPath;
  Path path;
  Op op = Op::kPresent;
  Operand operand;
  bool negate = false;
  bool on_missing = false;
};

struct DelimitedPattern;  // match/delimited.h

enum class NodeKind : uint8_t {
  kTrue,
  kFalse,
  kAnd,        // children, all true (an empty kAnd is true)
  kOr,         // children, any true (an empty kOr is false)
  kNot,        // children[0] false
  kLeaf,       // leaf
  kScope,      // path binds the current node for children[0]
  kDelimited,  // a CloudWatch space-delimited pattern over the raw text
};

struct Node {
  NodeKind kind = NodeKind::kTrue;
  std::vector<std::unique_ptr<Node>> children;
  Path path;                                    // kScope
  std::unique_ptr<Leaf> leaf;                   // kLeaf
  std::unique_ptr<DelimitedPattern> delimited;  // kDelimited
  // kLeaf over a Target::kPath and kScope evaluated from the root: the process-wide id of the
  // path, shared by every rule with the same path (match/field_cache.h); -1 for none. Mutable
  // because it is set on shared, otherwise immutable matchers, once, by AssignFieldIds.
  mutable int32_t field_id = -1;

  Node();
  ~Node();
  Node(Node&&) noexcept;
  Node& operator=(Node&&) noexcept;
};

using NodePtr = std::unique_ptr<Node>;

// Builders, for front ends and tests.
NodePtr MakeConst(bool value);
NodePtr MakeAnd(std::vector<NodePtr> children);
NodePtr MakeOr(std::vector<NodePtr> children);
NodePtr MakeNot(NodePtr child);
NodePtr MakeLeaf(Leaf leaf);
NodePtr MakeScope(Path path, NodePtr child);

// A canonical, deterministic one-line dump of the tree, for golden tests and `--explain`.
// Example: or(leaf($.eventName exact str_eq["CreateTrail","DeleteTrail"]),leaf(...)).
std::string DumpIr(const Node& node);

// Renders a path the way CloudWatch writes it: $.a.b[0][*].*
std::string PathToString(const Path& path);

}  // namespace tw::match

#include "match/evaluator.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/strings.h"
#include "match/delimited.h"

namespace tw::match {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A node of the (possibly virtual) document being matched (match/field_cache.h).
using Ref = DocRef;

Ref Missing() { return Ref{}; }
Ref FromDom(element e) {
  Ref r;
  r.kind = Ref::Kind::kDom;
  r.dom = e;
  return r;
}
Ref FromText(std::string_view s) {
  Ref r;
  r.kind = Ref::Kind::kText;
  r.text = s;
  return r;
}

struct Context {
  const Subject& subject;
  std::string_view token;
  // Set while the current node is the root (fields are resolved through it); null in a scope.
  FieldCache* fields = nullptr;
};

bool IsArray(const Ref& r) {
  return r.kind == Ref::Kind::kDom && r.dom.type() == element_type::ARRAY;
}
bool IsObjectLike(const Ref& r) {
  return r.kind == Ref::Kind::kEnvelope ||
         (r.kind == Ref::Kind::kDom && r.dom.type() == element_type::OBJECT);
}

// Looks up member `key` of an object-like node.
Ref Child(const Ref& r, std::string_view key, const Context& ctx) {
  if (r.kind == Ref::Kind::kEnvelope) {
    const Envelope& env = *ctx.subject.envelope;
    if (key == "detail") return ctx.subject.json ? FromDom(*ctx.subject.json) : Missing();
    if (key == "version") return FromText("0");
    if (key == "id") return FromText(env.id);
    if (key == "detail-type") return FromText(env.detail_type);
    if (key == "source") return FromText(env.source);
    if (key == "account") return FromText(env.account);
    if (key == "time") return FromText(env.time);
    if (key == "region") return FromText(env.region);
    return Missing();  // "resources" is an empty array: nothing reached
  }
  if (r.kind != Ref::Kind::kDom || r.dom.type() != element_type::OBJECT) return Missing();
  // Duplicate keys: the first one wins, as everywhere in trailwatch (docs/json-input.md).
  for (auto field : simdjson::dom::object(r.dom)) {
    if (field.key == key) return FromDom(field.value);
  }
  return Missing();
}

// True when `key` is not the first member of `object` with that name (a duplicate key, which
// a path never reaches: docs/json-input.md).
bool IsLaterDuplicate(simdjson::dom::object object, const simdjson::dom::key_value_pair& member) {
  for (auto field : object) {
    if (field.key == member.key) return field.key.data() != member.key.data();
  }
  return false;
}

// Calls visit(ref) for every node `path` reaches from `cur`, from step `i` on. `visit` returns
// true to stop early; Walk returns true when stopped.
template <typename Visit>
bool Walk(const Ref& cur, const Path& path, size_t i, const Context& ctx, Visit& visit) {
  if (cur.kind == Ref::Kind::kMissing) return false;
  const bool flatten = path.mode != ArrayMode::kExact;
  if (flatten && IsArray(cur)) {
    for (element e : simdjson::dom::array(cur.dom)) {
      if (Walk(FromDom(e), path, i, ctx, visit)) return true;
    }
    return false;
  }
  if (i == path.steps.size()) {
    if (path.mode == ArrayMode::kDeep && cur.kind == Ref::Kind::kDom &&
        cur.dom.type() == element_type::OBJECT) {
      // Sigma: an object stands for every scalar below it (arrays are expanded above).
      for (auto field : simdjson::dom::object(cur.dom)) {
        if (Walk(FromDom(field.value), path, i, ctx, visit)) return true;
      }
      return false;
    }
    return visit(cur);
  }
  const Step& step = path.steps[i];
  switch (step.kind) {
    case StepKind::kKey: {
      Ref next = Child(cur, step.key, ctx);
      return Walk(next, path, i + 1, ctx, visit);
    }
    case StepKind::kIndex: {
      if (!IsArray(cur)) return false;
      element e;
      if (simdjson::dom::array(cur.dom).at(step.index).get(e) != simdjson::SUCCESS) return false;
      return Walk(FromDom(e), path, i + 1, ctx, visit);
    }
    case StepKind::kAnyIndex: {
      if (!IsArray(cur)) return false;
      for (element e : simdjson::dom::array(cur.dom)) {
        if (Walk(FromDom(e), path, i + 1, ctx, visit)) return true;
      }
      return false;
    }
    case StepKind::kAnyKey: {
      if (cur.kind == Ref::Kind::kEnvelope) {
        for (std::string_view k :
             {"version", "id", "detail-type", "source", "account", "time", "region", "detail"}) {
          if (Walk(Child(cur, k, ctx), path, i + 1, ctx, visit)) return true;
        }
        return false;
      }
      if (cur.kind != Ref::Kind::kDom || cur.dom.type() != element_type::OBJECT) return false;
      const simdjson::dom::object object(cur.dom);
      for (auto field : object) {
        if (IsLaterDuplicate(object, field)) continue;
        if (Walk(FromDom(field.value), path, i + 1, ctx, visit)) return true;
      }
      return false;
    }
  }
  return false;
}

// The scalar view of a node.
struct Scalar {
  enum class Type : uint8_t { kNone, kString, kNumber, kTrue, kFalse, kNull };
  Type type = Type::kNone;
  std::string_view str;
  double num = 0;
  bool str_is_number = false;  // str parses entirely as a number (into num)
};

// Parses `s` when it is exactly a number (common/strings.h IsNumberText).
bool ParseNumber(std::string_view s, double* out) {
  if (!IsNumberText(s)) return false;
  const char* b = s.data() + (s[0] == '+' ? 1 : 0);
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), *out);
  if (ec == std::errc::result_out_of_range) {
    // "1e999" is still a number: the nearest double, +-infinity or (+-)0, as strtod rounds it
    // and as a pattern number is read (docs/cwl-filter-patterns.md, "Numbers out of range").
    *out = std::strtod(std::string(s).c_str(), nullptr);
    return true;
  }
  return ec == std::errc() && p == s.data() + s.size();
}

Scalar ToScalar(const Ref& r) {
  Scalar s;
  if (r.kind == Ref::Kind::kText) {
    s.type = Scalar::Type::kString;
    s.str = r.text;
    if (r.numeric_text) s.str_is_number = ParseNumber(r.text, &s.num);
    return s;
  }
  if (r.kind != Ref::Kind::kDom) return s;
  switch (r.dom.type()) {
    case element_type::STRING:
      s.type = Scalar::Type::kString;
      s.str = std::string_view(r.dom.get_string().value_unsafe());
      break;
    case element_type::INT64:
      s.type = Scalar::Type::kNumber;
      s.num = static_cast<double>(r.dom.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      s.type = Scalar::Type::kNumber;
      s.num = static_cast<double>(r.dom.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE:
      s.type = Scalar::Type::kNumber;
      s.num = r.dom.get_double().value_unsafe();
      break;
    case element_type::BOOL:
      s.type = r.dom.get_bool().value_unsafe() ? Scalar::Type::kTrue : Scalar::Type::kFalse;
      break;
    case element_type::NULL_VALUE:
      s.type = Scalar::Type::kNull;
      break;
    default:
      break;
  }
  return s;
}

bool NumericValue(const Scalar& s, const Operand& operand, double* out) {
  if (s.type == Scalar::Type::kNumber) {
    *out = s.num;
    return true;
  }
  if (s.type == Scalar::Type::kString && operand.numeric_strings) {
    if (s.str_is_number) {
      *out = s.num;
      return true;
    }
    return ParseNumber(s.str, out);
  }
  return false;
}

template <typename Pred>
bool AnyString(const Operand& operand, Pred pred) {
  for (const std::string& o : operand.strings) {
    if (pred(std::string_view(o))) return true;
  }
  return false;
}

bool ApplyOp(const Leaf& leaf, const Scalar& s) {
  const Operand& operand = leaf.operand;
  const bool is_str = s.type == Scalar::Type::kString;
  switch (leaf.op) {
    case Op::kPresent:
      return true;
    case Op::kNever:
      return false;
    case Op::kAnyScalar:
      return s.type != Scalar::Type::kNone;
    case Op::kStrEq:
      return is_str && AnyString(operand, [&](std::string_view o) { return s.str == o; });
    case Op::kStrPrefix:
      return is_str && AnyString(operand, [&](std::string_view o) { return StartsWith(s.str, o); });
    case Op::kStrSuffix:
      return is_str && AnyString(operand, [&](std::string_view o) { return EndsWith(s.str, o); });
    case Op::kStrContains:
      return is_str && AnyString(operand, [&](std::string_view o) {
               return s.str.find(o) != std::string_view::npos;
             });
    case Op::kStrEqFold:
    case Op::kPrefixFold:
    case Op::kSuffixFold: {
      if (!is_str) return false;
      const std::string folded = FoldCase(s.str);
      const std::string_view f(folded);
      return AnyString(operand, [&](std::string_view o) {
        if (leaf.op == Op::kStrEqFold) return f == o;
        if (leaf.op == Op::kPrefixFold) return StartsWith(f, o);
        return EndsWith(f, o);
      });
    }
    case Op::kWildcard:
      return is_str &&
             AnyString(operand, [&](std::string_view o) { return WildcardMatch(o, s.str); });
    case Op::kRegex:
      if (!is_str) return false;
      for (const auto& re : operand.regexes) {
        if (RE2::PartialMatch(s.str, *re)) return true;
      }
      return false;
    case Op::kNumEq: {
      double v;
      if (!NumericValue(s, operand, &v)) return false;
      for (double o : operand.numbers) {
        if (v == o) return true;
      }
      return false;
    }
    case Op::kNumRange: {
      double v;
      if (!NumericValue(s, operand, &v)) return false;
      const bool lo_ok = operand.lo_inclusive ? v >= operand.lo : v > operand.lo;
      const bool hi_ok = operand.hi_inclusive ? v <= operand.hi : v < operand.hi;
      return lo_ok && hi_ok;
    }
    case Op::kIsNull:
      return s.type == Scalar::Type::kNull;
    case Op::kIsTrue:
      return s.type == Scalar::Type::kTrue;
    case Op::kIsFalse:
      return s.type == Scalar::Type::kFalse;
    case Op::kCidr:
      if (!is_str) return false;
      for (const CidrBlock& b : operand.cidrs) {
        if (CidrContains(b, s.str)) return true;
      }
      return false;
    case Op::kContainsFold: {
      if (!is_str) return false;
      const std::string folded = FoldCase(s.str);
      return AnyString(operand, [&](std::string_view o) {
        return std::string_view(folded).find(o) != std::string_view::npos;
      });
    }
    case Op::kFieldEq:
      return false;  // needs the other field: EvalLeaf handles it
  }
  return false;
}

// Tests one reached node. Non-scalars pass only kPresent.
bool TestNode(const Leaf& leaf, const Ref& r) {
  if (leaf.op == Op::kPresent) return true;
  const Scalar s = ToScalar(r);
  if (s.type == Scalar::Type::kNone) return false;
  const bool hit = ApplyOp(leaf, s);
  return leaf.negate ? !hit : hit;
}

bool EvalNode(const Node& node, const Ref& cur, const Context& ctx);

// The nodes field `node.field_id` reaches from the root `cur` in this event: all of them, in
// Walk order, walked on first use and memoized in ctx.fields.
FieldCache::Range Resolve(const Node& node, const Path& path, const Ref& cur, const Context& ctx) {
  return ctx.fields->Get(node.field_id, [&](std::vector<Ref>& out) {
    auto collect = [&](const Ref& r) {
      out.push_back(r);
      return false;
    };
    Walk(cur, path, 0, ctx, collect);
  });
}

bool SameScalar(const Scalar& a, const Scalar& b) {
  if (a.type != b.type) return false;
  if (a.type == Scalar::Type::kString) return a.str == b.str;
  if (a.type == Scalar::Type::kNumber) return a.num == b.num;
  return a.type != Scalar::Type::kNone;
}

// Op::kFieldEq: some scalar of `leaf.path` equals some scalar of `leaf.operand.field`, both
// walked from `cur` (no field cache: these rules are rare and the paths short).
bool EvalFieldEq(const Leaf& leaf, const Ref& cur, const Context& ctx) {
  std::vector<Scalar> others;
  auto collect = [&](const Ref& r) {
    const Scalar s = ToScalar(r);
    if (s.type != Scalar::Type::kNone) others.push_back(s);
    return false;
  };
  Walk(cur, leaf.operand.field, 0, ctx, collect);
  bool reached = false;
  bool result = false;
  auto visit = [&](const Ref& r) {
    if (leaf.path.mode != ArrayMode::kExact && IsObjectLike(r)) return false;
    reached = true;
    const Scalar s = ToScalar(r);
    if (s.type == Scalar::Type::kNone) return false;
    bool hit = false;
    for (const Scalar& o : others) hit = hit || SameScalar(s, o);
    if (leaf.negate) hit = !hit;
    if (hit) result = true;
    return hit;
  };
  Walk(cur, leaf.path, 0, ctx, visit);
  return reached ? result : leaf.on_missing;
}

bool EvalLeaf(const Node& node, const Ref& cur, const Context& ctx) {
  const Leaf& leaf = *node.leaf;
  if (leaf.op == Op::kFieldEq) return EvalFieldEq(leaf, cur, ctx);
  if (leaf.target == Target::kRawText) {
    return TestNode(leaf, FromText(ctx.subject.raw));
  }
  if (leaf.target == Target::kToken) {
    Ref t = FromText(ctx.token);
    t.numeric_text = true;
    return TestNode(leaf, t);
  }
  bool reached = false;
  bool result = false;
  const bool flatten = leaf.path.mode != ArrayMode::kExact;
  if (ctx.fields != nullptr && node.field_id >= 0) {
    const FieldCache::Range range = Resolve(node, leaf.path, cur, ctx);
    for (uint32_t i = range.begin; i < range.begin + range.size; ++i) {
      const Ref& r = ctx.fields->node(i);
      if (flatten && IsObjectLike(r)) continue;  // as in `visit` below
      if (TestNode(leaf, r)) return true;
      reached = true;
    }
    return reached ? false : leaf.on_missing;
  }
  auto visit = [&](const Ref& r) {
    if (flatten && IsObjectLike(r)) return false;  // EventBridge: objects are not leaf values
    reached = true;
    if (TestNode(leaf, r)) {
      result = true;
      return true;
    }
    return false;
  };
  Walk(cur, leaf.path, 0, ctx, visit);
  return reached ? result : leaf.on_missing;
}

bool EvalNode(const Node& node, const Ref& cur, const Context& ctx) {
  switch (node.kind) {
    case NodeKind::kTrue:
      return true;
    case NodeKind::kFalse:
      return false;
    case NodeKind::kAnd:
      for (const auto& c : node.children) {
        if (!EvalNode(*c, cur, ctx)) return false;
      }
      return true;
    case NodeKind::kOr:
      for (const auto& c : node.children) {
        if (EvalNode(*c, cur, ctx)) return true;
      }
      return false;
    case NodeKind::kNot:
      return !EvalNode(*node.children[0], cur, ctx);
    case NodeKind::kLeaf:
      return EvalLeaf(node, cur, ctx);
    case NodeKind::kScope: {
      bool reached = false;
      bool result = false;
      const Node& child = *node.children[0];
      if (ctx.fields != nullptr && node.field_id >= 0) {
        // Below the scope the current node is a bound element, not the root: no fields there.
        const Context inner{ctx.subject, ctx.token, nullptr};
        const FieldCache::Range range = Resolve(node, node.path, cur, ctx);
        for (uint32_t i = range.begin; i < range.begin + range.size; ++i) {
          const Ref r = ctx.fields->node(i);
          if (EvalNode(child, r, inner)) return true;
        }
        return range.size > 0 ? false : EvalNode(child, Missing(), inner);
      }
      const Context inner{ctx.subject, ctx.token, nullptr};
      auto visit = [&](const Ref& r) {
        reached = true;
        if (EvalNode(child, r, inner)) {
          result = true;
          return true;
        }
        return false;
      };
      Walk(cur, node.path, 0, ctx, visit);
      return reached ? result : EvalNode(child, Missing(), inner);
    }
    case NodeKind::kDelimited: {
      std::vector<std::string_view> tokens;
      TokenizeDelimited(ctx.subject.raw, tokens);
      return MatchDelimited(*node.delimited, tokens, [&](const Node& cond, std::string_view token) {
        Context inner{ctx.subject, token, nullptr};
        return EvalNode(cond, Missing(), inner);
      });
    }
  }
  return false;
}

}  // namespace

bool OpAcceptsString(const Leaf& leaf, std::string_view value) {
  Scalar s;
  s.type = Scalar::Type::kString;
  s.str = value;
  return ApplyOp(leaf, s);
}

bool Evaluate(const Node& node, const Subject& subject) {
  Context ctx{subject, {}, subject.fields};
  Ref root;
  if (subject.envelope != nullptr) {
    root.kind = Ref::Kind::kEnvelope;
  } else if (subject.json != nullptr) {
    root = FromDom(*subject.json);
  }
  return EvalNode(node, root, ctx);
}

namespace {

// `*`-only glob without escapes: the first segment is a prefix, the last a suffix, and the ones
// between are found left to right (taking the leftmost occurrence of each is always safe).
bool PlainWildcardMatch(std::string_view pattern, std::string_view text) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  const std::string_view head = pattern.substr(0, star);
  const std::string_view tail = pattern.substr(pattern.rfind('*') + 1);
  if (text.size() < head.size() + tail.size() || !StartsWith(text, head) || !EndsWith(text, tail)) {
    return false;
  }
  size_t pos = head.size();
  const size_t limit = text.size() - tail.size();
  const size_t last_star = pattern.rfind('*');
  while (star < last_star) {
    const size_t next = pattern.find('*', star + 1);
    const std::string_view segment = pattern.substr(star + 1, next - star - 1);
    star = next;
    if (segment.empty()) continue;
    const size_t found = text.substr(0, limit).find(segment, pos);
    if (found == std::string_view::npos) return false;
    pos = found + segment.size();
  }
  return true;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  if (pattern.find('\\') == std::string_view::npos) return PlainWildcardMatch(pattern, text);
  // With escapes: iterative glob with single-star backtracking, O(n*m) worst case.
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      char want = pattern[p];
      size_t width = 1;
      if (want == '\\' && p + 1 < pattern.size()) {
        want = pattern[p + 1];
        width = 2;
      }
      if (want == text[t]) {
        p += width;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool ParseCidr(std::string_view text, CidrBlock* block) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos) {
    return false;
  }
  const std::string addr(text.substr(0, slash));
  const std::string_view bits = text.substr(slash + 1);
  unsigned len = 0;
  auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), len);
  if (bits.empty() || ec != std::errc() || p != bits.data() + bits.size()) return false;
  CidrBlock b;
  if (inet_pton(AF_INET, addr.c_str(), b.bytes) == 1) {
    if (len > 32) return false;
  } else if (inet_pton(AF_INET6, addr.c_str(), b.bytes) == 1) {
    if (len > 128) return false;
    b.v6 = true;
  } else {
    return false;
  }
  b.prefix_len = static_cast<uint8_t>(len);
  *block = b;
  return true;
}

// Field ids (match/field_cache.h). They live here rather than in a field_cache.cc so that the
// evaluator's library needs no new source file.
namespace {

struct FieldTable {
  std::mutex mu;
  std::unordered_map<std::string, int32_t> ids;  // FieldKey -> id
};

FieldTable& GlobalFieldTable() {
  static FieldTable table;
  return table;
}

// An unambiguous encoding of (domain, mode, steps): keys are length-prefixed.
std::string FieldKey(uint32_t domain, const Path& path) {
  std::string key;
  auto put32 = [&](uint32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put32(domain);
  key.push_back(static_cast<char>(path.mode));
  for (const Step& step : path.steps) {
    key.push_back(static_cast<char>(step.kind));
    if (step.kind == StepKind::kKey) {
      put32(static_cast<uint32_t>(step.key.size()));
      key.append(step.key);
    } else if (step.kind == StepKind::kIndex) {
      put32(step.index);
    }
  }
  return key;
}

// Assigns ids to the fields of `node`, whose current node is the root. Caller holds table.mu.
size_t AssignAtRoot(const Node& node, uint32_t domain, FieldTable& table) {
  const Path* path = nullptr;
  switch (node.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot: {
      size_t n = 0;
      for (const auto& c : node.children) n += AssignAtRoot(*c, domain, table);
      return n;
    }
    case NodeKind::kLeaf:
      if (node.leaf->target == Target::kPath) path = &node.leaf->path;
      break;
    case NodeKind::kScope:
      path = &node.path;  // its child starts from the bound element: not a field
      break;
    case NodeKind::kTrue:
    case NodeKind::kFalse:
    case NodeKind::kDelimited:
      break;
  }
  if (path == nullptr) return 0;
  if (node.field_id < 0) {
    const auto next = static_cast<int32_t>(table.ids.size());
    node.field_id = table.ids.try_emplace(FieldKey(domain, *path), next).first->second;
  }
  return 1;
}

}  // namespace

size_t AssignFieldIds(const Node& root, uint32_t domain) {
  FieldTable& table = GlobalFieldTable();
  std::lock_guard<std::mutex> lock(table.mu);
  return AssignAtRoot(root, domain, table);
}

size_t FieldIdCount() {
  FieldTable& table = GlobalFieldTable();
  std::lock_guard<std::mutex> lock(table.mu);
  return table.ids.size();
}

bool CidrContains(const CidrBlock& block, std::string_view ip) {
  if (ip.size() > 45) return false;
  char buf[46];
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  uint8_t bytes[16] = {};
  const int family = block.v6 ? AF_INET6 : AF_INET;
  if (inet_pton(family, buf, bytes) != 1) return false;
  const unsigned full = block.prefix_len / 8;
  const unsigned rest = block.prefix_len % 8;
  if (std::memcmp(bytes, block.bytes, full) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (block.bytes[full] & mask);
}

}  // namespace tw::match

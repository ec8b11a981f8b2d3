// Lowering of the filter-pattern syntax tree into the IR. Each rule cites the AWS documentation
// it implements (docs/pattern-languages.md §1); the undocumented choices are explained in
// docs/cwl-filter-patterns.md.
#include "match/cwl/compile.h"

#include <re2/re2.h>

#include <charconv>
#include <utility>

#include "match/delimited.h"

namespace tw::match::cwl {
namespace {

Path ToPath(const Selector& selector) {
  Path path;
  path.mode = ArrayMode::kExact;  // CloudWatch: `[*]` and `.*` are explicit, nothing flattens
  for (const SelectorStep& s : selector.steps) {
    Step step;
    switch (s.kind) {
      case SelectorStep::Kind::kKey:
        step.kind = StepKind::kKey;
        step.key = s.key;
        break;
      case SelectorStep::Kind::kIndex:
        step.kind = StepKind::kIndex;
        step.index = s.index;
        break;
      case SelectorStep::Kind::kAnyIndex:
        step.kind = StepKind::kAnyIndex;
        break;
      case SelectorStep::Kind::kAnyKey:
        step.kind = StepKind::kAnyKey;
        break;
    }
    path.steps.push_back(std::move(step));
  }
  return path;
}

std::unique_ptr<re2::RE2> CompileRegex(const RegexLiteral& regex) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(regex.re2, options);
  TW_CHECK(re->ok());  // the parser compiled the same text successfully
  return re;
}

// Fills op/operand/negate of `leaf` for a comparison. Used for JSON leaves and delimited tokens.
void LowerComparison(CompareOp op, const Value& value, Leaf& leaf) {
  switch (op) {
    case CompareOp::kIsNull:
      leaf.op = Op::kIsNull;
      return;
    case CompareOp::kIsTrue:
      leaf.op = Op::kIsTrue;
      return;
    case CompareOp::kIsFalse:
      leaf.op = Op::kIsFalse;
      return;
    case CompareOp::kNotExists:
      // True exactly when the selector reaches nothing [doc]. A field present with null exists.
      leaf.op = Op::kNever;
      leaf.on_missing = true;
      return;
    case CompareOp::kLt:
    case CompareOp::kLe:
      leaf.op = Op::kNumRange;
      leaf.operand.numeric_strings = true;  // docs/cwl-filter-patterns.md, "Numbers"

      leaf.operand.hi = value.number;
      leaf.operand.hi_inclusive = op == CompareOp::kLe;
      leaf.operand.lo_inclusive = true;  // -infinity ("-1e999") is below every bound
      return;
    case CompareOp::kGt:
    case CompareOp::kGe:
      leaf.op = Op::kNumRange;
      leaf.operand.numeric_strings = true;

      leaf.operand.lo = value.number;
      leaf.operand.lo_inclusive = op == CompareOp::kGe;
      leaf.operand.hi_inclusive = true;  // +infinity ("1e999") is above every bound
      return;
    case CompareOp::kEq:
    case CompareOp::kNe:
      break;
  }
  // `!=` passes for a scalar that fails the `=` test; never for an array or object [doc-2020],
  // never for a missing field (on_missing stays false).
  leaf.negate = op == CompareOp::kNe;
  switch (value.kind) {
    case Value::Kind::kNumber:
      leaf.op = Op::kNumEq;
      leaf.operand.numeric_strings = true;
      leaf.operand.numbers.push_back(value.number);
      return;
    case Value::Kind::kRegex:
      leaf.op = Op::kRegex;
      leaf.operand.regexes.push_back(CompileRegex(value.regex));
      return;
    case Value::Kind::kString:
      break;
  }
  // Wildcards [doc-2020]: "*Event" is a suffix match, "Event*" a prefix match, "*" any value;
  // "Ev*ent will only match the actual string Ev*ent": a `*` in the middle is literal.
  const std::string& t = value.text;
  const size_t first = t.find_first_not_of('*');
  if (!t.empty() && first == std::string::npos) {
    leaf.op = Op::kAnyScalar;
    return;
  }
  if (t.empty()) {
    leaf.op = Op::kStrEq;
    leaf.operand.strings.push_back(t);
    return;
  }
  const size_t last = t.find_last_not_of('*');
  const bool leading = first > 0;
  const bool trailing = last + 1 < t.size();
  const std::string core = t.substr(first, last - first + 1);
  leaf.op = leading && trailing ? Op::kStrContains
            : leading           ? Op::kStrSuffix
            : trailing          ? Op::kStrPrefix
                                : Op::kStrEq;
  leaf.operand.strings.push_back(leading || trailing ? core : t);
}

bool Mergeable(const Leaf& a, const Leaf& b) {
  switch (a.op) {
    case Op::kStrEq:
    case Op::kStrPrefix:
    case Op::kStrSuffix:
    case Op::kStrContains:
    case Op::kRegex:
    case Op::kNumEq:
      break;
    default:
      return false;
  }
  return a.op == b.op && a.target == b.target && !a.negate && !b.negate && !a.on_missing &&
         !b.on_missing && a.operand.numeric_strings == b.operand.numeric_strings &&
         a.path.mode == b.path.mode && PathToString(a.path) == PathToString(b.path);
}

// Builds an n-ary and/or, flattening nested nodes of the same kind. In an `or`, leaves that test
// the same path with the same positive op become one leaf with several operands: a leaf is true
// when any reached value passes any operand, which is the same disjunction.
NodePtr Combine(NodeKind kind, std::vector<NodePtr> parts) {
  std::vector<NodePtr> flat;
  for (auto& p : parts) {
    if (p->kind == kind) {
      for (auto& c : p->children) flat.push_back(std::move(c));
    } else {
      flat.push_back(std::move(p));
    }
  }
  if (kind == NodeKind::kOr) {
    std::vector<NodePtr> merged;
    for (auto& n : flat) {
      Leaf* into = nullptr;
      if (n->kind == NodeKind::kLeaf) {
        for (auto& m : merged) {
          if (m->kind == NodeKind::kLeaf && Mergeable(*m->leaf, *n->leaf)) {
            into = m->leaf.get();
            break;
          }
        }
      }
      if (into == nullptr) {
        merged.push_back(std::move(n));
        continue;
      }
      Operand& to = into->operand;
      Operand& from = n->leaf->operand;
      for (auto& s : from.strings) to.strings.push_back(std::move(s));
      for (double d : from.numbers) to.numbers.push_back(d);
      for (auto& r : from.regexes) to.regexes.push_back(std::move(r));
    }
    flat = std::move(merged);
    return MakeOr(std::move(flat));
  }
  return MakeAnd(std::move(flat));
}

NodePtr LowerExpr(const Expr& e, bool delimited) {
  if (e.kind != Expr::Kind::kCompare) {
    std::vector<NodePtr> parts;
    for (const auto& c : e.children) parts.push_back(LowerExpr(*c, delimited));
    return Combine(e.kind == Expr::Kind::kAnd ? NodeKind::kAnd : NodeKind::kOr, std::move(parts));
  }
  Leaf leaf;
  if (delimited) {
    leaf.target = Target::kToken;
  } else {
    leaf.target = Target::kPath;
    leaf.path = ToPath(e.selector);
  }
  LowerComparison(e.op, e.value, leaf);
  // A delimited field is always text; numbers in it compare numerically (delimited.h).
  if (delimited) leaf.operand.numeric_strings = true;
  return MakeLeaf(std::move(leaf));
}

bool UsesNotExists(const Expr& e) {
  if (e.kind == Expr::Kind::kCompare) return e.op == CompareOp::kNotExists;
  for (const auto& c : e.children) {
    if (UsesNotExists(*c)) return true;
  }
  return false;
}

NodePtr TextLeaf(Op op, std::vector<std::string> strings) {
  Leaf leaf;
  leaf.target = Target::kRawText;
  leaf.op = op;
  leaf.operand.strings = std::move(strings);
  return MakeLeaf(std::move(leaf));
}

bool IsBlankText(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// [doc]: plain terms are AND-ed substring tests, `-term` excludes, `?term` alternatives are
// OR-ed, and "if ? terms are mixed with any other term, every ? term is ignored". `" "` (any
// blank or empty phrase) matches all log events [doc]: it adds no condition.
NodePtr LowerTerms(const std::vector<Term>& terms) {
  bool only_optional = !terms.empty();
  for (const Term& t : terms) only_optional = only_optional && t.kind == Term::Kind::kOptional;
  if (only_optional) {
    std::vector<std::string> any;
    for (const Term& t : terms) {
      if (IsBlankText(t.text)) return MakeConst(true);
      any.push_back(t.text);
    }
    return TextLeaf(Op::kStrContains, std::move(any));
  }
  std::vector<NodePtr> parts;
  for (const Term& t : terms) {
    if (t.kind == Term::Kind::kOptional || IsBlankText(t.text)) continue;
    NodePtr leaf = TextLeaf(Op::kStrContains, {t.text});
    parts.push_back(t.kind == Term::Kind::kExcluded ? MakeNot(std::move(leaf)) : std::move(leaf));
  }
  if (parts.empty()) return MakeConst(true);
  return MakeAnd(std::move(parts));
}

NodePtr LowerDelimited(const std::vector<DelimitedFieldSpec>& specs) {
  auto pattern = std::make_unique<DelimitedPattern>();
  for (const DelimitedFieldSpec& spec : specs) {
    DelimitedField field;
    field.ellipsis = spec.ellipsis;
    field.name = spec.name;
    if (spec.condition) field.condition = LowerExpr(*spec.condition, /*delimited=*/true);
    pattern->fields.push_back(std::move(field));
  }
  auto node = std::make_unique<Node>();
  node->kind = NodeKind::kDelimited;
  node->delimited = std::move(pattern);
  return node;
}

constexpr std::string_view kErrorPrefix = "invalid filter pattern: ";
constexpr std::string_view kColumnMarker = " at column ";

}  // namespace

NodePtr LowerFilterPattern(const FilterPattern& pattern) {
  switch (pattern.kind) {
    case FilterPattern::Kind::kMatchAll:
      return MakeConst(true);
    case FilterPattern::Kind::kTerms:
      return LowerTerms(pattern.terms);
    case FilterPattern::Kind::kRegex: {
      Leaf leaf;
      leaf.target = Target::kRawText;
      leaf.op = Op::kRegex;
      leaf.operand.regexes.push_back(CompileRegex(pattern.regex));
      return MakeLeaf(std::move(leaf));
    }
    case FilterPattern::Kind::kJson: {
      NodePtr body = LowerExpr(*pattern.json, /*delimited=*/false);
      if (!UsesNotExists(*pattern.json)) return body;
      // NOT EXISTS is true on a missing path, and a non-JSON message has a missing root: require
      // a root so that such messages do not match [inferred, §1.2].
      Leaf root;
      root.op = Op::kPresent;
      std::vector<NodePtr> parts;
      parts.push_back(MakeLeaf(std::move(root)));
      parts.push_back(std::move(body));
      return Combine(NodeKind::kAnd, std::move(parts));
    }
    case FilterPattern::Kind::kDelimited:
      return LowerDelimited(pattern.fields);
  }
  return MakeConst(false);
}

Result<NodePtr> CompileFilterPattern(std::string_view text) {
  auto parsed = ParseFilterPattern(text);
  if (!parsed) {
    return Fail(ErrorCode::kInvalidArgument, RenderPatternError(text, parsed.error()));
  }
  return LowerFilterPattern(*parsed);
}

size_t ErrorColumn(const Error& error) {
  const std::string_view message = error.message;
  if (error.code != ErrorCode::kInvalidArgument || !message.starts_with(kErrorPrefix)) return 0;
  const std::string_view first_line = message.substr(0, message.find('\n'));
  const size_t at = first_line.rfind(kColumnMarker);
  if (at == std::string_view::npos) return 0;
  const std::string_view digits = first_line.substr(at + kColumnMarker.size());
  size_t column = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), column);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return column;
}

}  // namespace tw::match::cwl

#include "match/ir.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "common/strings.h"
#include "match/delimited.h"

namespace tw::match {

Operand::Operand() = default;
Operand::~Operand() = default;
Operand::Operand(Operand&&) noexcept = default;
Operand& Operand::operator=(Operand&&) noexcept = default;

Node::Node() = default;
Node::~Node() = default;
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(Node&&) noexcept = default;

NodePtr MakeConst(bool value) {
  auto n = std::make_unique<Node>();
  n->kind = value ? NodeKind::kTrue : NodeKind::kFalse;
  return n;
}

NodePtr MakeAnd(std::vector<NodePtr> children) {
  if (children.size() == 1) return std::move(children[0]);
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::kAnd;
  n->children = std::move(children);
  return n;
}

NodePtr MakeOr(std::vector<NodePtr> children) {
  if (children.size() == 1) return std::move(children[0]);
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::kOr;
  n->children = std::move(children);
  return n;
}

NodePtr MakeNot(NodePtr child) {
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::kNot;
  n->children.push_back(std::move(child));
  return n;
}

NodePtr MakeLeaf(Leaf leaf) {
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::kLeaf;
  n->leaf = std::make_unique<Leaf>(std::move(leaf));
  return n;
}

NodePtr MakeScope(Path path, NodePtr child) {
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::kScope;
  n->path = std::move(path);
  n->children.push_back(std::move(child));
  return n;
}

namespace {

const char* OpName(Op op) {
  switch (op) {
    case Op::kPresent:
      return "present";
    case Op::kNever:
      return "never";
    case Op::kAnyScalar:
      return "any_scalar";
    case Op::kStrEq:
      return "str_eq";
    case Op::kStrPrefix:
      return "prefix";
    case Op::kStrSuffix:
      return "suffix";
    case Op::kStrContains:
      return "contains";
    case Op::kStrEqFold:
      return "eq_fold";
    case Op::kPrefixFold:
      return "prefix_fold";
    case Op::kSuffixFold:
      return "suffix_fold";
    case Op::kWildcard:
      return "wildcard";
    case Op::kRegex:
      return "regex";
    case Op::kNumEq:
      return "num_eq";
    case Op::kNumRange:
      return "num_range";
    case Op::kIsNull:
      return "is_null";
    case Op::kIsTrue:
      return "is_true";
    case Op::kIsFalse:
      return "is_false";
    case Op::kCidr:
      return "cidr";
    case Op::kContainsFold:
      return "contains_fold";
    case Op::kFieldEq:
      return "field_eq";
  }
  return "?";
}

std::string ModeName(ArrayMode mode) {
  return mode == ArrayMode::kFlatten ? " flatten" : mode == ArrayMode::kDeep ? " deep" : " exact";
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

std::string DumpOperand(const Leaf& leaf) {
  const Operand& o = leaf.operand;
  std::vector<std::string> parts;
  for (const auto& s : o.strings) parts.push_back(Quote(s));
  for (double d : o.numbers) parts.push_back(fmt::format("{}", d));
  for (const auto& re : o.regexes) parts.push_back("%" + re->pattern() + "%");
  for (const auto& c : o.cidrs)
    parts.push_back(fmt::format("cidr/{}{}", c.v6 ? "v6/" : "", c.prefix_len));
  if (leaf.op == Op::kFieldEq) parts.push_back(PathToString(o.field));
  if (leaf.op == Op::kNumRange) {
    parts.push_back(fmt::format("{}{},{}{}", o.lo_inclusive ? "[" : "(", o.lo, o.hi,
                                o.hi_inclusive ? "]" : ")"));
  }
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ',';
    out += parts[i];
  }
  return out + "]";
}

void Dump(const Node& node, std::string& out) {
  switch (node.kind) {
    case NodeKind::kTrue:
      out += "true";
      return;
    case NodeKind::kFalse:
      out += "false";
      return;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
      out += node.kind == NodeKind::kAnd ? "and(" : node.kind == NodeKind::kOr ? "or(" : "not(";
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i) out += ',';
        Dump(*node.children[i], out);
      }
      out += ')';
      return;
    case NodeKind::kLeaf: {
      const Leaf& l = *node.leaf;
      out += "leaf(";
      if (l.target == Target::kRawText) {
        out += "text";
      } else if (l.target == Target::kToken) {
        out += "token";
      } else {
        out += PathToString(l.path);
        out += ModeName(l.path.mode);
      }
      out += ' ';
      if (l.negate) out += '!';
      out += OpName(l.op);
      if (l.op != Op::kPresent && l.op != Op::kNever && l.op != Op::kAnyScalar &&
          l.op != Op::kIsNull && l.op != Op::kIsTrue && l.op != Op::kIsFalse) {
        out += DumpOperand(l);
      }
      if (l.operand.numeric_strings) out += " numstr";
      if (l.on_missing) out += " missing=true";
      out += ')';
      return;
    }
    case NodeKind::kScope:
      out += "scope(" + PathToString(node.path) + ModeName(node.path.mode) + ",";
      Dump(*node.children[0], out);
      out += ')';
      return;
    case NodeKind::kDelimited:
      out += "delimited(";
      for (size_t i = 0; i < node.delimited->fields.size(); ++i) {
        const auto& f = node.delimited->fields[i];
        if (i) out += ',';
        if (f.ellipsis) {
          out += "...";
          continue;
        }
        out += f.name.empty() ? "_" : f.name;
        if (f.condition) {
          out += ':';
          Dump(*f.condition, out);
        }
      }
      out += ')';
      return;
  }
}

}  // namespace

std::string DumpIr(const Node& node) {
  std::string out;
  Dump(node, out);
  return out;
}

std::string PathToString(const Path& path) {
  std::string out = "$";
  for (const Step& s : path.steps) {
    switch (s.kind) {
      case StepKind::kKey: {
        bool plain = !s.key.empty();
        for (char c : s.key) {
          const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '-';
          plain = plain && ok;
        }
        out += plain ? "." + s.key : ".['" + s.key + "']";
        break;
      }
      case StepKind::kIndex:
        out += fmt::format("[{}]", s.index);
        break;
      case StepKind::kAnyIndex:
        out += "[*]";
        break;
      case StepKind::kAnyKey:
        out += ".*";
        break;
    }
  }
  return out;
}

}  // namespace tw::match

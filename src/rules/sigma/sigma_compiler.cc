#include "rules/sigma/sigma_compiler.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/strings.h"
#include "match/evaluator.h"
#include "rules/rule_spec.h"

namespace tw::rules::sigma {
namespace {

using match::Leaf;
using match::NodePtr;
using match::Op;

// Collects diagnostics; `quiet` while a search identifier is compiled again for a second
// reference in the condition (its errors were reported the first time).
struct Context {
  const SourceText& source;
  std::vector<Diagnostic>& diagnostics;
  bool quiet = false;
  bool failed = false;

  void Error(int line, int column, std::string message, std::string hint = {}) {
    failed = true;
    if (quiet) return;
    Diagnostic d;
    d.where = SourceLocation{std::string(source.file), line, column};
    d.message = std::move(message);
    d.excerpt = std::string(LineOf(source.text, line));
    d.caret_column = column;
    d.hint = std::move(hint);
    diagnostics.push_back(std::move(d));
  }
};

// ---------------------------------------------------------------------------------------------
// Values

// One piece of a Sigma string: literal text, `*` (any run of characters) or `?` (one).
struct Piece {
  enum class Kind : uint8_t { kLiteral, kStar, kOne };
  Kind kind = Kind::kLiteral;
  std::string text;  // kLiteral
};

// Splits a Sigma string into literals and wildcards. `\*`, `\?` and `\\` are the literal
// characters; a backslash before anything else is itself (Sigma specification, "Escaping").
std::vector<Piece> ParseWildcards(std::string_view s) {
  std::vector<Piece> out;
  auto literal = [&]() -> std::string& {
    if (out.empty() || out.back().kind != Piece::Kind::kLiteral) out.push_back({});
    return out.back().text;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      literal() += s[++i];
    } else if (c == '*') {
      if (out.empty() || out.back().kind != Piece::Kind::kStar)
        out.push_back({Piece::Kind::kStar, {}});
    } else if (c == '?') {
      out.push_back({Piece::Kind::kOne, {}});
    } else {
      literal() += c;
    }
  }
  return out;
}

Leaf PathLeaf(const match::Path& path, Op op) {
  Leaf leaf;
  leaf.path = path;
  leaf.op = op;
  return leaf;
}

NodePtr StringLeaf(const match::Path& path, Op op, std::string operand) {
  Leaf leaf = PathLeaf(path, op);
  leaf.operand.strings.push_back(std::move(operand));
  return match::MakeLeaf(std::move(leaf));
}

// The modifiers on one field, as parsed from `field|mod|mod`.
struct Modifiers {
  enum class Shape : uint8_t { kEquals, kContains, kStartsWith, kEndsWith };
  Shape shape = Shape::kEquals;
  bool all = false;
  bool re = false;
  std::string re_flags;  // of i, m, s
  bool cidr = false;
  bool exists = false;
  bool fieldref = false;
  bool cased = false;
  std::optional<Op> compare;  // lt, lte, gt, gte: kNumRange
  bool lo_or_hi_inclusive = false;
  bool is_lower_bound = false;  // gt, gte
};

// Lowers one string value with the shape modifiers applied. Case-insensitive unless `cased`.
NodePtr LowerString(const match::Path& path, std::string_view value, const Modifiers& mods) {
  std::vector<Piece> pieces = ParseWildcards(value);
  const Piece star{Piece::Kind::kStar, {}};
  using Shape = Modifiers::Shape;
  if (mods.shape == Shape::kContains || mods.shape == Shape::kEndsWith) {
    if (pieces.empty() || pieces.front().kind != Piece::Kind::kStar)
      pieces.insert(pieces.begin(), star);
  }
  if (mods.shape == Shape::kContains || mods.shape == Shape::kStartsWith) {
    if (pieces.empty() || pieces.back().kind != Piece::Kind::kStar) pieces.push_back(star);
  }
  const bool fold = !mods.cased;
  auto text = [&](const Piece& p) { return fold ? FoldCase(p.text) : p.text; };
  auto is = [&](size_t i, Piece::Kind k) { return i < pieces.size() && pieces[i].kind == k; };
  const size_t n = pieces.size();
  using K = Piece::Kind;
  if (n == 0 || (n == 1 && is(0, K::kLiteral))) {
    // Exact: a string equal to it, and a JSON scalar written the same way (CloudTrail records
    // `"enable": false` where rules say 'false').
    const std::string literal = n == 0 ? std::string() : pieces[0].text;
    std::vector<NodePtr> alts;
    alts.push_back(
        StringLeaf(path, fold ? Op::kStrEqFold : Op::kStrEq, fold ? FoldCase(literal) : literal));
    const std::string folded = FoldCase(literal);
    if ((fold ? folded : literal) == "true")
      alts.push_back(match::MakeLeaf(PathLeaf(path, Op::kIsTrue)));
    if ((fold ? folded : literal) == "false")
      alts.push_back(match::MakeLeaf(PathLeaf(path, Op::kIsFalse)));
    if (IsNumberText(literal)) {
      Leaf leaf = PathLeaf(path, Op::kNumEq);
      leaf.operand.numbers.push_back(std::strtod(literal.c_str(), nullptr));
      alts.push_back(match::MakeLeaf(std::move(leaf)));
    }
    return alts.size() == 1 ? std::move(alts[0]) : match::MakeOr(std::move(alts));
  }
  if (n == 1 && is(0, K::kStar)) {
    return StringLeaf(path, fold ? Op::kPrefixFold : Op::kStrPrefix, "");  // any string
  }
  if (n == 2 && is(0, K::kLiteral) && is(1, K::kStar)) {
    return StringLeaf(path, fold ? Op::kPrefixFold : Op::kStrPrefix, text(pieces[0]));
  }
  if (n == 2 && is(0, K::kStar) && is(1, K::kLiteral)) {
    return StringLeaf(path, fold ? Op::kSuffixFold : Op::kStrSuffix, text(pieces[1]));
  }
  if (n == 3 && is(0, K::kStar) && is(1, K::kLiteral) && is(2, K::kStar)) {
    return StringLeaf(path, fold ? Op::kContainsFold : Op::kStrContains, text(pieces[1]));
  }
  // Anything else: an anchored RE2 over the whole value.
  std::string re = fold ? "(?i)^" : "^";
  for (const Piece& p : pieces) {
    if (p.kind == K::kLiteral) re += RE2::QuoteMeta(p.text);
    if (p.kind == K::kStar) re += "(?s:.*)";
    if (p.kind == K::kOne) re += "(?s:.)";
  }
  re += "$";
  Leaf leaf = PathLeaf(path, Op::kRegex);
  RE2::Options options;
  options.set_log_errors(false);
  leaf.operand.regexes.push_back(std::make_unique<RE2>(re, options));
  return match::MakeLeaf(std::move(leaf));
}

// Plain scalars YAML 1.2's core schema reads as null or booleans.
bool IsYamlNull(const YamlNode& v) {
  return v.kind == YamlKind::kNull ||
         (v.IsPlainScalar() && (v.scalar == "null" || v.scalar == "Null" || v.scalar == "NULL" ||
                                v.scalar == "~" || v.scalar.empty()));
}
std::optional<bool> YamlBool(const YamlNode& v) {
  if (!v.IsPlainScalar()) return std::nullopt;
  if (v.scalar == "true" || v.scalar == "True" || v.scalar == "TRUE") return true;
  if (v.scalar == "false" || v.scalar == "False" || v.scalar == "FALSE") return false;
  return std::nullopt;
}

// Merges OR alternatives that are leaves with the same string op into one leaf with several
// operands (`eventName: [A, B]` becomes one eq_fold["a","b"] leaf, as the index likes it).
NodePtr MergeOr(std::vector<NodePtr> alts) {
  std::vector<NodePtr> out;
  std::map<Op, match::Node*> by_op;
  for (NodePtr& a : alts) {
    if (a->kind == match::NodeKind::kLeaf) {
      const Op op = a->leaf->op;
      const bool mergeable = op == Op::kStrEqFold || op == Op::kPrefixFold ||
                             op == Op::kSuffixFold || op == Op::kContainsFold || op == Op::kStrEq ||
                             op == Op::kStrPrefix || op == Op::kStrSuffix ||
                             op == Op::kStrContains || op == Op::kCidr;
      if (mergeable) {
        auto it = by_op.find(op);
        if (it != by_op.end()) {
          auto& dst = it->second->leaf->operand;
          auto& src = a->leaf->operand;
          dst.strings.insert(dst.strings.end(), src.strings.begin(), src.strings.end());
          dst.cidrs.insert(dst.cidrs.end(), src.cidrs.begin(), src.cidrs.end());
          continue;
        }
        by_op[op] = a.get();
      }
    }
    out.push_back(std::move(a));
  }
  return out.size() == 1 ? std::move(out[0]) : match::MakeOr(std::move(out));
}

// ---------------------------------------------------------------------------------------------
// Search identifiers

// The file column of byte `i` of a single-line scalar's value, or its start.
int ColumnOf(const YamlNode& node, std::string_view text, size_t i) {
  const std::vector<int> columns = ScalarColumns(node, text);
  if (i < columns.size()) return columns[i];
  return node.column;
}

const std::vector<std::string_view>& KnownModifiers() {
  static const std::vector<std::string_view> k = {
      "contains", "startswith", "endswith",     "all",     "re",      "i",     "m",    "s",
      "cidr",     "exists",     "fieldref",     "cased",   "lt",      "lte",   "gt",   "gte",
      "windash",  "base64",     "base64offset", "utf16le", "utf16be", "utf16", "wide", "expand"};
  return k;
}

struct FieldKey {
  match::Path path;
  Modifiers mods;
  bool ok = true;
};

FieldKey ParseFieldKey(const YamlNode& key, Context& ctx) {
  FieldKey out;
  const std::string& s = key.scalar;
  std::vector<std::pair<std::string_view, size_t>> parts;  // text, offset in s
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '|') {
      parts.emplace_back(std::string_view(s).substr(start, i - start), start);
      start = i + 1;
    }
  }
  const std::string_view field = parts[0].first;
  if (field.empty()) {
    ctx.Error(key.line, key.column,
              fmt::format("`{}`: keyword searches (modifiers without a field name) are not "
                          "supported",
                          s),
              "name the CloudTrail field, e.g. `eventName|contains: Delete`");
    out.ok = false;
    return out;
  }
  out.path.mode = match::ArrayMode::kDeep;
  size_t seg = 0;
  for (size_t i = 0; i <= field.size(); ++i) {
    if (i == field.size() || field[i] == '.') {
      if (i == seg) {
        ctx.Error(key.line, ColumnOf(key, ctx.source.text, i),
                  fmt::format("field name `{}` has an empty part", field),
                  "write dotted paths such as `requestParameters.bucketName`");
        out.ok = false;
        return out;
      }
      match::Step step;
      step.key = std::string(field.substr(seg, i - seg));
      out.path.steps.push_back(std::move(step));
      seg = i + 1;
    }
  }
  Modifiers& m = out.mods;
  std::string shape_name;
  for (size_t p = 1; p < parts.size(); ++p) {
    const std::string_view mod = parts[p].first;
    const int col = ColumnOf(key, ctx.source.text, parts[p].second);
    auto conflict = [&](std::string_view other) {
      ctx.Error(key.line, col,
                fmt::format("modifier `{}` cannot be combined with `{}`", mod, other));
      out.ok = false;
    };
    if (mod == "contains" || mod == "startswith" || mod == "endswith") {
      if (!shape_name.empty()) {
        conflict(shape_name);
        continue;
      }
      shape_name = std::string(mod);
      m.shape = mod == "contains"     ? Modifiers::Shape::kContains
                : mod == "startswith" ? Modifiers::Shape::kStartsWith
                                      : Modifiers::Shape::kEndsWith;
    } else if (mod == "all") {
      m.all = true;
    } else if (mod == "re") {
      m.re = true;
    } else if (mod == "i" || mod == "m" || mod == "s") {
      if (!m.re) {
        ctx.Error(key.line, col, fmt::format("modifier `{}` applies only after `re`", mod),
                  fmt::format("write `field|re|{}`", mod));
        out.ok = false;
        continue;
      }
      m.re_flags += mod;
    } else if (mod == "cidr") {
      m.cidr = true;
    } else if (mod == "exists") {
      m.exists = true;
    } else if (mod == "fieldref") {
      m.fieldref = true;
    } else if (mod == "cased") {
      m.cased = true;
    } else if (mod == "lt" || mod == "lte" || mod == "gt" || mod == "gte") {
      m.compare = Op::kNumRange;
      m.is_lower_bound = mod[0] == 'g';
      m.lo_or_hi_inclusive = mod.size() == 3;
    } else if (mod == "windash") {
      ctx.Error(key.line, col,
                "modifier `windash` is not meaningful for CloudTrail: it rewrites Windows "
                "command-line dashes",
                "write the values you expect in the CloudTrail field instead");
      out.ok = false;
    } else if (mod == "base64" || mod == "base64offset" || mod == "utf16le" || mod == "utf16be" ||
               mod == "utf16" || mod == "wide" || mod == "expand") {
      ctx.Error(key.line, col, fmt::format("modifier `{}` is not supported", mod),
                "trailwatch supports contains, startswith, endswith, all, re, cidr, exists, "
                "fieldref, cased, lt, lte, gt, gte (docs/sigma.md)");
      out.ok = false;
    } else {
      const std::string_view near = ClosestMatch(mod, KnownModifiers());
      ctx.Error(key.line, col, fmt::format("unknown modifier `{}`", mod),
                near.empty() ? std::string("see docs/sigma.md for the supported modifiers")
                             : fmt::format("did you mean `{}`?", near));
      out.ok = false;
    }
  }
  // Modifiers that replace string matching take no shape modifier.
  const char* special = m.re         ? "re"
                        : m.cidr     ? "cidr"
                        : m.exists   ? "exists"
                        : m.fieldref ? "fieldref"
                        : m.compare  ? "lt/lte/gt/gte"
                                     : nullptr;
  const int specials =
      int(m.re) + int(m.cidr) + int(m.exists) + int(m.fieldref) + int(m.compare.has_value());
  if (out.ok && specials > 1) {
    ctx.Error(key.line, key.column,
              fmt::format("`{}`: the modifiers re, cidr, exists, fieldref and lt/lte/gt/gte "
                          "cannot be combined",
                          s));
    out.ok = false;
  } else if (out.ok && special != nullptr && !shape_name.empty()) {
    ctx.Error(
        key.line, key.column,
        fmt::format("`{}`: modifier `{}` cannot be combined with `{}`", s, special, shape_name));
    out.ok = false;
  }
  return out;
}

// Lowers one value of a field. Null when the value was reported.
NodePtr LowerValue(const FieldKey& fk, const YamlNode& key, const YamlNode& v, Context& ctx) {
  const Modifiers& m = fk.mods;
  const int line = v.line > 0 ? v.line : key.line;
  const int column = v.line > 0 ? v.column : key.column;
  if (v.kind != YamlKind::kScalar && v.kind != YamlKind::kNull) {
    ctx.Error(line, column,
              "a field's value must be a scalar or a list of scalars, not a nested "
              "mapping or list");
    return nullptr;
  }
  if (m.exists) {
    const std::optional<bool> b = YamlBool(v);
    if (!b) {
      ctx.Error(line, column, "`exists` takes true or false");
      return nullptr;
    }
    NodePtr present = match::MakeLeaf(PathLeaf(fk.path, Op::kPresent));
    return *b ? std::move(present) : match::MakeNot(std::move(present));
  }
  if (IsYamlNull(v)) {
    if (m.re || m.cidr || m.fieldref || m.compare || m.shape != Modifiers::Shape::kEquals) {
      ctx.Error(line, column, "null can only be compared for equality",
                "`field: null` matches a field that is absent or null");
      return nullptr;
    }
    Leaf leaf = PathLeaf(fk.path, Op::kIsNull);
    leaf.on_missing = true;
    return match::MakeLeaf(std::move(leaf));
  }
  const std::string& s = v.scalar;
  if (m.fieldref) {
    match::Path other;
    other.mode = match::ArrayMode::kDeep;
    size_t seg = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '.') {
        if (i == seg) {
          ctx.Error(line, column, fmt::format("fieldref `{}` is not a field name", s));
          return nullptr;
        }
        match::Step step;
        step.key = s.substr(seg, i - seg);
        other.steps.push_back(std::move(step));
        seg = i + 1;
      }
    }
    Leaf leaf = PathLeaf(fk.path, Op::kFieldEq);
    leaf.operand.field = std::move(other);
    return match::MakeLeaf(std::move(leaf));
  }
  if (m.cidr) {
    match::CidrBlock block;
    if (!match::ParseCidr(s, &block)) {
      ctx.Error(line, column, fmt::format("`{}` is not a CIDR block", s),
                "write an IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32");
      return nullptr;
    }
    Leaf leaf = PathLeaf(fk.path, Op::kCidr);
    leaf.operand.cidrs.push_back(block);
    return match::MakeLeaf(std::move(leaf));
  }
  if (m.re) {
    std::string pattern = s;
    if (!m.re_flags.empty()) pattern = "(?" + m.re_flags + ")" + pattern;
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(pattern, options);
    if (!re->ok()) {
      ctx.Error(line, column, fmt::format("invalid regular expression: {}", re->error()),
                "Sigma `re` values are RE2 syntax here (no lookaround, no backreferences)");
      return nullptr;
    }
    Leaf leaf = PathLeaf(fk.path, Op::kRegex);
    leaf.operand.regexes.push_back(std::move(re));
    return match::MakeLeaf(std::move(leaf));
  }
  if (m.compare) {
    if (!v.IsPlainScalar() || !IsNumberText(s)) {
      ctx.Error(line, column, fmt::format("`{}` is not a number", s),
                "lt, lte, gt and gte compare numbers");
      return nullptr;
    }
    Leaf leaf = PathLeaf(fk.path, Op::kNumRange);
    const double x = std::strtod(s.c_str(), nullptr);
    if (m.is_lower_bound) {
      leaf.operand.lo = x;
      leaf.operand.lo_inclusive = m.lo_or_hi_inclusive;
    } else {
      leaf.operand.hi = x;
      leaf.operand.hi_inclusive = m.lo_or_hi_inclusive;
    }
    leaf.operand.numeric_strings = true;
    return match::MakeLeaf(std::move(leaf));
  }
  if (m.shape == Modifiers::Shape::kEquals && v.IsPlainScalar()) {
    if (const std::optional<bool> b = YamlBool(v)) {
      std::vector<NodePtr> alts;
      alts.push_back(match::MakeLeaf(PathLeaf(fk.path, *b ? Op::kIsTrue : Op::kIsFalse)));
      alts.push_back(StringLeaf(fk.path, Op::kStrEqFold, *b ? "true" : "false"));
      return match::MakeOr(std::move(alts));
    }
  }
  return LowerString(fk.path, s, m);
}

// Lowers `field|mods: value(s)`. Null when reported.
NodePtr LowerField(const YamlNode& key, const YamlNode& value, Context& ctx) {
  if (!key.IsScalar()) {
    ctx.Error(key.line, key.column, "a field name must be a string");
    return nullptr;
  }
  FieldKey fk = ParseFieldKey(key, ctx);
  if (!fk.ok) return nullptr;
  std::vector<const YamlNode*> values;
  if (value.kind == YamlKind::kSequence) {
    for (const YamlNode& item : value.items) values.push_back(&item);
    if (values.empty()) {
      ctx.Error(key.line, key.column,
                fmt::format("`{}` has an empty list of values, which matches nothing", key.scalar));
      return nullptr;
    }
  } else {
    values.push_back(&value);
  }
  if (fk.mods.exists && values.size() > 1) {
    ctx.Error(key.line, key.column, "`exists` takes one value, true or false");
    return nullptr;
  }
  std::vector<NodePtr> alts;
  bool ok = true;
  for (const YamlNode* v : values) {
    NodePtr n = LowerValue(fk, key, *v, ctx);
    if (n == nullptr) {
      ok = false;
      continue;
    }
    alts.push_back(std::move(n));
  }
  if (!ok) return nullptr;
  if (alts.size() == 1) return std::move(alts[0]);
  return fk.mods.all ? match::MakeAnd(std::move(alts)) : MergeOr(std::move(alts));
}

NodePtr LowerMap(const YamlNode& map, Context& ctx) {
  std::vector<NodePtr> all;
  bool ok = true;
  for (const auto& [key, value] : map.members) {
    NodePtr n = LowerField(key, value, ctx);
    if (n == nullptr) {
      ok = false;
      continue;
    }
    all.push_back(std::move(n));
  }
  if (!ok) return nullptr;
  if (all.empty()) {
    ctx.Error(map.line, map.column, "an empty selection matches every event",
              "name at least one field");
    return nullptr;
  }
  return all.size() == 1 ? std::move(all[0]) : match::MakeAnd(std::move(all));
}

// A search identifier's value: a mapping (AND) or a list of mappings (OR).
NodePtr LowerSearch(const YamlNode& name, const YamlNode& value, Context& ctx) {
  if (value.kind == YamlKind::kMapping) return LowerMap(value, ctx);
  if (value.kind == YamlKind::kSequence) {
    std::vector<NodePtr> any;
    bool ok = true;
    for (const YamlNode& item : value.items) {
      if (item.kind != YamlKind::kMapping) {
        const int line = item.line > 0 ? item.line : name.line;
        const int column = item.line > 0 ? item.column : name.column;
        ctx.Error(line, column,
                  fmt::format("search identifier `{}`: keyword searches (plain values without a "
                              "field) are not supported",
                              name.scalar),
                  "name the CloudTrail field, e.g. `userAgent|contains: TruffleHog`");
        ok = false;
        continue;
      }
      NodePtr n = LowerMap(item, ctx);
      if (n == nullptr) {
        ok = false;
        continue;
      }
      any.push_back(std::move(n));
    }
    if (!ok) return nullptr;
    if (any.empty()) {
      ctx.Error(name.line, name.column,
                fmt::format("search identifier `{}` is an empty list", name.scalar));
      return nullptr;
    }
    return any.size() == 1 ? std::move(any[0]) : match::MakeOr(std::move(any));
  }
  ctx.Error(name.line, name.column,
            fmt::format("search identifier `{}`: keyword searches (plain values without a "
                        "field) are not supported",
                        name.scalar),
            "write a mapping of fields to values, or a list of such mappings");
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Conditions

struct Token {
  enum class Kind : uint8_t { kWord, kOpen, kClose, kPipe, kEnd };
  Kind kind = Kind::kEnd;
  std::string_view text;
  size_t offset = 0;
};

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '(' || c == ')' || c == '|') {
      out.push_back({c == '('   ? Token::Kind::kOpen
                     : c == ')' ? Token::Kind::kClose
                                : Token::Kind::kPipe,
                     s.substr(i, 1), i});
      ++i;
    } else {
      size_t j = i;
      while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' &&
             s[j] != '(' && s[j] != ')' && s[j] != '|') {
        ++j;
      }
      out.push_back({Token::Kind::kWord, s.substr(i, j - i), i});
      i = j;
    }
  }
  out.push_back({Token::Kind::kEnd, {}, s.size()});
  return out;
}

// `*` only, as Sigma uses in `1 of selection_*`.
bool NameMatches(std::string_view pattern, std::string_view name) {
  return match::WildcardMatch(pattern, name);
}

class ConditionParser {
 public:
  ConditionParser(const YamlNode& node, const YamlNode& detection, Context& ctx)
      : node_(node), detection_(detection), ctx_(ctx), tokens_(Tokenize(node.scalar)) {}

  NodePtr Parse() {
    NodePtr n = Or(0);
    if (n == nullptr) return nullptr;
    if (Peek().kind == Token::Kind::kPipe) {
      Error(Peek(), "aggregations (`| count() ...`) are not supported",
            "Sigma correlation and aggregation need a window; use trailwatch's threshold "
            "alerting instead");
      return nullptr;
    }
    if (Peek().kind != Token::Kind::kEnd) {
      Error(Peek(), fmt::format("unexpected `{}` in condition", Peek().text),
            "join search identifiers with and, or, not and parentheses");
      return nullptr;
    }
    return n;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool IsWord(std::string_view w) const {
    return Peek().kind == Token::Kind::kWord && Peek().text == w;
  }

  void Error(const Token& t, std::string message, std::string hint = {}) {
    ctx_.Error(node_.line, ColumnOf(node_, ctx_.source.text, t.offset), std::move(message),
               std::move(hint));
  }

  NodePtr Or(int depth) {
    if (depth > kMaxConditionDepth) {
      Error(Peek(), "condition nested too deeply");
      return nullptr;
    }
    std::vector<NodePtr> any;
    NodePtr first = And(depth);
    if (first == nullptr) return nullptr;
    any.push_back(std::move(first));
    while (IsWord("or")) {
      ++pos_;
      NodePtr n = And(depth);
      if (n == nullptr) return nullptr;
      any.push_back(std::move(n));
    }
    return any.size() == 1 ? std::move(any[0]) : match::MakeOr(std::move(any));
  }

  NodePtr And(int depth) {
    std::vector<NodePtr> all;
    NodePtr first = Not(depth);
    if (first == nullptr) return nullptr;
    all.push_back(std::move(first));
    while (IsWord("and")) {
      ++pos_;
      NodePtr n = Not(depth);
      if (n == nullptr) return nullptr;
      all.push_back(std::move(n));
    }
    return all.size() == 1 ? std::move(all[0]) : match::MakeAnd(std::move(all));
  }

  NodePtr Not(int depth) {
    if (IsWord("not")) {
      ++pos_;
      if (depth > kMaxConditionDepth) {
        Error(Peek(), "condition nested too deeply");
        return nullptr;
      }
      NodePtr n = Not(depth + 1);
      return n == nullptr ? nullptr : match::MakeNot(std::move(n));
    }
    return Primary(depth);
  }

  NodePtr Primary(int depth) {
    const Token t = Peek();
    if (t.kind == Token::Kind::kOpen) {
      ++pos_;
      NodePtr n = Or(depth + 1);
      if (n == nullptr) return nullptr;
      if (Peek().kind != Token::Kind::kClose) {
        Error(Peek(), "missing `)` in condition",
              fmt::format("the `(` at column {} is not closed",
                          ColumnOf(node_, ctx_.source.text, t.offset)));
        return nullptr;
      }
      ++pos_;
      return n;
    }
    if (t.kind != Token::Kind::kWord) {
      Error(t,
            t.kind == Token::Kind::kEnd ? std::string("condition ends too early")
                                        : fmt::format("unexpected `{}` in condition", t.text),
            "expected a search identifier, `not`, `(`, `1 of` or `all of`");
      return nullptr;
    }
    if (t.text == "and" || t.text == "or") {
      Error(t, fmt::format("unexpected `{}` in condition", t.text),
            "expected a search identifier, `not`, `(`, `1 of` or `all of`");
      return nullptr;
    }
    ++pos_;
    if (IsWord("of")) {
      ++pos_;
      return Quantified(t);
    }
    return Reference(t);
  }

  // `1 of X`, `all of X`, where X is `them`, a name or a name pattern with `*`.
  NodePtr Quantified(const Token& quantifier) {
    const bool all = quantifier.text == "all";
    if (!all && quantifier.text != "1") {
      Error(quantifier, fmt::format("`{} of` is not supported", quantifier.text),
            "Sigma conditions take `1 of` or `all of`");
      return nullptr;
    }
    const Token target = Peek();
    if (target.kind != Token::Kind::kWord) {
      Error(target,
            fmt::format("`{} of` needs `them` or a search identifier pattern", quantifier.text));
      return nullptr;
    }
    ++pos_;
    std::vector<NodePtr> parts;
    for (const auto& [name, value] : detection_.members) {
      if (!name.IsScalar() || name.scalar == "condition") continue;
      const bool hit = target.text == "them" ? name.scalar.substr(0, 1) != "_"
                                             : NameMatches(target.text, name.scalar);
      if (!hit) continue;
      NodePtr n = Compile(name, value);
      if (n == nullptr) return nullptr;
      parts.push_back(std::move(n));
    }
    if (parts.empty()) {
      Error(target,
            fmt::format("`{} of {}` names no search identifier of this detection", quantifier.text,
                        target.text),
            "search identifiers are the keys of `detection` other than `condition`");
      return nullptr;
    }
    if (parts.size() == 1) return std::move(parts[0]);
    return all ? match::MakeAnd(std::move(parts)) : match::MakeOr(std::move(parts));
  }

  NodePtr Reference(const Token& t) {
    for (const auto& [name, value] : detection_.members) {
      if (name.IsScalar() && name.scalar == t.text && name.scalar != "condition") {
        return Compile(name, value);
      }
    }
    std::vector<std::string_view> names;
    for (const auto& member : detection_.members) {
      if (member.first.IsScalar() && member.first.scalar != "condition") {
        names.push_back(member.first.scalar);
      }
    }
    const std::string_view near = ClosestMatch(t.text, names);
    Error(t,
          fmt::format("condition names `{}`, which is not a search identifier of this "
                      "detection",
                      t.text),
          near.empty() ? std::string("search identifiers are the keys of `detection`")
                       : fmt::format("did you mean `{}`?", near));
    return nullptr;
  }

  // Compiles a search identifier again for this reference; its own errors were reported when
  // every identifier was compiled up front.
  NodePtr Compile(const YamlNode& name, const YamlNode& value) {
    const bool quiet = ctx_.quiet;
    ctx_.quiet = true;
    NodePtr n = LowerSearch(name, value, ctx_);
    ctx_.quiet = quiet;
    return n;
  }

  const YamlNode& node_;
  const YamlNode& detection_;
  Context& ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

match::NodePtr CompileDetection(const YamlNode& key, const YamlNode& detection,
                                const SourceText& source, std::vector<Diagnostic>& diagnostics) {
  Context ctx{source, diagnostics};
  if (detection.kind != YamlKind::kMapping) {
    ctx.Error(key.line, key.column,
              "`detection` must be a mapping of search identifiers and a "
              "`condition`");
    return nullptr;
  }
  const YamlNode* condition = nullptr;
  const YamlNode* condition_key = nullptr;
  bool ok = true;
  for (const auto& [name, value] : detection.members) {
    if (!name.IsScalar()) {
      ctx.Error(name.line, name.column, "search identifiers must be strings");
      ok = false;
      continue;
    }
    if (name.scalar == "condition") {
      condition = &value;
      condition_key = &name;
      continue;
    }
    if (name.scalar == "timeframe") {
      ctx.Error(name.line, name.column, "`timeframe` is not supported",
                "Sigma aggregation over a time window has no equivalent here; use trailwatch's "
                "threshold alerting");
      ok = false;
      continue;
    }
    if (LowerSearch(name, value, ctx) == nullptr) ok = false;
  }
  if (condition == nullptr) {
    ctx.Error(key.line, key.column, "`detection` has no `condition`",
              "add e.g. `condition: selection`");
    return nullptr;
  }
  std::vector<const YamlNode*> conditions;
  if (condition->kind == YamlKind::kSequence) {
    for (const YamlNode& item : condition->items) conditions.push_back(&item);
  } else {
    conditions.push_back(condition);
  }
  std::vector<NodePtr> any;
  for (const YamlNode* c : conditions) {
    if (!c->IsScalar() || c->scalar.empty()) {
      const int line = c->line > 0 ? c->line : condition_key->line;
      const int column = c->line > 0 ? c->column : condition_key->column;
      ctx.Error(line, column, "a condition must be a non-empty string");
      ok = false;
      continue;
    }
    if (c->scalar.size() > kMaxConditionBytes) {
      ctx.Error(c->line, c->column,
                fmt::format("condition longer than {} bytes", kMaxConditionBytes));
      ok = false;
      continue;
    }
    ConditionParser parser(*c, detection, ctx);
    NodePtr n = parser.Parse();
    if (n == nullptr) {
      ok = false;
      continue;
    }
    any.push_back(std::move(n));
  }
  if (!ok || ctx.failed) return nullptr;
  return any.size() == 1 ? std::move(any[0]) : match::MakeOr(std::move(any));
}

}  // namespace tw::rules::sigma

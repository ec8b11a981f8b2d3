// Straight from the spec, one rule at a time; see cwl_reference.h.
#include "match/reference/cwl_reference.h"

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "match/reference/cwl_reference_parser.h"
#include "match/reference/json_tree.h"

namespace tw::match::reference {
namespace {

using cwl_ref::RefExpr;
using cwl_ref::RefField;
using cwl_ref::RefOp;
using cwl_ref::RefPattern;
using cwl_ref::RefStep;
using cwl_ref::RefTerm;
using cwl_ref::RefValue;

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool OnlyBlanks(const std::string& s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// The CloudWatch regex as ECMAScript. The two dialects agree on the documented subset except
// for braces: `{,n}` (an omitted lower bound) is `{0,n}` here, and a brace that does not make a
// repetition `{m}`, `{m,}`, `{m,n}`, `{,n}` is a literal (docs/cwl-filter-patterns.md), which
// ECMAScript spells `\{`.
std::string ToEcmaScript(const std::string& source) {
  std::string out;
  auto digits_at = [&](size_t k) {
    size_t e = k;
    while (e < source.size() && source[e] >= '0' && source[e] <= '9') ++e;
    return e;
  };
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\\' && i + 1 < source.size()) {
      out += source.substr(i, 2);
      ++i;
      continue;
    }
    if (source[i] == '{') {
      const size_t lo = digits_at(i + 1);
      size_t end = lo;
      bool has_lo = lo > i + 1, has_hi = false;
      if (end < source.size() && source[end] == ',') {
        const size_t hi = digits_at(end + 1);
        has_hi = hi > end + 1;
        end = hi;
      }
      if (end < source.size() && source[end] == '}' && (has_lo || has_hi)) {
        out += has_lo ? source.substr(i, end - i + 1) : "{0" + source.substr(i + 1, end - i);
        i = end;
        continue;
      }
      out += "\\{";
      continue;
    }
    if (source[i] == '}') {
      out += "\\}";
      continue;
    }
    out += source[i];
  }
  return out;
}

// std::regex reports errors by throwing; this is the one place that catches them. The parser has
// accepted the regex, so a throw here is a disagreement worth stopping for.
bool RegexSearch(const std::string& source, std::string_view text) {
  try {
    const std::regex re(ToEcmaScript(source), std::regex::ECMAScript);
    return std::regex_search(text.begin(), text.end(), re);
  } catch (const std::regex_error& e) {
    std::fprintf(stderr, "reference: std::regex rejects %%%s%%: %s\n", source.c_str(), e.what());
    std::abort();
  }
}

// True when std::regex compiles the regex: the reference parser checks the dialect's
// characters only, and leaves the structure (balanced [ ], repetitions) to std::regex.
bool RegexCompiles(const std::string& source) {
  try {
    const std::regex re(ToEcmaScript(source), std::regex::ECMAScript);
    return true;
  } catch (const std::regex_error&) {
    return false;
  }
}

// A string that is written as a number: [+-]? digits (. digits)? ([eE] [+-]? digits)?
bool NumberFromString(const std::string& s, double* out) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  if (i != s.size()) return false;
  *out = std::strtod(s.c_str(), nullptr);
  return true;
}

// A value seen by a comparison: a JSON scalar, or the text of a delimited field.
struct Scalar {
  enum class Type { kString, kNumber, kBool, kNull };
  Type type = Type::kString;
  std::string string;
  double number = 0;
  bool boolean = false;
};

bool NumericValue(const Scalar& v, double* out) {
  if (v.type == Scalar::Type::kNumber) {
    *out = v.number;
    return true;
  }
  return v.type == Scalar::Type::kString && NumberFromString(v.string, out);
}

// `=` for one value, per docs/pattern-languages.md §1.5.
bool Equals(const Scalar& v, const RefValue& value) {
  if (value.kind == RefValue::Kind::kNumber) {
    double n;
    return NumericValue(v, &n) && n == value.number;
  }
  if (value.kind == RefValue::Kind::kRegex) {
    return v.type == Scalar::Type::kString && RegexSearch(value.text, v.string);
  }
  const std::string& p = value.text;
  if (!p.empty() && p.find_first_not_of('*') == std::string::npos) return true;  // any value
  if (v.type != Scalar::Type::kString) return false;
  const std::string& s = v.string;
  size_t a = 0;
  while (a < p.size() && p[a] == '*') ++a;
  size_t b = p.size();
  while (b > a && p[b - 1] == '*') --b;
  const std::string core = p.substr(a, b - a);
  const bool star_front = a > 0;
  const bool star_back = b < p.size();
  if (star_front && star_back) return Contains(s, core);
  if (star_front)
    return s.size() >= core.size() && s.compare(s.size() - core.size(), core.size(), core) == 0;
  if (star_back) return s.compare(0, core.size(), core) == 0;
  return s == p;
}

bool Compare(const Scalar& v, RefOp op, const RefValue& value) {
  double n;
  switch (op) {
    case RefOp::kEq:
      return Equals(v, value);
    case RefOp::kNe:
      return !Equals(v, value);
    case RefOp::kLt:
      return NumericValue(v, &n) && n < value.number;
    case RefOp::kGt:
      return NumericValue(v, &n) && n > value.number;
    case RefOp::kLe:
      return NumericValue(v, &n) && n <= value.number;
    case RefOp::kGe:
      return NumericValue(v, &n) && n >= value.number;
    case RefOp::kIsNull:
      return v.type == Scalar::Type::kNull;
    case RefOp::kIsTrue:
      return v.type == Scalar::Type::kBool && v.boolean;
    case RefOp::kIsFalse:
      return v.type == Scalar::Type::kBool && !v.boolean;
    case RefOp::kNotExists:
      return false;
  }
  return false;
}

// ---- JSON patterns

void Select(const JsonValue& node, const std::vector<RefStep>& steps, size_t i,
            std::vector<const JsonValue*>& out) {
  if (i == steps.size()) {
    out.push_back(&node);
    return;
  }
  const RefStep& step = steps[i];
  switch (step.kind) {
    case RefStep::Kind::kKey:
      if (node.kind == JsonValue::Kind::kObject) {
        if (const JsonValue* child = node.Find(step.key)) Select(*child, steps, i + 1, out);
      }
      return;
    case RefStep::Kind::kIndex:
      if (node.kind == JsonValue::Kind::kArray && step.index < node.array.size()) {
        Select(node.array[step.index], steps, i + 1, out);
      }
      return;
    case RefStep::Kind::kAnyElement:
      if (node.kind == JsonValue::Kind::kArray) {
        for (const JsonValue& e : node.array) Select(e, steps, i + 1, out);
      }
      return;
    case RefStep::Kind::kAnyMember:
      if (node.kind == JsonValue::Kind::kObject) {
        for (const auto& member : node.members) {
          // A repeated key is one member, its first occurrence (docs/json-input.md).
          if (node.Find(member.first) != &member.second) continue;
          Select(member.second, steps, i + 1, out);
        }
      }
      return;
  }
}

bool ToScalar(const JsonValue& v, Scalar* out) {
  switch (v.kind) {
    case JsonValue::Kind::kNull:
      out->type = Scalar::Type::kNull;
      return true;
    case JsonValue::Kind::kBool:
      out->type = Scalar::Type::kBool;
      out->boolean = v.boolean;
      return true;
    case JsonValue::Kind::kNumber:
      out->type = Scalar::Type::kNumber;
      out->number = v.number;
      return true;
    case JsonValue::Kind::kString:
      out->type = Scalar::Type::kString;
      out->string = v.string;
      return true;
    default:
      return false;  // a selector that ends on an array or object matches nothing [doc-2020]
  }
}

bool EvalJson(const RefExpr& e, const JsonValue& root) {
  switch (e.kind) {
    case RefExpr::Kind::kAll:
      for (const auto& c : e.operands) {
        if (!EvalJson(c, root)) return false;
      }
      return true;
    case RefExpr::Kind::kAny:
      for (const auto& c : e.operands) {
        if (EvalJson(c, root)) return true;
      }
      return false;
    case RefExpr::Kind::kTest:
      break;
  }
  std::vector<const JsonValue*> nodes;
  Select(root, e.path, 0, nodes);
  if (e.op == RefOp::kNotExists) return nodes.empty();
  for (const JsonValue* n : nodes) {
    Scalar v;
    if (ToScalar(*n, &v) && Compare(v, e.op, e.value)) return true;
  }
  return false;  // also when the field is missing, `!=` included
}

// ---- Space-delimited patterns

struct Field {
  size_t begin;  // offsets of the field's text in the message, delimiters excluded
  size_t end;
};

std::vector<Field> Fields(std::string_view m) {
  std::vector<Field> out;
  size_t i = 0;
  auto blank = [&](size_t k) {
    return m[k] == ' ' || m[k] == '\t' || m[k] == '\r' || m[k] == '\n';
  };
  while (true) {
    while (i < m.size() && blank(i)) ++i;
    if (i >= m.size()) return out;
    if (m[i] == '[' || m[i] == '"') {
      const char close = m[i] == '[' ? ']' : '"';
      size_t j = i + 1;
      while (j < m.size() && m[j] != close) ++j;
      out.push_back(Field{i + 1, j});
      i = j + 1;
    } else {
      size_t j = i;
      while (j < m.size() && !blank(j)) ++j;
      out.push_back(Field{i, j});
      i = j;
    }
  }
}

bool EvalCondition(const RefExpr& e, const std::string& text) {
  switch (e.kind) {
    case RefExpr::Kind::kAll:
      for (const auto& c : e.operands) {
        if (!EvalCondition(c, text)) return false;
      }
      return true;
    case RefExpr::Kind::kAny:
      for (const auto& c : e.operands) {
        if (EvalCondition(c, text)) return true;
      }
      return false;
    case RefExpr::Kind::kTest:
      break;
  }
  Scalar v;
  v.string = text;
  return Compare(v, e.op, e.value);
}

// Pattern fields from `p` on against message fields from `f` on, by plain backtracking.
bool MatchFields(const std::vector<RefField>& specs, size_t p, const std::vector<Field>& fields,
                 size_t f, std::string_view message) {
  if (p == specs.size()) return f == fields.size();
  const RefField& spec = specs[p];
  if (spec.ellipsis) {
    for (size_t k = f; k <= fields.size(); ++k) {
      if (MatchFields(specs, p + 1, fields, k, message)) return true;
    }
    return false;
  }
  if (f >= fields.size()) return false;
  if (p + 1 == specs.size()) {
    // The last field takes everything that is left.
    const std::string text(message.substr(fields[f].begin, fields.back().end - fields[f].begin));
    return !spec.has_condition || EvalCondition(spec.condition, text);
  }
  const std::string text(message.substr(fields[f].begin, fields[f].end - fields[f].begin));
  if (spec.has_condition && !EvalCondition(spec.condition, text)) return false;
  return MatchFields(specs, p + 1, fields, f + 1, message);
}

// ---- Terms

bool MatchTerms(const std::vector<RefTerm>& terms, std::string_view message) {
  bool any_plain = false;
  for (const RefTerm& t : terms) any_plain = any_plain || t.mode != RefTerm::Mode::kOptional;
  if (!any_plain) {
    for (const RefTerm& t : terms) {
      if (OnlyBlanks(t.text) || Contains(message, t.text)) return true;
    }
    return terms.empty();
  }
  for (const RefTerm& t : terms) {
    if (t.mode == RefTerm::Mode::kOptional || OnlyBlanks(t.text)) continue;  // ignored / all
    const bool found = Contains(message, t.text);
    if (t.mode == RefTerm::Mode::kRequired && !found) return false;
    if (t.mode == RefTerm::Mode::kExcluded && found) return false;
  }
  return true;
}

// Every regex of an expression compiles under std::regex.
bool RegexesCompile(const RefExpr& e) {
  if (e.kind != RefExpr::Kind::kTest) {
    for (const auto& c : e.operands) {
      if (!RegexesCompile(c)) return false;
    }
    return true;
  }
  return e.value.kind != RefValue::Kind::kRegex || RegexCompiles(e.value.text);
}

}  // namespace

Result<bool> ReferenceMatchFilterPattern(std::string_view pattern_text, std::string_view message) {
  auto parsed = cwl_ref::ParseReferencePattern(pattern_text);
  if (!parsed) return tl::unexpected(parsed.error());
  const RefPattern& pattern = *parsed;
  bool regexes_compile = true;
  if (pattern.shape == RefPattern::Shape::kRegex) regexes_compile = RegexCompiles(pattern.regex);
  if (pattern.shape == RefPattern::Shape::kJson) regexes_compile = RegexesCompile(pattern.json);
  for (const RefField& f : pattern.fields) {
    regexes_compile = regexes_compile && (!f.has_condition || RegexesCompile(f.condition));
  }
  if (!regexes_compile) return Fail(ErrorCode::kInvalidArgument, "a regex does not compile");
  switch (pattern.shape) {
    case RefPattern::Shape::kEverything:
      return true;
    case RefPattern::Shape::kTerms:
      return MatchTerms(pattern.terms, message);
    case RefPattern::Shape::kRegex:
      return RegexSearch(pattern.regex, message);
    case RefPattern::Shape::kJson: {
      auto root = ParseJson(message);
      if (!root || root->kind != JsonValue::Kind::kObject) return false;
      return EvalJson(pattern.json, *root);
    }
    case RefPattern::Shape::kDelimited:
      return MatchFields(pattern.fields, 0, Fields(message), 0, message);
  }
  return false;
}

}  // namespace tw::match::reference

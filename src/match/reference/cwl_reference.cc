// Straight from the spec, one rule at a time; see cwl_reference.h.
#include "match/reference/cwl_reference.h"

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "match/reference/json_tree.h"

namespace tw::match::reference {
namespace {

using cwl::CompareOp;
using cwl::Expr;
using cwl::FilterPattern;
using cwl::SelectorStep;
using cwl::Term;
using cwl::Value;

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
// for an omitted lower bound, `{,n}`, which ECMAScript does not know.
std::string ToEcmaScript(const std::string& source) {
  std::string out;
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\\' && i + 1 < source.size()) {
      out += source.substr(i, 2);
      ++i;
      continue;
    }
    if (source[i] == '{' && i + 1 < source.size() && source[i + 1] == ',') {
      out += "{0";
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
bool Equals(const Scalar& v, const Value& value) {
  if (value.kind == Value::Kind::kNumber) {
    double n;
    return NumericValue(v, &n) && n == value.number;
  }
  if (value.kind == Value::Kind::kRegex) {
    return v.type == Scalar::Type::kString && RegexSearch(value.regex.source, v.string);
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

bool Compare(const Scalar& v, CompareOp op, const Value& value) {
  double n;
  switch (op) {
    case CompareOp::kEq:
      return Equals(v, value);
    case CompareOp::kNe:
      return !Equals(v, value);
    case CompareOp::kLt:
      return NumericValue(v, &n) && n < value.number;
    case CompareOp::kGt:
      return NumericValue(v, &n) && n > value.number;
    case CompareOp::kLe:
      return NumericValue(v, &n) && n <= value.number;
    case CompareOp::kGe:
      return NumericValue(v, &n) && n >= value.number;
    case CompareOp::kIsNull:
      return v.type == Scalar::Type::kNull;
    case CompareOp::kIsTrue:
      return v.type == Scalar::Type::kBool && v.boolean;
    case CompareOp::kIsFalse:
      return v.type == Scalar::Type::kBool && !v.boolean;
    case CompareOp::kNotExists:
      return false;
  }
  return false;
}

// ---- JSON patterns

void Select(const JsonValue& node, const std::vector<SelectorStep>& steps, size_t i,
            std::vector<const JsonValue*>& out) {
  if (i == steps.size()) {
    out.push_back(&node);
    return;
  }
  const SelectorStep& step = steps[i];
  switch (step.kind) {
    case SelectorStep::Kind::kKey:
      if (node.kind == JsonValue::Kind::kObject) {
        if (const JsonValue* child = node.Find(step.key)) Select(*child, steps, i + 1, out);
      }
      return;
    case SelectorStep::Kind::kIndex:
      if (node.kind == JsonValue::Kind::kArray && step.index < node.array.size()) {
        Select(node.array[step.index], steps, i + 1, out);
      }
      return;
    case SelectorStep::Kind::kAnyIndex:
      if (node.kind == JsonValue::Kind::kArray) {
        for (const JsonValue& e : node.array) Select(e, steps, i + 1, out);
      }
      return;
    case SelectorStep::Kind::kAnyKey:
      if (node.kind == JsonValue::Kind::kObject) {
        for (const auto& member : node.members) Select(member.second, steps, i + 1, out);
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

bool EvalJson(const Expr& e, const JsonValue& root) {
  switch (e.kind) {
    case Expr::Kind::kAnd:
      for (const auto& c : e.children) {
        if (!EvalJson(*c, root)) return false;
      }
      return true;
    case Expr::Kind::kOr:
      for (const auto& c : e.children) {
        if (EvalJson(*c, root)) return true;
      }
      return false;
    case Expr::Kind::kCompare:
      break;
  }
  std::vector<const JsonValue*> nodes;
  Select(root, e.selector.steps, 0, nodes);
  if (e.op == CompareOp::kNotExists) return nodes.empty();
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

bool EvalCondition(const Expr& e, const std::string& text) {
  switch (e.kind) {
    case Expr::Kind::kAnd:
      for (const auto& c : e.children) {
        if (!EvalCondition(*c, text)) return false;
      }
      return true;
    case Expr::Kind::kOr:
      for (const auto& c : e.children) {
        if (EvalCondition(*c, text)) return true;
      }
      return false;
    case Expr::Kind::kCompare:
      break;
  }
  Scalar v;
  v.string = text;
  return Compare(v, e.op, e.value);
}

// Pattern fields from `p` on against message fields from `f` on, by plain backtracking.
bool MatchFields(const std::vector<cwl::DelimitedFieldSpec>& specs, size_t p,
                 const std::vector<Field>& fields, size_t f, std::string_view message) {
  if (p == specs.size()) return f == fields.size();
  const cwl::DelimitedFieldSpec& spec = specs[p];
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
    return spec.condition == nullptr || EvalCondition(*spec.condition, text);
  }
  const std::string text(message.substr(fields[f].begin, fields[f].end - fields[f].begin));
  if (spec.condition != nullptr && !EvalCondition(*spec.condition, text)) return false;
  return MatchFields(specs, p + 1, fields, f + 1, message);
}

// ---- Terms

bool MatchTerms(const std::vector<Term>& terms, std::string_view message) {
  bool any_plain = false;
  for (const Term& t : terms) any_plain = any_plain || t.kind != Term::Kind::kOptional;
  if (!any_plain) {
    for (const Term& t : terms) {
      if (OnlyBlanks(t.text) || Contains(message, t.text)) return true;
    }
    return terms.empty();
  }
  for (const Term& t : terms) {
    if (t.kind == Term::Kind::kOptional || OnlyBlanks(t.text)) continue;  // ignored / matches all
    const bool found = Contains(message, t.text);
    if (t.kind == Term::Kind::kRequired && !found) return false;
    if (t.kind == Term::Kind::kExcluded && found) return false;
  }
  return true;
}

}  // namespace

bool ReferenceMatchFilterPattern(const cwl::FilterPattern& pattern, std::string_view message) {
  switch (pattern.kind) {
    case FilterPattern::Kind::kMatchAll:
      return true;
    case FilterPattern::Kind::kTerms:
      return MatchTerms(pattern.terms, message);
    case FilterPattern::Kind::kRegex:
      return RegexSearch(pattern.regex.source, message);
    case FilterPattern::Kind::kJson: {
      auto root = ParseJson(message);
      if (!root || root->kind != JsonValue::Kind::kObject) return false;
      return EvalJson(*pattern.json, *root);
    }
    case FilterPattern::Kind::kDelimited:
      return MatchFields(pattern.fields, 0, Fields(message), 0, message);
  }
  return false;
}

}  // namespace tw::match::reference

// The reference parser, one grammar rule of docs/pattern-languages.md §1 per function; see
// cwl_reference_parser.h. Where the spec is silent, docs/cwl-filter-patterns.md decides.
#include "match/reference/cwl_reference_parser.h"

#include <cstdlib>
#include <string>
#include <utility>

namespace tw::match::reference::cwl_ref {
namespace {

bool Blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool Letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool NameChar(char c) { return Letter(c) || Digit(c) || c == '_' || c == '-'; }

// number := [+-]? digits ("." digits)? ([eE] [+-]? digits)?   (§1.5)
bool SpelledAsNumber(const std::string& s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && Digit(s[i])) ++i;
    return i > from;
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
  return i == s.size();
}

// The regex dialect of §1.4: the characters allowed as they are, and what may follow `\`.
bool RegexCharAllowed(char c) {
  if (Letter(c) || Digit(c) || c == ' ') return true;
  for (char s : std::string_view(":_#=@/;,-^$?[]{}|\\*+.")) {
    if (c == s) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<RefPattern> Run() {
    size_t code_points = 0;
    for (char c : s_) code_points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    if (code_points > 1024) return Fail(ErrorCode::kInvalidArgument, "longer than 1024 characters");
    RefPattern out;
    SkipBlanks();
    bool ok = true;
    if (End()) {
      out.shape = RefPattern::Shape::kEverything;
    } else if (s_[i_] == '{') {
      out.shape = RefPattern::Shape::kJson;
      ok = Json(out.json);
    } else if (s_[i_] == '[') {
      out.shape = RefPattern::Shape::kDelimited;
      ok = Delimited(out.fields);
    } else if (s_[i_] == '%') {
      out.shape = RefPattern::Shape::kRegex;
      ok = Regex(out.regex);
      SkipBlanks();
      if (ok && !End()) ok = Bad("text after the regex");
    } else {
      out.shape = RefPattern::Shape::kTerms;
      ok = Terms(out.terms);
    }
    if (!ok) return Fail(ErrorCode::kInvalidArgument, why_);
    return out;
  }

 private:
  bool End() const { return i_ >= s_.size(); }
  char At(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  bool Next(std::string_view word) const { return s_.substr(i_).starts_with(word); }
  void SkipBlanks() {
    while (!End() && Blank(s_[i_])) ++i_;
  }
  bool Bad(std::string why) {
    if (why_.empty()) why_ = std::move(why);
    return false;
  }

  // '"' chars '"', where \" is a quote and \\ a backslash; any other backslash stays.
  bool Quoted(std::string& out) {
    ++i_;  // the opening quote
    while (!End() && s_[i_] != '"') {
      if (s_[i_] == '\\' && (At(1) == '"' || At(1) == '\\')) ++i_;
      out += s_[i_++];
    }
    if (End()) return Bad("unterminated string");
    ++i_;
    return true;
  }

  // '%' regex '%' in the dialect of §1.4.
  bool Regex(std::string& out) {
    ++i_;
    const size_t from = i_;
    while (!End() && s_[i_] != '%') {
      const char c = s_[i_];
      if (c == '\\') {
        const char e = At(1);
        if (e == 'x') {
          auto hex = [](char h) {
            return Digit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
          };
          if (!hex(At(2)) || !hex(At(3)) || At(2) > '7') return Bad("\\x needs an ASCII code");
          i_ += 4;
          continue;
        }
        if (e == 'd' || e == 'D' || e == 's' || e == 'S' || e == 'w' || e == 'W') {
          i_ += 2;
          continue;
        }
        if (e != '\0' && e != '%' && !Letter(e) && !Digit(e) && RegexCharAllowed(e)) {
          i_ += 2;
          continue;
        }
        return Bad("escape not in the regex dialect");
      }
      if (!RegexCharAllowed(c)) return Bad("character not in the regex dialect");
      ++i_;
    }
    if (End()) return Bad("unterminated regex");
    out = std::string(s_.substr(from, i_ - from));
    ++i_;
    if (out.empty()) return Bad("empty regex");
    return true;
  }

  // ---- term-list := item (WS item)*; item := ["?" | "-"] (bare-term | '"' phrase '"')
  bool Terms(std::vector<RefTerm>& out) {
    while (true) {
      SkipBlanks();
      if (End()) return true;
      RefTerm t;
      if (s_[i_] == '?' || s_[i_] == '-') {
        t.mode = s_[i_] == '?' ? RefTerm::Mode::kOptional : RefTerm::Mode::kExcluded;
        ++i_;
        SkipBlanks();  // "- term" applies to the next term
        if (End()) return Bad("nothing after ? or -");
      }
      if (s_[i_] == '"') {
        if (!Quoted(t.text)) return false;
        if (!End() && !Blank(s_[i_])) return Bad("a phrase ends at a blank");
        bool blank_only = true;
        for (char c : t.text) blank_only = blank_only && Blank(c);
        if (t.mode == RefTerm::Mode::kExcluded && blank_only) return Bad("-\" \" excludes all");
      } else {
        while (!End() && !Blank(s_[i_])) t.text += s_[i_++];
      }
      out.push_back(std::move(t));
    }
  }

  // ---- JSON: "{" or-expr "}"
  bool Json(RefExpr& out) {
    ++i_;
    if (!Or(out, false)) return false;
    SkipBlanks();
    if (At() != '}') return Bad("expected }");
    ++i_;
    SkipBlanks();
    if (!End()) return Bad("text after }");
    return true;
  }

  // or-expr := and-expr ("||" and-expr)*   (also inside one delimited field)
  bool Or(RefExpr& out, bool field) {
    RefExpr first;
    if (!And(first, field)) return false;
    SkipBlanks();
    if (!Next("||")) {
      out = std::move(first);
      return true;
    }
    out.kind = RefExpr::Kind::kAny;
    out.operands.push_back(std::move(first));
    while (Next("||")) {
      i_ += 2;
      RefExpr next;
      if (!And(next, field)) return false;
      out.operands.push_back(std::move(next));
      SkipBlanks();
    }
    return true;
  }

  // and-expr := primary ("&&" primary)*
  bool And(RefExpr& out, bool field) {
    RefExpr first;
    if (!Primary(first, field)) return false;
    SkipBlanks();
    if (!Next("&&")) {
      out = std::move(first);
      return true;
    }
    out.kind = RefExpr::Kind::kAll;
    out.operands.push_back(std::move(first));
    while (Next("&&")) {
      i_ += 2;
      RefExpr next;
      if (!Primary(next, field)) return false;
      out.operands.push_back(std::move(next));
      SkipBlanks();
    }
    return true;
  }

  // primary := "(" or-expr ")" | comparison
  bool Primary(RefExpr& out, bool field) {
    SkipBlanks();
    if (At() == '(') {
      if (++depth_ > 64) return Bad("parentheses nested too deep");
      ++i_;
      if (!Or(out, field)) return false;
      SkipBlanks();
      if (At() != ')') return Bad("expected )");
      ++i_;
      --depth_;
      return true;
    }
    out.kind = RefExpr::Kind::kTest;
    if (field) {
      // cond := name op value, where every name is the field's own.
      std::string name;
      while (!End() && NameChar(s_[i_])) name += s_[i_++];
      if (name.empty()) return Bad("expected a field name");
      if (field_name_.empty()) field_name_ = name;
      if (name != field_name_) return Bad("a condition tests another field");
    } else if (!Selector(out.path)) {
      return false;
    }
    SkipBlanks();
    if (!field && Next("IS")) {
      i_ += 2;
      const size_t before = i_;
      SkipBlanks();
      if (i_ == before) return Bad("expected a blank after IS");
      if (Next("NULL")) {
        out.op = RefOp::kIsNull, i_ += 4;
      } else if (Next("TRUE")) {
        out.op = RefOp::kIsTrue, i_ += 4;
      } else if (Next("FALSE")) {
        out.op = RefOp::kIsFalse, i_ += 5;
      } else {
        return Bad("IS takes NULL, TRUE or FALSE");
      }
      return KeywordEnds();
    }
    if (!field && Next("NOT")) {
      i_ += 3;
      const size_t before = i_;
      SkipBlanks();
      if (i_ == before || !Next("EXISTS")) return Bad("expected NOT EXISTS");
      i_ += 6;
      out.op = RefOp::kNotExists;
      return KeywordEnds();
    }
    if (Next("!=")) {
      out.op = RefOp::kNe, i_ += 2;
    } else if (Next("<=")) {
      out.op = RefOp::kLe, i_ += 2;
    } else if (Next(">=")) {
      out.op = RefOp::kGe, i_ += 2;
    } else if (Next("==")) {
      return Bad("== is not an operator");
    } else if (Next("=")) {
      out.op = RefOp::kEq, i_ += 1;
    } else if (Next("<")) {
      out.op = RefOp::kLt, i_ += 1;
    } else if (Next(">")) {
      out.op = RefOp::kGt, i_ += 1;
    } else {
      return Bad("expected an operator");
    }
    return Value(out, field);
  }

  bool KeywordEnds() {
    const char c = At();
    if (End() || Blank(c) || c == ')' || c == '}' || c == '&' || c == '|') return true;
    return Bad("text after a keyword");
  }

  // selector := "$" ( "." name | "[" index "]" | "[*]" | ".*" | ".['" name "']" | "['" ... )+
  bool Selector(std::vector<RefStep>& out) {
    if (At() != '$') return Bad("expected a selector");
    ++i_;
    size_t wildcards = 0;
    while (true) {
      RefStep step;
      if (At() == '.' && At(1) == '*') {
        step.kind = RefStep::Kind::kAnyMember, i_ += 2, ++wildcards;
      } else if (At() == '.' && At(1) == '[' && (At(2) == '\'' || At(2) == '"')) {
        ++i_;
        continue;  // .['name'] is ['name']
      } else if (At() == '.') {
        ++i_;
        while (!End() && NameChar(s_[i_])) step.key += s_[i_++];
        if (step.key.empty()) return Bad("expected a name after .");
      } else if (At() == '[' && At(1) == '*' && At(2) == ']') {
        step.kind = RefStep::Kind::kAnyElement, i_ += 3, ++wildcards;
      } else if (At() == '[' && (At(1) == '\'' || At(1) == '"')) {
        const char quote = At(1);
        i_ += 2;
        while (!End() && s_[i_] != quote) step.key += s_[i_++];
        if (End() || At(1) != ']') return Bad("unterminated bracketed name");
        i_ += 2;
      } else if (At() == '[') {
        ++i_;
        std::string digits;
        while (!End() && Digit(s_[i_])) digits += s_[i_++];
        if (digits.empty() || At() != ']') return Bad("expected an index");
        ++i_;
        if (digits.size() > 10 || std::stoull(digits) > 4294967295ull) {
          return Bad("index too large");
        }
        step.kind = RefStep::Kind::kIndex;
        step.index = static_cast<size_t>(std::stoull(digits));
      } else {
        break;
      }
      out.push_back(std::move(step));
    }
    if (out.empty()) return Bad("a selector needs a step");
    if (wildcards > 1) return Bad("two wildcards in one selector");
    wildcards_ += wildcards;
    if (wildcards_ > 3) return Bad("more than 3 wildcard selectors");
    return true;
  }

  // value := '"' string '"' | "%" regex "%" | number | bare-token
  bool Value(RefExpr& out, bool field) {
    SkipBlanks();
    RefValue& v = out.value;
    const bool ordering = out.op != RefOp::kEq && out.op != RefOp::kNe;
    if (At() == '"') {
      if (!Quoted(v.text)) return false;
      if (ordering) return Bad("< > <= >= need a number");
      return true;
    }
    if (At() == '%') {
      if (++regexes_ > 2) return Bad("more than 2 regexes");
      v.kind = RefValue::Kind::kRegex;
      if (!Regex(v.text)) return false;
      if (ordering) return Bad("< > <= >= need a number");
      return true;
    }
    // A bare value stops at a blank and at any character with a meaning in the syntax
    // (docs/cwl-filter-patterns.md, "Bare values"); a value holding one must be quoted.
    while (!End()) {
      const char c = s_[i_];
      if (Blank(c) || c == '(' || c == ')' || c == '{' || c == '}' || c == '"' || c == '&' ||
          c == '|') {
        break;
      }
      if (field && (c == ',' || c == ']')) break;
      v.text += c;
      ++i_;
    }
    if (v.text.empty()) return Bad("expected a value");
    if (SpelledAsNumber(v.text)) {
      v.kind = RefValue::Kind::kNumber;
      v.number = std::strtod(v.text.c_str(), nullptr);  // 1e999 -> inf, 1e-999 -> 0
    } else if (ordering) {
      return Bad("< > <= >= need a number");
    }
    return true;
  }

  // ---- delimited := "[" field ("," field)* "]"
  bool Delimited(std::vector<RefField>& out) {
    ++i_;
    bool any = false;
    while (true) {
      SkipBlanks();
      RefField f;
      field_name_.clear();
      if (Next("...")) {
        f.ellipsis = true;
        i_ += 3;
        any = true;
      } else if (At() != ',' && At() != ']') {
        any = true;
        const size_t start = i_;
        std::string name;
        while (!End() && NameChar(s_[i_])) name += s_[i_++];
        SkipBlanks();
        if (name.empty() || (At() != ',' && At() != ']')) {  // not a name alone: conditions
          i_ = start;
          f.has_condition = true;
          if (!Or(f.condition, true)) return false;
        }
      }
      out.push_back(std::move(f));
      SkipBlanks();
      if (At() == ',') {
        ++i_;
        continue;
      }
      if (At() != ']') return Bad("expected , or ]");
      ++i_;
      break;
    }
    SkipBlanks();
    if (!End()) return Bad("text after ]");
    if (out.size() == 1 && !any) return Bad("empty delimited pattern");
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string why_;
  size_t depth_ = 0;
  size_t regexes_ = 0;
  size_t wildcards_ = 0;
  std::string field_name_;
};

}  // namespace

Result<RefPattern> ParseReferencePattern(std::string_view text) { return Parser(text).Run(); }

}  // namespace tw::match::reference::cwl_ref

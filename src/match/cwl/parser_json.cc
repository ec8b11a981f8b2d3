// JSON filter patterns: `{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed ...") }`.
//
// Grammar and sources: docs/pattern-languages.md §1.5. Precedence is `()` > `&&` > `||` [doc].
// The comparison, operator and value parsers are shared with the conditions of space-delimited
// fields (`status_code = 404 || status_code = 410`), which use the same operators [doc].
#include <fmt/format.h>
#include <simdjson.h>

#include <cstdlib>
#include <limits>

#include "common/strings.h"
#include "match/cwl/parser_internal.h"

namespace tw::match::cwl::internal {
namespace {

constexpr const char* kComparisonHint =
    "a comparison is a selector, an operator and a value, e.g. ($.eventName = \"ConsoleLogin\") "
    "or ($.latency > 100); combine them with && and ||";

// Keywords are upper case, as documented. A lower-case spelling is an error with a hint rather
// than a silent mismatch (docs/cwl-filter-patterns.md).
bool IsKeywordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Appends the comparison(s) that express `value` at `selector`, for the hint shown when a pattern
// is written as a JSON object.
void AppendHintComparisons(const std::string& selector, simdjson::dom::element value,
                           std::vector<std::string>& out) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      for (auto field : simdjson::dom::object(value)) {
        const std::string_view key = field.key;
        bool plain = !key.empty();
        for (char c : key) plain = plain && IsNameChar(c);
        AppendHintComparisons(
            selector + (plain ? "." + std::string(key) : ".['" + std::string(key) + "']"),
            field.value, out);
      }
      return;
    case element_type::ARRAY: {
      uint32_t i = 0;
      for (auto element : simdjson::dom::array(value)) {
        AppendHintComparisons(fmt::format("{}[{}]", selector, i++), element, out);
      }
      return;
    }
    case element_type::BOOL:
      out.push_back(
          fmt::format("({} IS {})", selector, value.get_bool().value_unsafe() ? "TRUE" : "FALSE"));
      return;
    case element_type::NULL_VALUE:
      out.push_back(fmt::format("({} IS NULL)", selector));
      return;
    default:
      out.push_back(fmt::format("({} = {})", selector, simdjson::minify(value)));
      return;
  }
}

}  // namespace

// When the whole pattern parses as a JSON object, shows the filter pattern that compares the same
// keys with the same values. Keys already spelled as selectors ("$.eventName") are kept.
std::string Parser::JsonObjectHint() const {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text_);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS ||
      root.type() != simdjson::dom::element_type::OBJECT) {
    return kComparisonHint;
  }
  std::vector<std::string> parts;
  for (auto field : simdjson::dom::object(root)) {
    std::string_view key = field.key;
    std::string selector;
    if (key.starts_with("$.") || key.starts_with("$[")) {
      selector = std::string(key);
    } else {
      bool plain = !key.empty();
      for (char c : key) plain = plain && IsNameChar(c);
      selector = plain ? "$." + std::string(key) : "$.['" + std::string(key) + "']";
    }
    AppendHintComparisons(selector, field.value, parts);
  }
  if (parts.empty()) return kComparisonHint;
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) joined += (i ? " && " : "") + parts[i];
  return "a JSON filter pattern compares selectors with operators: { " + joined + " }";
}

bool Parser::ParseJson(FilterPattern& out) {
  out.kind = FilterPattern::Kind::kJson;
  const size_t open = pos_;
  ++pos_;
  SkipBlanks();
  if (Peek() == '}') {
    return Fail(pos_, "empty JSON pattern", kComparisonHint);
  }
  out.json = ParseOr(/*delimited=*/false);
  if (!out.json) return false;
  SkipBlanks();
  if (AtEnd()) {
    return Fail(pos_, fmt::format("missing '}}' to close the '{{' at column {}", open + 1),
                "end a JSON pattern with '}'");
  }
  if (Peek() != '}') {
    return Fail(pos_, "expected '&&', '||' or '}'",
                "join comparisons with && or ||, and close the pattern with '}'");
  }
  ++pos_;
  SkipBlanks();
  if (!AtEnd()) {
    return Fail(pos_, "unexpected text after the closing '}'",
                "a JSON pattern is one { ... } expression; join conditions inside it with && "
                "or ||");
  }
  return true;
}

std::unique_ptr<Expr> Parser::ParseOr(bool delimited) {
  auto first = ParseAnd(delimited);
  if (!first) return nullptr;
  SkipBlanks();
  if (!LookingAt("||")) return first;
  auto node = std::make_unique<Expr>();
  node->kind = Expr::Kind::kOr;
  node->column = first->column;
  node->children.push_back(std::move(first));
  while (SkipBlanks(), LookingAt("||")) {
    pos_ += 2;
    auto next = ParseAnd(delimited);
    if (!next) return nullptr;
    node->children.push_back(std::move(next));
  }
  return node;
}

std::unique_ptr<Expr> Parser::ParseAnd(bool delimited) {
  auto first = ParsePrimary(delimited);
  if (!first) return nullptr;
  SkipBlanks();
  if (!LookingAt("&&")) return first;
  auto node = std::make_unique<Expr>();
  node->kind = Expr::Kind::kAnd;
  node->column = first->column;
  node->children.push_back(std::move(first));
  while (SkipBlanks(), LookingAt("&&")) {
    pos_ += 2;
    auto next = ParsePrimary(delimited);
    if (!next) return nullptr;
    node->children.push_back(std::move(next));
  }
  return node;
}

std::unique_ptr<Expr> Parser::ParsePrimary(bool delimited) {
  SkipBlanks();
  if (Peek() != '(') return delimited ? ParseDelimitedCondition() : ParseComparison();
  const size_t open = pos_;
  if (++depth_ > kMaxNestingDepth) {
    Fail(open, fmt::format("parentheses nested deeper than {}", kMaxNestingDepth),
         "simplify the expression");
    return nullptr;
  }
  ++pos_;
  auto inner = ParseOr(delimited);
  if (!inner) return nullptr;
  SkipBlanks();
  if (Peek() != ')') {
    Fail(pos_, fmt::format("missing ')' to close the '(' at column {}", open + 1),
         "every '(' needs a matching ')'");
    return nullptr;
  }
  ++pos_;
  --depth_;
  return inner;
}

std::unique_ptr<Expr> Parser::ParseComparison() {
  SkipBlanks();
  auto node = std::make_unique<Expr>();
  node->column = pos_ + 1;
  if (Peek() != '$') {
    if (AtEnd() || Peek() == '}' || Peek() == ')') {
      Fail(pos_, "expected a comparison", kComparisonHint);
    } else {
      Fail(pos_, "expected a selector starting with \"$.\"",
           Peek() == '"' ? JsonObjectHint() : std::string(kComparisonHint));
    }
    return nullptr;
  }
  if (!ParseSelector(node->selector)) return nullptr;
  if (!ParseOperator(node->op, /*delimited=*/false)) return nullptr;
  if (TakesValue(node->op) && !ParseValue(node->op, node->value, /*delimited=*/false)) {
    return nullptr;
  }
  return node;
}

bool Parser::ParseSelector(Selector& out) {
  const size_t start = pos_;
  out.column = start + 1;
  ++pos_;  // '$'
  size_t wildcards = 0;
  while (!AtEnd()) {
    const size_t step_pos = pos_;
    SelectorStep step;
    if (Peek() == '.' && Peek(1) != '[') {
      ++pos_;
      if (Peek() == '*') {
        ++pos_;
        step.kind = SelectorStep::Kind::kAnyKey;
      } else {
        const size_t begin = pos_;
        while (!AtEnd() && IsNameChar(Peek())) ++pos_;
        if (pos_ == begin) {
          return Fail(pos_, "expected a property name after '.'",
                      "names are letters, digits, '-' and '_'; write other names in brackets, "
                      "e.g. $.['cluster.name']");
        }
        step.key = std::string(text_.substr(begin, pos_ - begin));
      }
    } else if (Peek() == '[' || (Peek() == '.' && Peek(1) == '[')) {
      if (Peek() == '.') ++pos_;
      ++pos_;  // '['
      if (Peek() == '*') {
        ++pos_;
        step.kind = SelectorStep::Kind::kAnyIndex;
      } else if (Peek() >= '0' && Peek() <= '9') {
        uint64_t index = 0;
        while (Peek() >= '0' && Peek() <= '9') {
          index = index * 10 + static_cast<uint64_t>(Peek() - '0');
          if (index > std::numeric_limits<uint32_t>::max()) {
            return Fail(step_pos, "array index too large", "indexes count from 0");
          }
          ++pos_;
        }
        step.kind = SelectorStep::Kind::kIndex;
        step.index = static_cast<uint32_t>(index);
      } else if (Peek() == '\'' || Peek() == '"') {
        const char quote = Peek();
        const size_t end = text_.find(quote, pos_ + 1);
        if (end == std::string_view::npos) {
          return Fail(pos_, "unterminated quoted property name",
                      "write names in brackets as $.['cluster.name']");
        }
        step.key = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
      } else {
        return Fail(pos_, "expected an index, '*' or a quoted name after '['",
                    "for example $.users[0], $.users[*] or $.['cluster.name']");
      }
      if (Peek() != ']') {
        return Fail(pos_, "expected ']'", "for example $.users[0], $.users[*]");
      }
      ++pos_;
    } else {
      break;
    }
    if (step.kind == SelectorStep::Kind::kAnyIndex || step.kind == SelectorStep::Kind::kAnyKey) {
      if (++wildcards > kMaxWildcardsPerSelector) {
        return Fail(step_pos, "more than one wildcard ([*] or .*) in a selector",
                    "AWS allows one wildcard per property selector; name the other levels "
                    "explicitly, e.g. $.items[*].tags[0]");
      }
      if (++wildcard_selectors_ > kMaxWildcardsPerPattern) {
        return Fail(step_pos, "more than 3 wildcard selectors in one filter pattern",
                    "AWS allows at most 3 [*] or .* selectors per pattern");
      }
    }
    out.steps.push_back(std::move(step));
  }
  if (out.steps.empty()) {
    return Fail(start, "a selector needs a property after '$'", "for example $.eventName");
  }
  out.text = std::string(text_.substr(start, pos_ - start));
  return true;
}

bool Parser::ParseOperator(CompareOp& op, bool delimited) {
  SkipBlanks();
  const size_t at = pos_;
  if (LookingAt("==")) {
    return Fail(at, "'==' is not an operator", "write equality with a single '='");
  }
  if (LookingAt("!=")) return pos_ += 2, op = CompareOp::kNe, true;
  if (LookingAt("<=")) return pos_ += 2, op = CompareOp::kLe, true;
  if (LookingAt(">=")) return pos_ += 2, op = CompareOp::kGe, true;
  if (LookingAt("=")) return pos_ += 1, op = CompareOp::kEq, true;
  if (LookingAt("<")) return pos_ += 1, op = CompareOp::kLt, true;
  if (LookingAt(">")) return pos_ += 1, op = CompareOp::kGt, true;
  auto word = [&] {
    SkipBlanks();
    const size_t begin = pos_;
    while (!AtEnd() && IsKeywordChar(Peek())) ++pos_;
    return text_.substr(begin, pos_ - begin);
  };
  const std::string_view first = word();
  if (delimited || first.empty()) {
    pos_ = at;
    return Fail(at, "expected an operator",
                delimited ? "field conditions use = != < > <= >=, e.g. status_code = 404"
                          : "the operators are = != < > <= >=, IS NULL, IS TRUE, IS FALSE and "
                            "NOT EXISTS");
  }
  const size_t second_at = pos_;
  const std::string_view second = word();
  const std::string spelled = Upper(first) + (second.empty() ? "" : " " + Upper(second));
  if (first != Upper(first) || second != Upper(second)) {
    if (spelled == "IS NULL" || spelled == "IS TRUE" || spelled == "IS FALSE" ||
        spelled == "NOT EXISTS") {
      return Fail(at, fmt::format("keywords are upper case: write {}", spelled),
                  "filter pattern keywords are case-sensitive: IS NULL, IS TRUE, IS FALSE, "
                  "NOT EXISTS");
    }
  }
  if (first == "IS") {
    if (second == "NULL") return op = CompareOp::kIsNull, true;
    if (second == "TRUE") return op = CompareOp::kIsTrue, true;
    if (second == "FALSE") return op = CompareOp::kIsFalse, true;
    if (second == "NOT") {
      return Fail(at, "IS NOT is not supported",
                  "test for absence with NOT EXISTS, or compare with != (for example "
                  "$.x != \"value\")");
    }
    return Fail(second_at, "expected NULL, TRUE or FALSE after IS",
                "write $.field IS NULL, $.field IS TRUE or $.field IS FALSE");
  }
  if (first == "NOT") {
    if (second == "EXISTS") return op = CompareOp::kNotExists, true;
    return Fail(second_at, "expected EXISTS after NOT", "write $.field NOT EXISTS");
  }
  if (first == "EXISTS") {
    return Fail(at, "EXISTS is not supported",
                "only NOT EXISTS is; to require a field with a value, write $.field = *");
  }
  return Fail(at, "expected an operator",
              "the operators are = != < > <= >=, IS NULL, IS TRUE, IS FALSE and NOT EXISTS");
}

bool Parser::ParseValue(CompareOp op, Value& out, bool delimited) {
  SkipBlanks();
  out.column = pos_ + 1;
  const char c = Peek();
  const bool ends_value = AtEnd() || c == ')' || c == '}' || c == '&' || c == '|' ||
                          (delimited && (c == ',' || c == ']'));
  if (ends_value) {
    return Fail(pos_, fmt::format("expected a value after '{}'", CompareOpName(op)),
                "for example = \"ConsoleLogin\", = AccessDenied*, > 100 or = %regex%; "
                "use * to match any value");
  }
  if (c == '"') {
    out.kind = Value::Kind::kString;
    out.quoted = true;
    if (!ParseQuoted(out.text)) return false;
  } else if (c == '%') {
    out.kind = Value::Kind::kRegex;
    if (!ParseRegex(out.regex, /*counted=*/true)) return false;
    out.text = out.regex.source;
  } else {
    const size_t begin = pos_;
    while (!AtEnd()) {
      const char b = Peek();
      if (IsBlank(b) || b == '(' || b == ')' || b == '{' || b == '}' || b == '"' || b == '&' ||
          b == '|' || (delimited && (b == ',' || b == ']'))) {
        break;
      }
      ++pos_;
    }
    if (pos_ == begin) {
      return Fail(pos_, fmt::format("unexpected '{}' in a value", c),
                  "quote values that contain special characters, e.g. \"a(b)\"");
    }
    out.text = std::string(text_.substr(begin, pos_ - begin));
    if (IsNumberText(out.text)) {
      // The nearest double, as for numbers in events: 1e999 is +infinity and 1e-999 is 0
      // (docs/cwl-filter-patterns.md, "Numbers out of range"). The grammar admits them and no
      // AWS document sets a range, so they are not an error.
      out.kind = Value::Kind::kNumber;
      out.number = std::strtod(out.text.c_str(), nullptr);
    }
  }
  const bool numeric =
      op == CompareOp::kLt || op == CompareOp::kGt || op == CompareOp::kLe || op == CompareOp::kGe;
  if (numeric && out.kind != Value::Kind::kNumber) {
    return Fail(
        out.column - 1,
        fmt::format("'{}' compares numbers, and this value is not a number", CompareOpName(op)),
        "write an unquoted number, e.g. > 1000, <= 55.5 or < 1e-3");
  }
  return true;
}

}  // namespace tw::match::cwl::internal

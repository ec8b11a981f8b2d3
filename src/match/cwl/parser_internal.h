// The recursive-descent parser behind ParseFilterPattern (match/cwl/parser.h). Internal: only
// the parser_*.cc files include this. One Parser parses one pattern; it stops at the first error,
// which it keeps in error_.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "match/cwl/ast.h"
#include "match/cwl/parser.h"

namespace tw::match::cwl::internal {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // Fills `out`; false on error (see error()).
  bool Parse(FilterPattern& out);
  const PatternError& error() const { return *error_; }

 private:
  // parser.cc: shared helpers, term and regex patterns.
  bool Fail(size_t pos, std::string message, std::string hint);
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool LookingAt(std::string_view s) const { return text_.substr(pos_).starts_with(s); }
  void SkipBlanks();
  bool ParseTerms(FilterPattern& out);
  bool ParseRegexPattern(FilterPattern& out);
  // Reads `"..."` at pos_ (a `"`), unescaping \" and \\. False on an unterminated string.
  bool ParseQuoted(std::string& out);
  // Reads `%...%` at pos_ (a `%`) and counts it against the per-pattern limit when `counted`.
  bool ParseRegex(RegexLiteral& out, bool counted);

  // parser_json.cc: JSON patterns and the values and conditions shared with delimited ones.
  bool ParseJson(FilterPattern& out);
  std::unique_ptr<Expr> ParseOr(bool delimited);
  std::unique_ptr<Expr> ParseAnd(bool delimited);
  std::unique_ptr<Expr> ParsePrimary(bool delimited);
  std::unique_ptr<Expr> ParseComparison();
  std::unique_ptr<Expr> ParseDelimitedCondition();
  bool ParseSelector(Selector& out);
  bool ParseOperator(CompareOp& op, bool delimited);
  bool ParseValue(CompareOp op, Value& out, bool delimited);
  std::string JsonObjectHint() const;

  // parser_fields.cc (not parser_delimited.cc: the CMake glob reserves *delimited.cc for the core)
  bool ParseDelimited(FilterPattern& out);

  std::string_view text_;
  size_t pos_ = 0;
  std::optional<PatternError> error_;
  size_t regexes_ = 0;
  size_t wildcard_selectors_ = 0;
  size_t depth_ = 0;
};

// True for the characters of an unquoted JSON property name ([doc]: "alphanumeric strings that
// support - and _"), also used for delimited field names.
inline bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace tw::match::cwl::internal

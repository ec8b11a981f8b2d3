// Entry point of the filter-pattern parser: classification, limits, term and regex patterns, and
// the rendering of errors. JSON patterns are in parser_json.cc, space-delimited ones in
// parser_fields.cc.
#include "match/cwl/parser.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/strings.h"
#include "match/cwl/parser_internal.h"
#include "match/cwl/regex.h"

namespace tw::match::cwl {

const char* CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kIsNull:
      return "IS NULL";
    case CompareOp::kIsTrue:
      return "IS TRUE";
    case CompareOp::kIsFalse:
      return "IS FALSE";
    case CompareOp::kNotExists:
      return "NOT EXISTS";
  }
  return "?";
}

namespace internal {

bool Parser::Fail(size_t pos, std::string message, std::string hint) {
  if (!error_) error_ = PatternError{pos + 1, std::move(message), std::move(hint)};
  return false;
}

void Parser::SkipBlanks() {
  while (!AtEnd() && IsBlank(text_[pos_])) ++pos_;
}

bool Parser::Parse(FilterPattern& out) {
  // The API counts characters; count UTF-8 code points (continuation bytes do not start one).
  size_t chars = 0;
  for (size_t i = 0; i < text_.size(); ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) continue;
    if (++chars > kMaxPatternChars) {
      return Fail(i, fmt::format("the pattern is longer than {} characters", kMaxPatternChars),
                  "AWS rejects longer filter patterns; split the rule, or shorten its lists of "
                  "alternatives");
    }
  }
  SkipBlanks();
  if (AtEnd()) {
    out.kind = FilterPattern::Kind::kMatchAll;
    return true;
  }
  switch (Peek()) {
    case '{':
      return ParseJson(out);
    case '[':
      return ParseDelimited(out);
    case '%':
      return ParseRegexPattern(out);
    default:
      return ParseTerms(out);
  }
}

bool Parser::ParseQuoted(std::string& out) {
  const size_t open = pos_;
  ++pos_;
  out.clear();
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c == '\\' && (Peek(1) == '"' || Peek(1) == '\\')) {
      out += Peek(1);
      pos_ += 2;
      continue;
    }
    out += c;
    ++pos_;
  }
  return Fail(open, "unterminated quoted string",
              "close it with '\"'; write a double quote inside it as \\\"");
}

bool Parser::ParseRegex(RegexLiteral& out, bool counted) {
  const size_t open = pos_;
  const size_t close = text_.find('%', open + 1);
  if (close == std::string_view::npos) {
    return Fail(open, "unterminated regex", "end the regex with '%', as in %Trail%");
  }
  if (counted && ++regexes_ > kMaxRegexesPerPattern) {
    return Fail(open,
                fmt::format("more than {} regexes in one filter pattern", kMaxRegexesPerPattern),
                "AWS allows at most 2 %regex% values per JSON or space-delimited pattern; "
                "combine alternatives into one regex with '|'");
  }
  out.source = std::string(text_.substr(open + 1, close - open - 1));
  out.column = open + 1;
  auto re2 = TranslateRegex(out.source, open + 2);
  if (!re2) {
    if (!error_) error_ = re2.error();
    return false;
  }
  out.re2 = std::move(*re2);
  pos_ = close + 1;
  return true;
}

bool Parser::ParseRegexPattern(FilterPattern& out) {
  out.kind = FilterPattern::Kind::kRegex;
  if (!ParseRegex(out.regex, /*counted=*/false)) return false;
  SkipBlanks();
  if (!AtEnd()) {
    return Fail(pos_, "unexpected text after the regex",
                "a regex pattern is the whole filter pattern (%...%); to combine a regex with "
                "other conditions use a JSON or space-delimited pattern");
  }
  return true;
}

// [doc]: terms are AND-ed, `-` excludes, `?` is OR, and when `?` terms are mixed with any other
// term every `?` term is ignored. That last rule is applied by the consumers of the tree; the
// parser keeps every term.
bool Parser::ParseTerms(FilterPattern& out) {
  out.kind = FilterPattern::Kind::kTerms;
  while (true) {
    SkipBlanks();
    if (AtEnd()) break;
    Term term;
    const size_t start = pos_;
    if (Peek() == '?' || Peek() == '-') {
      term.kind = Peek() == '?' ? Term::Kind::kOptional : Term::Kind::kExcluded;
      ++pos_;
      // [doc-2020] writes `"ERROR" - "Exiting"`: a lone prefix applies to the next term.
      if (AtEnd() || IsBlank(Peek())) {
        SkipBlanks();
        if (AtEnd() || Peek() == '?' || Peek() == '-') {
          return Fail(start, fmt::format("'{}' must be followed by a term", text_[start]),
                      "write -term to exclude a term and ?term for alternatives, e.g. "
                      "ERROR -ARGUMENTS or ?ERROR ?WARN");
        }
      }
    }
    term.column = pos_ + 1;
    if (Peek() == '"') {
      term.quoted = true;
      if (!ParseQuoted(term.text)) return false;
      if (!AtEnd() && !IsBlank(Peek())) {
        return Fail(pos_, "expected a space after the closing quote",
                    "separate terms with spaces; quote the whole phrase, e.g. \"ERROR 500\"");
      }
    } else {
      const size_t begin = pos_;
      while (!AtEnd() && !IsBlank(Peek())) ++pos_;
      term.text = std::string(text_.substr(begin, pos_ - begin));
    }
    bool blank = true;
    for (char c : term.text) blank = blank && IsBlank(c);
    if (blank && term.kind == Term::Kind::kExcluded) {
      return Fail(start, "cannot exclude a blank phrase",
                  "\" \" matches every event, so excluding it would match none; remove it");
    }
    out.terms.push_back(std::move(term));
  }
  return true;
}

}  // namespace internal

tl::expected<FilterPattern, PatternError> ParseFilterPattern(std::string_view text) {
  internal::Parser parser(text);
  FilterPattern out;
  if (!parser.Parse(out)) return tl::unexpected(parser.error());
  return out;
}

PatternExcerpt ExcerptOf(std::string_view text, size_t column) {
  constexpr size_t kWindow = 100;
  const size_t offset = column > 0 ? column - 1 : 0;
  size_t begin = 0;
  size_t end = text.size();
  if (text.size() > kWindow) {
    begin = offset > kWindow / 2 ? offset - kWindow / 2 : 0;
    end = std::min(text.size(), begin + kWindow);
  }
  PatternExcerpt out;
  if (begin > 0) out.shown += "...";
  size_t caret = out.shown.size();
  for (size_t i = begin; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out.shown += c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c);
    // The caret counts displayed characters: UTF-8 continuation bytes take no column.
    if (i < offset && (c & 0xC0) != 0x80) ++caret;
  }
  if (end < text.size()) out.shown += "...";
  out.caret_column = caret + 1;
  return out;
}

std::string RenderPatternError(std::string_view text, const PatternError& error) {
  const PatternExcerpt excerpt = ExcerptOf(text, error.column);
  std::string out = fmt::format("invalid filter pattern: {} at column {}\n  {}\n  {}^",
                                error.message, error.column, excerpt.shown,
                                std::string(excerpt.caret_column - 1, ' '));
  if (!error.hint.empty()) out += "\n  hint: " + error.hint;
  return out;
}

}  // namespace tw::match::cwl

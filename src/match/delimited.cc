// Tokenizing and positional matching for CloudWatch Logs space-delimited patterns.
//
// AWS sources for each rule (docs/pattern-languages.md §1.6):
//   * "Text between brackets [] or double quotes "" is one field", and the extracted value has the
//     delimiters stripped: $timestamp is `10/Oct/2000:13:25:15 -0700` [doc-2023].
//   * `...` stands for any number of fields [doc].
//   * "The pattern needs to match with the entire log event message" [doc Counting404Responses],
//     yet `[w1=ERROR, w2]` selects six-word lines: the last field absorbs what is left [inferred].
#include "match/delimited.h"

#include <cstddef>

namespace tw::match {
namespace {

bool IsSeparator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

// Runs of blanks separate fields (no empty fields are produced). A field that starts with `[`
// runs to the next `]`, one that starts with `"` to the next `"`; the delimiters are not part of
// the view. An unterminated bracket or quote runs to the end of the message. A `[` or `"` inside
// a field (not at its start) is an ordinary character.
void TokenizeDelimited(std::string_view message, std::vector<std::string_view>& tokens) {
  tokens.clear();
  size_t i = 0;
  const size_t n = message.size();
  while (i < n) {
    while (i < n && IsSeparator(message[i])) ++i;
    if (i == n) break;
    const char open = message[i];
    if (open == '[' || open == '"') {
      const char close = open == '[' ? ']' : '"';
      const size_t start = i + 1;
      size_t end = message.find(close, start);
      if (end == std::string_view::npos) end = n;
      tokens.push_back(message.substr(start, end - start));
      i = end == n ? n : end + 1;
      continue;
    }
    const size_t start = i;
    while (i < n && !IsSeparator(message[i])) ++i;
    tokens.push_back(message.substr(start, i - start));
  }
}

// Fields bind to tokens by position. Every named field takes exactly one token, except that the
// final field of the pattern (when it is not `...`) takes every token that is left; its value is
// then the message text from its first token to the end of the last one. `...` takes zero or
// more tokens. Solved by dynamic programming over (field, token), so several ellipses cost
// O(fields x tokens) condition evaluations at most, never exponential backtracking.
bool MatchDelimited(const DelimitedPattern& pattern, const std::vector<std::string_view>& tokens,
                    const std::function<bool(const Node&, std::string_view)>& eval) {
  const auto& fields = pattern.fields;
  const size_t nf = fields.size();
  const size_t nt = tokens.size();
  if (nf == 0) return nt == 0;

  // The value of field `f` when it starts at token `t` (t < nt).
  auto value_at = [&](size_t f, size_t t) -> std::string_view {
    if (f + 1 == nf && t + 1 < nt) {
      const char* begin = tokens[t].data();
      const char* end = tokens[nt - 1].data() + tokens[nt - 1].size();
      return std::string_view(begin, static_cast<size_t>(end - begin));
    }
    return tokens[t];
  };
  auto field_ok = [&](size_t f, size_t t) {
    const DelimitedField& field = fields[f];
    return field.condition == nullptr || eval(*field.condition, value_at(f, t));
  };

  bool has_ellipsis = false;
  for (const auto& f : fields) has_ellipsis = has_ellipsis || f.ellipsis;
  if (!has_ellipsis) {
    // The common case: field i takes token i, the last field takes the rest.
    if (nt < nf) return false;
    for (size_t f = 0; f < nf; ++f) {
      if (!field_ok(f, f)) return false;
    }
    return true;
  }

  // ok[f][t]: fields f.. account for tokens t..; rows are kept two at a time.
  std::vector<char> next(nt + 1, 0), cur(nt + 1, 0);
  next[nt] = 1;  // no fields left, no tokens left
  for (size_t f = nf; f-- > 0;) {
    const DelimitedField& field = fields[f];
    cur.assign(nt + 1, 0);
    for (size_t t = nt + 1; t-- > 0;) {
      if (field.ellipsis) {
        cur[t] = next[t] || (t < nt && cur[t + 1]);
      } else if (t < nt) {
        const bool rest_ok = f + 1 == nf ? true : next[t + 1] != 0;
        cur[t] = rest_ok && field_ok(f, t);
      }
    }
    next.swap(cur);
  }
  return next[0] != 0;
}

}  // namespace tw::match

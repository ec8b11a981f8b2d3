#include "match/dom_parser.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/strings.h"
#include "match/json_escapes.h"

namespace tw::match {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether `t` is a number by RFC 8259 §6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. Sets
// `integer` when it has neither fraction nor exponent.
bool IsJsonNumber(std::string_view t, bool* integer) {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size() || !IsDigit(t[i])) return false;
  if (t[i] == '0') {
    ++i;
  } else {
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  *integer = true;
  if (i < t.size() && t[i] == '.') {
    *integer = false;
    ++i;
    if (i >= t.size() || !IsDigit(t[i])) return false;
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    *integer = false;
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= t.size() || !IsDigit(t[i])) return false;
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  return i == t.size();
}

double NearestDouble(std::string_view t) {
  double d = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec == std::errc() && p == t.data() + t.size()) return d;
  // Out of range: strtod rounds to +-infinity or (-)0 (and to the nearest subnormal).
  return std::strtod(std::string(t).c_str(), nullptr);
}

template <typename T>
uint64_t Bits(T v) {
  uint64_t b;
  static_assert(sizeof(T) == sizeof(b));
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

void AppendDom(simdjson::dom::element e, std::string& out) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      out += '{';
      bool first = true;
      for (auto field : simdjson::dom::object(e)) {
        if (!first) out += ',';
        first = false;
        out += '"';
        AppendJsonEscaped(out, field.key);
        out += "\":";
        AppendDom(field.value, out);
      }
      out += '}';
      return;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (simdjson::dom::element v : simdjson::dom::array(e)) {
        if (!first) out += ',';
        first = false;
        AppendDom(v, out);
      }
      out += ']';
      return;
    }
    case element_type::STRING:
      out += '"';
      AppendJsonEscaped(out, e.get_string().value_unsafe());
      out += '"';
      return;
    case element_type::INT64:
      out += fmt::format("{}", e.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      out += fmt::format("{}", e.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE: {
      const double d = e.get_double().value_unsafe();
      if (std::isinf(d)) {
        out += d > 0 ? "1e999" : "-1e999";
      } else {
        // The shortest spelling that reads back as d, and as a double: "5" and "-0" would
        // read back as the integer 0 and 5, so they are written "5.0" and "-0.0".
        const std::string s = fmt::format("{}", d);
        out += s;
        if (s.find_first_of(".eE") == std::string::npos) out += ".0";
      }
      return;
    }
    case element_type::BOOL:
      out += e.get_bool().value_unsafe() ? "true" : "false";
      return;
    case element_type::NULL_VALUE:
      out += "null";
      return;
  }
}

}  // namespace

bool ReadJsonNumber(std::string_view token, double* out) {
  bool integer = false;
  if (!IsJsonNumber(token, &integer)) return false;
  *out = NearestDouble(token);
  return true;
}

DomParser::DomParser() {
#ifdef SIMDJSON_THREADS_ENABLED
  parser_.threaded = false;
#endif
}

simdjson::error_code DomParser::Parse(std::string_view text, bool padded,
                                      simdjson::dom::element& root) {
  wide_numbers_ = false;
  text_ = {};
  simdjson::error_code err =
      parser_.parse(text.data(), text.size(), /*realloc_if_needed=*/!padded).get(root);
  if ((err == simdjson::STRING_ERROR || err == simdjson::NUMBER_ERROR) &&
      CheckJsonEscapes(text).kind == EscapeCheck::Kind::kLoneSurrogates) {
    // An unpaired surrogate escape reads as U+FFFD: read the copy that says so. (A number
    // beyond simdjson's range may come first in the text, hence NUMBER_ERROR too.)
    ReplaceLoneSurrogates(text, surrogates_);
    text = surrogates_;
    err = parser_.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root);
  }
  if (err != simdjson::NUMBER_ERROR) {
    if (err == simdjson::SUCCESS) text_ = text;
    return err;
  }

  // The fallback: every number token (outside strings) becomes `0`, its value kept aside.
  scratch_.clear();
  numbers_.clear();
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      scratch_ += c;
      if (c == '\\' && i + 1 < text.size()) {
        scratch_ += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c != '-' && !IsDigit(c)) {
      scratch_ += c;
      continue;
    }
    size_t j = i;
    while (j < text.size() && (IsDigit(text[j]) || text[j] == '-' || text[j] == '+' ||
                               text[j] == '.' || text[j] == 'e' || text[j] == 'E')) {
      ++j;
    }
    const std::string_view token = text.substr(i, j - i);
    i = j - 1;
    bool integer = false;
    if (!IsJsonNumber(token, &integer)) return err;  // not JSON: simdjson's own error stands
    NumberSlot slot{'d', 0};
    if (integer) {
      int64_t s = 0;
      uint64_t u = 0;
      const char* b = token.data();
      const char* e = token.data() + token.size();
      if (auto r = std::from_chars(b, e, s); r.ec == std::errc() && r.ptr == e) {
        slot = NumberSlot{'l', Bits(s)};
      } else if (auto r2 = std::from_chars(b, e, u); r2.ec == std::errc() && r2.ptr == e) {
        slot = NumberSlot{'u', u};
      }
    }
    if (slot.type == 'd') slot.bits = Bits(NearestDouble(token));
    numbers_.push_back(slot);
    scratch_ += '0';
  }
  if (numbers_.empty()) return err;
  if (const auto e2 = parser_.parse(scratch_.data(), scratch_.size(), true).get(root)) return e2;

  // Write the values into the tape, in document order. tape[0] is the root word, whose payload
  // is the index just past the closing root word.
  uint64_t* tape = parser_.doc.tape.get();
  const size_t end = static_cast<size_t>(tape[0] & simdjson::internal::JSON_VALUE_MASK);
  size_t next = 0;
  for (size_t i = 1; i < end;) {
    const char type = static_cast<char>(tape[i] >> 56);
    if (type != 'l' && type != 'u' && type != 'd') {
      ++i;
      continue;
    }
    if (next == numbers_.size()) return simdjson::NUMBER_ERROR;  // cannot happen: counted above
    tape[i] = static_cast<uint64_t>(static_cast<unsigned char>(numbers_[next].type)) << 56;
    tape[i + 1] = numbers_[next].bits;
    ++next;
    i += 2;
  }
  if (next != numbers_.size()) return simdjson::NUMBER_ERROR;
  root = parser_.doc.root();
  wide_numbers_ = true;
  text_ = text;
  return simdjson::SUCCESS;
}

std::string MinifyDom(simdjson::dom::element e) {
  std::string out;
  AppendDom(e, out);
  return out;
}

}  // namespace tw::match

#include "match/eventbridge/pattern_json.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <system_error>

#include "common/strings.h"

namespace tw::match::eventbridge {

PatternJson::PatternJson() = default;
PatternJson::~PatternJson() = default;
PatternJson::PatternJson(const PatternJson&) = default;
PatternJson::PatternJson(PatternJson&&) noexcept = default;
PatternJson& PatternJson::operator=(const PatternJson&) = default;
PatternJson& PatternJson::operator=(PatternJson&&) noexcept = default;

namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Result<PatternJson> Document() {
    PatternJson v;
    SkipSpace();
    if (!Value(v, 0)) return Fail(ErrorCode::kInvalidArgument, error_);
    SkipSpace();
    if (pos_ != text_.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("Unexpected trailing content at offset {}", pos_));
    }
    return v;
  }

 private:
  bool Err(std::string what) {
    if (error_.empty()) error_ = std::move(what);
    return false;
  }
  bool Unexpected() {
    if (pos_ >= text_.size()) return Err(fmt::format("Unexpected end of input at offset {}", pos_));
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c >= 0x20 && c < 0x7f) {
      return Err(fmt::format("Unexpected character '{}' at offset {}", static_cast<char>(c), pos_));
    }
    return Err(fmt::format("Unexpected byte 0x{:02x} at offset {}", c, pos_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Unexpected();
    pos_ += word.size();
    return true;
  }

  bool Value(PatternJson& v, int depth) {
    if (depth > kMaxPatternJsonDepth) {
      return Err(fmt::format("Nesting deeper than {} at offset {}", kMaxPatternJsonDepth, pos_));
    }
    v.offset = pos_;
    if (pos_ >= text_.size()) return Unexpected();
    switch (text_[pos_]) {
      case '{':
        return Object(v, depth);
      case '[':
        return Array(v, depth);
      case '"':
        v.kind = PatternJson::Kind::kString;
        return String(v.text);
      case 't':
        v.kind = PatternJson::Kind::kTrue;
        return Literal("true");
      case 'f':
        v.kind = PatternJson::Kind::kFalse;
        return Literal("false");
      case 'n':
        v.kind = PatternJson::Kind::kNull;
        return Literal("null");
      default:
        return Number(v);
    }
  }

  bool Object(PatternJson& v, int depth) {
    v.kind = PatternJson::Kind::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Unexpected();
      std::string key;
      if (!String(key)) return false;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Unexpected();
      ++pos_;
      SkipSpace();
      PatternJson member;
      if (!Value(member, depth + 1)) return false;
      v.members.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Unexpected();
    }
  }

  bool Array(PatternJson& v, int depth) {
    v.kind = PatternJson::Kind::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      PatternJson item;
      if (!Value(item, depth + 1)) return false;
      v.items.push_back(std::move(item));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Unexpected();
    }
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return Unexpected();
    uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_];
      cp <<= 4;
      if (c >= '0' && c <= '9') {
        cp |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        cp |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Unexpected();
      }
      ++pos_;
    }
    *out = cp;
    return true;
  }

  bool String(std::string& out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) return Unexpected();
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return Unexpected();
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return Unexpected();
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            const size_t save = pos_;
            pos_ += 2;
            uint32_t lo = 0;
            if (!Hex4(&lo)) return false;
            if (lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              pos_ = save;  // unpaired: keep the high surrogate as U+FFFD below
            }
          }
          if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          return Unexpected();
      }
    }
  }

  bool Number(PatternJson& v) {
    v.kind = PatternJson::Kind::kNumber;
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      pos_ = start;
      return Unexpected();
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return Unexpected();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return Unexpected();
    }
    v.text = std::string(text_.substr(start, pos_ - start));
    // from_chars: correctly rounded and locale-independent. Out of range, it leaves the value
    // alone: overflow becomes +-infinity and underflow zero, which still compare sensibly.
    const char* first = v.text.data();
    const char* last = first + v.text.size();
    const auto [ptr, ec] = std::from_chars(first, last, v.number);
    if (ec == std::errc::result_out_of_range) {
      const bool negative = v.text[0] == '-';
      const size_t e = v.text.find_first_of("eE");
      const bool tiny = e != std::string::npos && v.text[e + 1] == '-';
      v.number = tiny ? (negative ? -0.0 : 0.0)
                      : (negative ? -std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::infinity());
    }
    return ptr == last || ec == std::errc::result_out_of_range || Unexpected();
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Result<PatternJson> ParsePatternJson(std::string_view text) { return Reader(text).Document(); }

std::string DescribeToken(const PatternJson& value) {
  switch (value.kind) {
    case PatternJson::Kind::kNull:
      return "null";
    case PatternJson::Kind::kTrue:
      return "true";
    case PatternJson::Kind::kFalse:
      return "false";
    case PatternJson::Kind::kNumber:
      return value.text;
    case PatternJson::Kind::kString:
      return value.text;
    case PatternJson::Kind::kArray:
      return "[";
    case PatternJson::Kind::kObject:
      return "{";
  }
  return "?";
}

}  // namespace tw::match::eventbridge

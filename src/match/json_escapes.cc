#include "match/json_escapes.h"

#include <fmt/format.h>

#include <cstring>

#include "common/strings.h"

namespace tw::match {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a `\uXXXX` escape at text[i] (text[i] is the backslash), or -1 when there
// is no such escape there.
int32_t UnitAt(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int32_t v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const int d = HexDigit(text[k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

bool IsHigh(int32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLow(int32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

}  // namespace

EscapeRead ReadEscape(std::string_view text, size_t i, size_t* len) {
  *len = 2;
  if (i + 1 >= text.size()) return EscapeRead::kInvalid;
  switch (text[i + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return EscapeRead::kValid;
    case 'u':
      break;
    default:
      return EscapeRead::kInvalid;
  }
  const int32_t unit = UnitAt(text, i);
  if (unit < 0) return EscapeRead::kInvalid;
  *len = 6;
  if (IsLow(unit)) return EscapeRead::kLone;
  if (!IsHigh(unit)) return EscapeRead::kValid;
  if (IsLow(UnitAt(text, i + 6))) {
    *len = 12;
    return EscapeRead::kValid;
  }
  return EscapeRead::kLone;  // the next escape, if any, is read on its own
}

void AppendUnescaped(std::string_view body, std::string& out) {
  size_t i = 0;
  while (i < body.size()) {
    const size_t bs = body.find('\\', i);
    out.append(body.substr(i, bs == std::string_view::npos ? std::string_view::npos : bs - i));
    if (bs == std::string_view::npos) return;
    i = bs;
    size_t len = 0;
    const EscapeRead read = ReadEscape(body, i, &len);
    if (read == EscapeRead::kInvalid) {  // not expected (see the header): kept as written
      out.append(body.substr(i, len));
    } else if (const char c = body[i + 1]; c != 'u') {
      // \" \\ \/ \b \f \n \r \t: the character each names.
      constexpr std::string_view kFrom = "\"\\/bfnrt";
      constexpr std::string_view kTo = "\"\\/\b\f\n\r\t";
      out.push_back(kTo[kFrom.find(c)]);
    } else if (read == EscapeRead::kLone) {
      AppendUtf8(out, 0xFFFD);
    } else if (len == 12) {
      const int32_t hi = UnitAt(body, i);
      const int32_t lo = UnitAt(body, i + 6);
      AppendUtf8(out, static_cast<uint32_t>(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)));
    } else {
      AppendUtf8(out, static_cast<uint32_t>(UnitAt(body, i)));
    }
    i += len;
  }
}

EscapeCheck CheckJsonEscapes(std::string_view text) {
  EscapeCheck check;
  const char* base = text.data();
  size_t i = 0;
  while (i < text.size()) {
    const void* hit = std::memchr(base + i, '\\', text.size() - i);
    if (hit == nullptr) break;
    i = static_cast<size_t>(static_cast<const char*>(hit) - base);
    size_t len = 0;
    switch (ReadEscape(text, i, &len)) {
      case EscapeRead::kValid:
        break;
      case EscapeRead::kLone:
        check.kind = EscapeCheck::Kind::kLoneSurrogates;
        break;
      case EscapeRead::kInvalid:
        return EscapeCheck{EscapeCheck::Kind::kInvalid, i};
    }
    i += len;
  }
  return check;
}

std::string DescribeBadEscape(std::string_view text, size_t offset) {
  std::string shown = "\\";
  for (size_t k = offset + 1; k < text.size() && k < offset + 6; ++k) {
    const auto c = static_cast<unsigned char>(text[k]);
    if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') break;
    shown += static_cast<char>(c);
  }
  const size_t byte = offset + 1;  // 1-based, for people
  if (offset + 1 >= text.size()) return fmt::format("a backslash ends the text at byte {}", byte);
  if (shown.size() == 1) {
    return fmt::format("invalid escape (a backslash and byte 0x{:02x}) in a string at byte {}",
                       static_cast<unsigned char>(text[offset + 1]), byte);
  }
  return fmt::format("invalid escape {} in a string at byte {}", shown, byte);
}

size_t ReplaceLoneSurrogates(std::string_view text, std::string& out) {
  out.assign(text);
  size_t replaced = 0;
  size_t i = 0;
  while (i < out.size()) {
    const size_t at = out.find('\\', i);
    if (at == std::string::npos) break;
    size_t len = 0;
    if (ReadEscape(out, at, &len) == EscapeRead::kLone) {
      std::memcpy(&out[at], "\\ufffd", 6);
      ++replaced;
    }
    i = at + len;
  }
  return replaced;
}

}  // namespace tw::match

#include "decode/base64.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace tw::decode {
namespace {

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> MakeTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> kDecode = MakeTable();

tl::unexpected<Error> BadChar(std::string_view in, std::size_t offset) {
  const auto c = static_cast<unsigned char>(in[offset]);
  if (c >= 0x20 && c < 0x7f) {
    return Fail(ErrorCode::kParse, fmt::format("base64: invalid character '{}' at offset {}",
                                               static_cast<char>(c), offset));
  }
  return Fail(ErrorCode::kParse,
              fmt::format("base64: invalid byte 0x{:02x} at offset {}", c, offset));
}

}  // namespace

Result<void> Base64DecodeAppend(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) {
    return Fail(ErrorCode::kParse,
                fmt::format("base64: length {} is not a multiple of 4", in.size()));
  }
  if (in.empty()) return Ok();

  std::size_t padding = 0;
  if (in.back() == '=') padding = in[in.size() - 2] == '=' ? 2 : 1;
  const std::size_t data_chars = in.size() - padding;

  const std::size_t old_size = out.size();
  out.resize(old_size + in.size() / 4 * 3);
  char* dst = out.data() + old_size;

  std::size_t i = 0;
  // Full groups of four characters.
  for (; i + 4 <= data_chars; i += 4) {
    const std::uint8_t a = kDecode[static_cast<unsigned char>(in[i])];
    const std::uint8_t b = kDecode[static_cast<unsigned char>(in[i + 1])];
    const std::uint8_t c = kDecode[static_cast<unsigned char>(in[i + 2])];
    const std::uint8_t d = kDecode[static_cast<unsigned char>(in[i + 3])];
    if (((a | b | c | d) & 0xc0) != 0) {  // valid values are below 64
      out.resize(old_size);
      for (std::size_t k = i; k < i + 4; ++k) {
        if (kDecode[static_cast<unsigned char>(in[k])] == kInvalid) return BadChar(in, k);
      }
    }
    const std::uint32_t v = static_cast<std::uint32_t>(a) << 18 |
                            static_cast<std::uint32_t>(b) << 12 |
                            static_cast<std::uint32_t>(c) << 6 | d;
    *dst++ = static_cast<char>(v >> 16);
    *dst++ = static_cast<char>(v >> 8);
    *dst++ = static_cast<char>(v);
  }

  // The last group with padding: "xx==" gives one byte, "xxx=" two.
  if (padding > 0) {
    const std::size_t left = 4 - padding;  // 2 or 3 data characters
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < left; ++k) {
      const std::uint8_t x = kDecode[static_cast<unsigned char>(in[i + k])];
      if (x == kInvalid) {
        out.resize(old_size);
        return BadChar(in, i + k);
      }
      v |= static_cast<std::uint32_t>(x) << (18 - 6 * k);
    }
    const std::uint32_t unused_bits = padding == 2 ? 0xffffu : 0xffu;
    if ((v & unused_bits) != 0) {
      out.resize(old_size);
      return Fail(ErrorCode::kParse,
                  fmt::format("base64: non-zero padding bits in the last group at offset {}", i));
    }
    *dst++ = static_cast<char>(v >> 16);
    if (padding == 1) *dst++ = static_cast<char>(v >> 8);
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
  return Ok();
}

Result<std::string> Base64Decode(std::string_view in) {
  std::string out;
  Result<void> r = Base64DecodeAppend(in, out);
  if (!r) return tl::unexpected(std::move(r.error()));
  return out;
}

}  // namespace tw::decode

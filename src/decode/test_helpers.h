// Helpers shared by the decode tests: building gzip members and base64 text.
#pragma once

#include <libdeflate.h>

#include <memory>
#include <string>
#include <string_view>

namespace tw::decode::testing {

// Returns `data` as one gzip member (libdeflate, level 6).
inline std::string GzipMember(std::string_view data) {
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(
      libdeflate_alloc_compressor(6), &libdeflate_free_compressor);
  std::string out(libdeflate_gzip_compress_bound(c.get(), data.size()), '\0');
  const std::size_t n =
      libdeflate_gzip_compress(c.get(), data.data(), data.size(), out.data(), out.size());
  out.resize(n);
  return out;
}

// Standard base64 with padding.
inline std::string Base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  const auto byte = [&data](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(data[k]));
  };
  for (; i + 3 <= data.size(); i += 3) {
    const unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  if (data.size() - i == 1) {
    const unsigned v = byte(i) << 16;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += "==";
  } else if (data.size() - i == 2) {
    const unsigned v = byte(i) << 16 | byte(i + 1) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += '=';
  }
  return out;
}

inline std::string TestDataPath(std::string_view name) {
  return std::string(TW_TEST_DATA) + "/decode/" + std::string(name);
}

}  // namespace tw::decode::testing

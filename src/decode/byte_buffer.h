// ByteBuffer: a growable byte buffer for input that is read or decoded into it whole and then
// parsed in place, reused from input to input.
//
// Unlike std::string (C++20 has no resize_and_overwrite), growing a ByteBuffer does not zero-fill
// the new bytes: a file read or a gzip member inflated into it writes every byte it keeps, so
// the fill was pure cost (about one byte of memset per input byte; for the files source,
// ~1,600 instructions per event of the callgrind gate). The bytes between size() and
// capacity() are unspecified. At least kJsonPadding bytes of capacity always follow the
// contents, so simdjson can parse them without a copy
// (`simdjson::padded_string_view(b.data(), b.size(), b.capacity())`); Resize zeroes the
// kJsonPadding bytes after the new contents, so that they read as NULs, never as stale input.
//
// Memory: the capacity only grows (by at least half again, so that a series of growing inputs
// costs amortised copies); Release() gives it back.
//
// Thread-safety: none; one owner at a time. Movable, not copyable.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include "common/error.h"

namespace tw::decode {

// Spare capacity guaranteed after decoded bytes (equal to simdjson::SIMDJSON_PADDING; gzip.cc
// checks that at compile time).
inline constexpr std::size_t kJsonPadding = 64;

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(ByteBuffer&&) noexcept = default;
  ByteBuffer& operator=(ByteBuffer&&) noexcept = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  // The bytes readable from data(): size() + kJsonPadding at least (0 before the first growth).
  std::size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_.get(), size_}; }

  // Makes room for `n` bytes of contents (and the padding after them), keeping the first
  // size() bytes. Does not change size().
  void Reserve(std::size_t n) {
    if (n + kJsonPadding <= capacity_) return;
    std::size_t grown = capacity_ + capacity_ / 2;
    if (grown < n + kJsonPadding) grown = n + kJsonPadding;
    std::unique_ptr<char[]> bigger(new char[grown]);  // default-initialised: not zeroed
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = grown;
  }

  // Sets size() to `n`, growing as Reserve does. Bytes between the old and the new size are
  // unspecified (whatever a previous input left there), not zeroed; the kJsonPadding bytes
  // after the new size are zeroed.
  void Resize(std::size_t n) {
    Reserve(n);
    size_ = n;
    std::memset(data_.get() + n, 0, kJsonPadding);
  }

  void Clear() { Resize(0); }

  // Frees the storage.
  void Release() {
    data_.reset();
    size_ = 0;
    capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace tw::decode

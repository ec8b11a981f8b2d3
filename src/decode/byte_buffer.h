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
// Memory: the capacity only grows, to what is asked. A buffer of 256 KiB or more is an anonymous
// mapping of its own: grown with mremap when it holds contents (the kernel moves the pages,
// nothing is copied), mapped afresh when it is empty (the old pages are given back, not kept).
// So a reused buffer keeps resident the pages of the largest input it has held and no more, and
// large buffers never sit in (and fragment) the malloc heap. Release() gives the storage back.
// Running out of memory aborts, as a failed `new` does anywhere in trailwatch.
//
// Thread-safety: none; one owner at a time. Movable, not copyable.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>
#include <utility>

namespace tw::decode {

// Spare capacity guaranteed after decoded bytes (equal to simdjson::SIMDJSON_PADDING; gzip.cc
// checks that at compile time).
inline constexpr std::size_t kJsonPadding = 64;

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer() { Release(); }
  ByteBuffer(ByteBuffer&& other) noexcept { *this = std::move(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  // The bytes readable from data(): size() + kJsonPadding at least (0 before the first growth).
  std::size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_, size_}; }

  // Makes room for `n` bytes of contents (and the padding after them), keeping the first
  // size() bytes. Does not change size().
  void Reserve(std::size_t n) {
    if (n + kJsonPadding > capacity_) Grow(n + kJsonPadding);
  }

  // Sets size() to `n`, growing as Reserve does. Bytes between the old and the new size are
  // unspecified (whatever a previous input left there), not zeroed; the kJsonPadding bytes
  // after the new size are zeroed.
  void Resize(std::size_t n) {
    Reserve(n);
    size_ = n;
    std::memset(data_ + n, 0, kJsonPadding);
  }

  void Clear() { Resize(0); }

  // Frees the storage.
  void Release();

 private:
  // Makes capacity() at least `bytes`, keeping the first size() bytes.
  void Grow(std::size_t bytes);

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  bool mapped_ = false;  // data_ is an anonymous mapping (large buffers), else new char[]
};

}  // namespace tw::decode

// Gzip decompression for CloudTrail log files and CloudWatch Logs payloads.
//
// CloudTrail delivers every log file as gzip (RFC 1952); CloudWatch Logs subscription payloads are
// gzip inside base64. Some producers (and `cat a.gz b.gz`) write several gzip members back to
// back, which RFC 1952 section 2.2 defines as one file whose content is the concatenation of the
// members' content, so Gunzip decodes every member and appends its output.
//
// libdeflate decompresses whole buffers only, so the output size must be guessed: the ISIZE
// trailer (the uncompressed size modulo 2^32 of the last member) is used as the first guess and
// the buffer grows by doubling when a guess is too small.
//
// Damage: when a member is truncated or corrupt, the content of the complete members before it,
// and whatever of the damaged member decodes before the damage (recovered with zlib's streaming
// inflate, since libdeflate decodes whole members only), is left in `out`, so the caller can
// still evaluate the records it holds. A kCorruption error says at which input offset the damage
// starts and how many bytes were decoded before it.
//
// Padding: on return (success or failure) `out.capacity() >= out.size() + kJsonPadding`, so the
// caller may hand `out` to simdjson without a copy, e.g.
// `simdjson::padded_string_view(out.data(), out.size(), out.capacity())`.
//
// Thread-safety: a Gunzipper is not thread-safe; use one per thread. The free function Gunzip
// keeps one Gunzipper per thread for you.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "decode/byte_buffer.h"  // ByteBuffer, kJsonPadding

struct libdeflate_decompressor;

namespace tw::decode {

// Default limit on the decompressed size of one input (all members together). CloudTrail log
// files are a few MB uncompressed; anything near this limit is an attack or a mistake.
inline constexpr std::size_t kDefaultMaxGunzipBytes = std::size_t{1} << 30;  // 1 GiB

// True when `in` starts with the gzip magic bytes 1f 8b. Cheap; says nothing about validity.
bool LooksGzip(std::string_view in);

// Owns one libdeflate decompressor. Movable, not copyable.
class Gunzipper {
 public:
  // Allocates the decompressor. Fails with kResourceExhausted when memory is short.
  [[nodiscard]] static Result<Gunzipper> Create();

  Gunzipper(Gunzipper&&) noexcept = default;
  Gunzipper& operator=(Gunzipper&&) noexcept = default;
  ~Gunzipper() = default;

  // Replaces the contents of `out` with the decompressed content of every gzip member of `in`.
  //
  // Errors (out keeps everything decoded before the problem):
  //   kCorruption        `in` is empty, does not start with a gzip member, a member is truncated
  //                      or corrupt (bad deflate data, CRC32 or ISIZE mismatch), or bytes other
  //                      than NUL padding follow the last member. The message names the member
  //                      number, the input offset and the number of bytes decoded before it.
  //   kResourceExhausted the output would exceed `max_bytes`.
  // Trailing NUL bytes after the last member (tape/block padding) are ignored, as gzip(1) does.
  [[nodiscard]] Result<void> Decompress(std::string_view in, std::string& out,
                                        std::size_t max_bytes = kDefaultMaxGunzipBytes);

  // Decompress into a buffer reused across inputs: the content is out[0, size) and `out` is
  // not shrunk to it, so its size is the largest output so far plus kJsonPadding, and only
  // growth beyond that costs a zero fill (std::string::resize; C++20 has no
  // resize_and_overwrite). On return (success or failure) out.size() >= size + kJsonPadding,
  // so `simdjson::padded_string_view(out.data(), size, out.size())` parses in place. Errors as
  // Decompress; `size` then counts the bytes decoded before the problem.
  [[nodiscard]] Result<void> DecompressInto(std::string_view in, std::string& out,
                                            std::size_t& size,
                                            std::size_t max_bytes = kDefaultMaxGunzipBytes);

  // Decompress into a ByteBuffer, which grows without a zero fill: on return (success or
  // failure) out.size() is the number of bytes decoded (before the problem, on failure), with
  // kJsonPadding bytes readable after them. The usual single-member file is inflated once,
  // into a buffer sized from its ISIZE trailer. Errors as Decompress.
  [[nodiscard]] Result<void> DecompressInto(std::string_view in, ByteBuffer& out,
                                            std::size_t max_bytes = kDefaultMaxGunzipBytes);

 private:
  struct Deleter {
    void operator()(libdeflate_decompressor* d) const;
  };
  explicit Gunzipper(libdeflate_decompressor* d) : decompressor_(d) {}

  std::unique_ptr<libdeflate_decompressor, Deleter> decompressor_;
};

// Gunzipper::Decompress with a per-thread Gunzipper created on first use.
[[nodiscard]] Result<void> Gunzip(std::string_view in, std::string& out,
                                  std::size_t max_bytes = kDefaultMaxGunzipBytes);

// Gunzipper::DecompressInto with the per-thread Gunzipper of Gunzip.
[[nodiscard]] Result<void> GunzipInto(std::string_view in, std::string& out, std::size_t& size,
                                      std::size_t max_bytes = kDefaultMaxGunzipBytes);

// Gunzipper::DecompressInto (ByteBuffer) with the per-thread Gunzipper of Gunzip.
[[nodiscard]] Result<void> GunzipInto(std::string_view in, ByteBuffer& out,
                                      std::size_t max_bytes = kDefaultMaxGunzipBytes);

}  // namespace tw::decode

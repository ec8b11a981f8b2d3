// Reading whole inputs into memory, ready for in-place parsing.
//
// CloudTrail log files are small (a few MB), so trailwatch reads a file whole and decodes it from
// memory. The returned string always has at least kJsonPadding bytes of spare capacity after its
// contents, so uncompressed JSON can be parsed by simdjson without a copy
// (`simdjson::padded_string_view(s.data(), s.size(), s.capacity())`).
//
// Thread-safety: the functions share no state; a FILE* must not be read by two threads at once.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

#include "common/error.h"
#include "decode/byte_buffer.h"

namespace tw::decode {

// Default upper bound on the size of one input read by ReadFile/ReadStream.
inline constexpr std::size_t kDefaultMaxReadBytes = std::size_t{1} << 30;  // 1 GiB

// Returns the bytes of the regular file at `path` (read with POSIX open/fstat/read into a buffer
// sized from fstat, growing if the file grows while being read).
// Errors, each naming the path: kNotFound (no such file or directory), kIo (permission denied, a
// directory, a read error), kResourceExhausted (larger than `max_bytes`).
[[nodiscard]] Result<std::string> ReadFile(const std::string& path,
                                           std::size_t max_bytes = kDefaultMaxReadBytes);

// ReadFile into a buffer reused from file to file: `out` is replaced by the file's bytes (with
// kJsonPadding readable after them) and grows without a zero fill (decode/byte_buffer.h), so a
// worker reading one file after another allocates only when a file is larger than any before.
// Errors as ReadFile; `out` is then empty.
[[nodiscard]] Result<void> ReadFileInto(const std::string& path, ByteBuffer& out,
                                        std::size_t max_bytes = kDefaultMaxReadBytes);

// Returns every byte remaining in `stream` (e.g. stdin) until end of file. `name` is used in error
// messages. Errors: kIo (a read error), kResourceExhausted (more than `max_bytes`).
[[nodiscard]] Result<std::string> ReadStream(std::FILE* stream, const std::string& name = "<stdin>",
                                             std::size_t max_bytes = kDefaultMaxReadBytes);

}  // namespace tw::decode

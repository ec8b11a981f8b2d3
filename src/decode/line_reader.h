// LineReader: complete lines from a file descriptor, in bounded memory.
//
// NDJSON files and streams (standard input, a pipe) are read in fixed windows instead of whole:
// one buffer of `window` bytes (256 KiB by default) is allocated once and reused. Each call to
// Next() hands out every complete line the buffer holds, as one run of text cut after its last
// '\n'; the incomplete tail is moved to the front of the buffer and completed by the next read.
// Memory is therefore the window (plus simdjson padding), whatever the input's size.
//
// Long lines: a line that does not fit in the window doubles the buffer, up to `max_line` bytes
// (64 MiB by default). A line of max_line bytes or more (not counting its '\n') is not handed
// out: Next() reports it once
// (kSkippedLine, with its 1-based line number and length) and drops its bytes up to and including
// the next '\n'. After a long line the buffer returns to the window size at the next
// opportunity, so one long line does not keep 64 MiB for the rest of the stream.
//
// Streaming: Next() issues at most one read(2) per call, and a read on a pipe returns whatever is
// available. A line is therefore handed out as soon as its '\n' has arrived; the reader never
// waits for the window to fill. A caller that must not block (to check a stop flag, or to flush a
// batch when input pauses) polls the descriptor first and calls Next() only when it is readable.
//
// Line endings: a line ends at '\n'. "\r\n" is one line ending; the '\r' stays in the text (JSON
// treats it as whitespace). The last line of the input needs no '\n'. NUL and other bytes are
// ordinary bytes. The text handed out is not validated or decoded in any way.
//
// Ownership and thread-safety: the reader borrows the descriptor (it never closes it) and owns
// its buffer. One thread at a time. The views it returns are valid until the next call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace tw::decode {

struct LineReaderOptions {
  // The buffer's size, allocated once and reused: the most that one read() asks for and the
  // longest run of lines handed out at once.
  std::size_t window = std::size_t{256} << 10;  // 256 KiB
  // The longest line kept; a longer one is reported and skipped. At least `window`.
  std::size_t max_line = std::size_t{64} << 20;  // 64 MiB
};

class LineReader {
 public:
  enum class Kind : uint8_t {
    kLines,        // `text` holds one or more complete lines
    kNothingYet,   // a read returned data but no line is complete yet; call again
    kSkippedLine,  // a line longer than max_line was dropped: `line`, `bytes`
    kEnd,          // end of input, everything handed out
  };

  struct Step {
    Kind kind = Kind::kEnd;
    // kLines: the lines, each ending in '\n' except possibly the input's last one. Valid until
    // the next call. Has at least 64 readable bytes after its end (simdjson padding) which are
    // not part of the input.
    std::string_view text;
    // kLines: the 1-based number of the first line in `text`; kSkippedLine: of the dropped line.
    uint64_t line = 0;
    // kLines: how many lines `text` holds. kSkippedLine: the dropped line's length in bytes.
    uint64_t count = 0;
  };

  // Errors: kInvalidArgument when fd < 0, window is 0 or max_line < window.
  [[nodiscard]] static Result<LineReader> Create(int fd, LineReaderOptions options = {});

  LineReader(LineReader&&) = default;
  LineReader& operator=(LineReader&&) = default;

  // The next step, after at most one read(2) (none when complete lines are already buffered).
  // Blocks only inside that read. EINTR is retried. Errors: kIo (the read failed; the message
  // has errno's text). After kEnd or an error, every call returns the same.
  [[nodiscard]] Result<Step> Next();

  // After a kLines step, before the next call: hands over the buffer that holds the step's
  // text, cut to exactly that text (size() == text.size(), and at least 64 readable bytes of
  // capacity after it: simdjson padding), so the caller owns the lines without copying them
  // (step.text must not be used afterwards: the returned string holds its bytes). The reader
  // goes on in `spare`
  // (any string; pass one handed out before to avoid allocating: resizing it to the buffer
  // size then writes only the bytes it did not already hold), with the bytes not yet handed
  // out moved to its front. Once per kLines step; otherwise it returns an empty string and
  // keeps its buffer.
  std::string TakeLines(std::string spare);

  // Sniffing, before the first Next(): reads once more (one read(2), blocking) without handing out
  // lines and returns every byte buffered so far (valid until the next call). Once the input has
  // ended (ended()) or the window is full, it returns the same bytes without reading. Errors: kIo.
  [[nodiscard]] Result<std::string_view> Fill();
  // Appends every byte not yet handed out, and the rest of the input, to `out` (reading the
  // input whole instead of as lines). Errors: kIo; kResourceExhausted when `out` would pass
  // `max_bytes` (out then holds the first max_bytes bytes).
  [[nodiscard]] Result<void> ReadAll(std::string& out, std::size_t max_bytes);
  // True once a read returned end of file.
  bool ended() const { return eof_; }
  // True when Next() has something to hand out without reading: bytes not yet looked at (after
  // Fill), or the end of input not yet reported. A caller that polls the descriptor before
  // calling Next() must call Next() first while this is true: the bytes are no longer in the
  // descriptor.
  bool buffered() const { return scanned_ < end_ || eof_; }

  // The number of lines handed out or skipped so far.
  uint64_t lines() const { return next_line_ - 1; }
  // The current buffer size (window, or more while a long line is being read).
  std::size_t buffer_size() const { return buffer_.size() - kPadding; }

 private:
  static constexpr std::size_t kPadding = 64;  // >= simdjson::SIMDJSON_PADDING

  LineReader(int fd, LineReaderOptions options);
  // Moves the unconsumed tail to the front; grows or shrinks the buffer as the tail needs, or
  // starts skipping a line that has reached max_line.
  void Compact();
  // Hands out [begin_, stop) as lines.
  Step HandOut(std::size_t stop);

  int fd_;
  LineReaderOptions options_;
  std::string buffer_;       // size = capacity in use + kPadding
  std::size_t begin_ = 0;    // first unconsumed byte
  std::size_t end_ = 0;      // one past the last byte read
  std::size_t scanned_ = 0;  // [begin_, scanned_) holds no '\n'
  // The last kLines step's text, [handed_begin_, begin_), while TakeLines may take it.
  std::size_t handed_begin_ = 0;
  bool takeable_ = false;
  uint64_t next_line_ = 1;  // number of the line starting at begin_
  bool eof_ = false;
  bool skipping_ = false;       // dropping the rest of an overlong line
  uint64_t skipped_bytes_ = 0;  // its length so far
  uint64_t skipped_line_ = 0;   // its number
  std::optional<Error> error_;
};

}  // namespace tw::decode

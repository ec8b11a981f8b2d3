#include "decode/line_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace tw::decode {

Result<LineReader> LineReader::Create(int fd, LineReaderOptions options) {
  if (fd < 0) return Fail(ErrorCode::kInvalidArgument, "line reader: no file descriptor");
  if (options.window == 0) return Fail(ErrorCode::kInvalidArgument, "line reader: window is 0");
  if (options.max_line < options.window) {
    return Fail(ErrorCode::kInvalidArgument, "line reader: max_line is smaller than the window");
  }
  return LineReader(fd, options);
}

LineReader::LineReader(int fd, LineReaderOptions options) : fd_(fd), options_(options) {
  buffer_.resize(options_.window + kPadding);
}

LineReader::Step LineReader::HandOut(std::size_t stop) {
  Step step;
  step.kind = Kind::kLines;
  step.text = std::string_view(buffer_.data() + begin_, stop - begin_);
  step.line = next_line_;
  // memchr from newline to newline (glibc's is vectorised; std::count is a byte loop at -O2,
  // which was a fifth of a windowed NDJSON scan's time).
  uint64_t count = 0;
  const char* p = step.text.data();
  const char* const end = p + step.text.size();
  while (p < end) {
    p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (p == nullptr) break;
    ++count;
    ++p;
  }
  step.count = count;
  if (step.text.back() != '\n') ++step.count;  // the input's last line, without '\n'
  next_line_ += step.count;
  handed_begin_ = begin_;
  takeable_ = true;
  begin_ = stop;
  scanned_ = end_;  // stop follows the last '\n' buffered (or is end_)
  return step;
}

void LineReader::Compact() {
  const std::size_t tail = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
    scanned_ -= begin_;
    end_ = tail;
    begin_ = 0;
  }
  const std::size_t size = buffer_size();
  if (end_ == size) {  // full, and (by the caller's scan) no '\n' in it
    if (size < options_.max_line) {
      buffer_.resize(std::min(size * 2, options_.max_line) + kPadding);
    } else {
      skipping_ = true;
      skipped_line_ = next_line_;
      skipped_bytes_ = end_;
      begin_ = end_ = scanned_ = 0;
    }
  } else if (size > options_.window && end_ < options_.window) {
    // A long line has passed: give the memory back.
    std::string smaller(options_.window + kPadding, '\0');
    std::memcpy(smaller.data(), buffer_.data(), end_);
    buffer_.swap(smaller);
  }
}

std::string LineReader::TakeLines(std::string spare) {
  if (!takeable_) return {};
  takeable_ = false;
  // The bytes after the handed-out lines (an incomplete line) go to the front of `spare`.
  const std::size_t tail = end_ - begin_;
  spare.resize(std::max(options_.window, tail) + kPadding);
  std::memcpy(spare.data(), buffer_.data() + begin_, tail);
  std::string lines = std::move(buffer_);
  buffer_ = std::move(spare);
  lines.resize(begin_);  // a cut: nothing is written but the terminator
  if (handed_begin_ > 0) lines.erase(0, handed_begin_);
  begin_ = 0;
  end_ = tail;
  scanned_ = tail;  // HandOut scanned everything read: the tail holds no '\n'
  return lines;
}

Result<std::string_view> LineReader::Fill() {
  if (error_) return tl::unexpected(*error_);
  if (!eof_ && end_ < buffer_size()) {
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.data() + end_, buffer_size() - end_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error_ = Error{ErrorCode::kIo, std::string("read: ") + std::strerror(errno)};
      return tl::unexpected(*error_);
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
  }
  return std::string_view(buffer_.data() + begin_, end_ - begin_);
}

Result<void> LineReader::ReadAll(std::string& out, std::size_t max_bytes) {
  if (error_) return tl::unexpected(*error_);
  auto append = [&](const char* data, std::size_t size) -> Result<void> {
    if (out.size() + size > max_bytes) {
      out.append(data, max_bytes - out.size());
      return Fail(ErrorCode::kResourceExhausted,
                  "input larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(data, size);
    return Ok();
  };
  if (auto ok = append(buffer_.data() + begin_, end_ - begin_); !ok) return ok;
  begin_ = end_ = scanned_ = 0;
  while (!eof_) {
    ssize_t n = ::read(fd_, buffer_.data(), buffer_size());
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = Error{ErrorCode::kIo, std::string("read: ") + std::strerror(errno)};
      return tl::unexpected(*error_);
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    if (auto ok = append(buffer_.data(), static_cast<std::size_t>(n)); !ok) return ok;
  }
  return Ok();
}

Result<LineReader::Step> LineReader::Next() {
  takeable_ = false;
  if (error_) return tl::unexpected(*error_);
  bool did_read = false;
  for (;;) {
    if (!skipping_ && scanned_ < end_) {
      const void* nl = memrchr(buffer_.data() + scanned_, '\n', end_ - scanned_);
      if (nl != nullptr) {
        return HandOut(static_cast<std::size_t>(static_cast<const char*>(nl) - buffer_.data()) + 1);
      }
      scanned_ = end_;
    }
    if (eof_) {
      if (skipping_) {
        skipping_ = false;
        next_line_ = skipped_line_ + 1;
        return Step{Kind::kSkippedLine, {}, skipped_line_, skipped_bytes_};
      }
      if (begin_ < end_) return HandOut(end_);
      return Step{Kind::kEnd, {}, next_line_, 0};
    }
    if (did_read) return Step{Kind::kNothingYet, {}, next_line_, 0};

    Compact();
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.data() + end_, buffer_size() - end_);
    } while (n < 0 && errno == EINTR);
    did_read = true;
    if (n < 0) {
      error_ = Error{ErrorCode::kIo, std::string("read: ") + std::strerror(errno)};
      return tl::unexpected(*error_);
    }
    if (n == 0) {
      eof_ = true;
      continue;
    }
    const auto got = static_cast<std::size_t>(n);
    if (skipping_) {
      const void* nl = std::memchr(buffer_.data(), '\n', got);
      if (nl == nullptr) {
        skipped_bytes_ += got;  // dropped; the next read reuses the buffer from 0
        continue;
      }
      const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buffer_.data());
      skipped_bytes_ += at;
      skipping_ = false;
      begin_ = scanned_ = at + 1;
      end_ = got;
      next_line_ = skipped_line_ + 1;
      return Step{Kind::kSkippedLine, {}, skipped_line_, skipped_bytes_};
    }
    end_ += got;
  }
}

}  // namespace tw::decode

#include "sources/stdin/stdin_source.h"

#include <poll.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace tw::sources {
namespace {

// Spare capacity left after a document so that the record reader parses it in place
// (simdjson::SIMDJSON_PADDING is 64).
constexpr std::size_t kPadding = 64;

bool Blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The number of '\n' in `s`.
uint64_t CountLines(std::string_view s) {
  uint64_t n = 0;
  const char* p = s.data();
  const char* const end = p + s.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

Result<std::unique_ptr<StdinSource>> StdinSource::Create(StdinOptions options, const Clock& clock) {
  if (options.max_batch_bytes == 0) {
    return Fail(ErrorCode::kInvalidArgument, "stdin source: max_batch_bytes is 0");
  }
  if (options.max_batch_delay.count() < 0) {
    return Fail(ErrorCode::kInvalidArgument, "stdin source: max_batch_delay is negative");
  }
  auto reader = decode::LineReader::Create(options.fd, options.lines);
  if (!reader) return tl::unexpected(reader.error());
  return std::unique_ptr<StdinSource>(
      new StdinSource(std::move(options), clock, std::move(*reader)));
}

StdinSource::StdinSource(StdinOptions options, const Clock& clock, decode::LineReader reader)
    : options_(std::move(options)), clock_(clock), reader_(std::move(reader)) {}

Result<bool> StdinSource::Readable(std::chrono::milliseconds timeout) {
  pollfd pfd{options_.fd, POLLIN, 0};
  const int n = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (n < 0) {
    if (errno == EINTR) return false;
    return Fail(ErrorCode::kIo, std::string("stdin source: poll: ") + std::strerror(errno));
  }
  // POLLHUP/POLLERR: the next read returns end of file or the error.
  return n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

bool StdinSource::TakePending(std::string& doc) {
  const std::size_t max = options_.max_batch_bytes;
  const std::size_t room = max > doc.size() ? max - doc.size() : 0;
  if (pending_.size() <= room) {
    doc.append(pending_);
    pending_line_ += CountLines(pending_);
    pending_ = {};
    return doc.size() < max;
  }
  std::size_t cut = room > 0 ? pending_.rfind('\n', room - 1) : std::string_view::npos;
  if (cut == std::string_view::npos) {
    if (!doc.empty()) return false;
    cut = pending_.find('\n');  // a line longer than the batch: a batch of its own
    if (cut == std::string_view::npos) cut = pending_.size() - 1;
  }
  doc.append(pending_.substr(0, cut + 1));
  pending_line_ += CountLines(pending_.substr(0, cut + 1));
  pending_.remove_prefix(cut + 1);
  return false;
}

Result<std::optional<StdinSource::Mode>> StdinSource::Sniff(const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load(std::memory_order_acquire)) return std::nullopt;
    auto readable = Readable(std::chrono::milliseconds(100));
    if (!readable) return tl::unexpected(readable.error());
    if (!*readable) continue;
    auto seen = reader_.Fill();
    if (!seen) return Fail(seen.error().code, "stdin source: " + seen.error().message);
    const std::string_view bytes = *seen;
    const bool ended = reader_.ended() || bytes.size() >= options_.lines.window;
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    size_t i = 0;
    if (bytes.substr(0, 3) == kBom) {
      i = 3;
    } else if (kBom.substr(0, bytes.size()) == bytes && !ended) {
      continue;  // maybe a BOM: wait for more
    }
    while (i < bytes.size() && Blank(bytes[i])) ++i;
    if (i == bytes.size()) {
      if (ended) return Mode::kWhole;  // empty or blank: as before
      continue;
    }
    if (bytes[i] != '{') return Mode::kWhole;  // gzip, '[', text
    if (i + 1 == bytes.size()) {
      if (ended) return Mode::kWhole;
      continue;
    }
    return Blank(bytes[i + 1]) ? Mode::kWhole : Mode::kStream;
  }
}

Result<std::optional<Batch>> StdinSource::NextWhole() {
  if (done_) return std::nullopt;
  done_ = true;
  Batch batch;
  batch.input = "-";
  std::string doc;
  auto read = reader_.ReadAll(doc, options_.max_document_bytes);
  if (!read) {
    if (read.error().code != ErrorCode::kResourceExhausted) {
      return Fail(read.error().code, "stdin source: " + read.error().message);
    }
    batch.error = read.error();
    return batch;
  }
  if (doc.capacity() - doc.size() < kPadding) doc.reserve(doc.size() + kPadding);
  batch.documents.push_back(std::move(doc));
  return batch;
}

Result<std::optional<Batch>> StdinSource::Next(const std::atomic<bool>& stop) {
  std::lock_guard lock(mu_);
  if (mode_ == Mode::kUndecided) {
    auto mode = Sniff(stop);
    if (!mode) return tl::unexpected(mode.error());
    if (!*mode) return std::nullopt;
    mode_ = **mode;
  }
  if (mode_ == Mode::kWhole) return NextWhole();
  std::string doc;
  Clock::MonoTime first{};
  uint64_t first_line = 0;
  while (!pending_error_) {
    if (!pending_.empty()) {
      if (doc.empty()) {
        first = clock_.Monotonic();
        first_line = pending_line_;
      }
      if (!TakePending(doc)) break;
      continue;
    }
    if (done_) break;
    if (!doc.empty()) {
      if (clock_.Monotonic() - first >= options_.max_batch_delay) break;
      if (!reader_.buffered()) {  // bytes the reader holds already need no poll
        auto readable = Readable(std::chrono::milliseconds(0));
        if (!readable) return tl::unexpected(readable.error());
        if (!*readable) break;  // the input paused: hand out what we have now
      }
    } else if (!reader_.buffered()) {
      if (stop.load(std::memory_order_acquire)) return std::nullopt;
      auto readable = Readable(std::chrono::milliseconds(100));
      if (!readable) return tl::unexpected(readable.error());
      if (!*readable) continue;
    }
    auto step = reader_.Next();
    if (!step) {
      return Fail(step.error().code, "stdin source: " + step.error().message);
    }
    switch (step->kind) {
      case decode::LineReader::Kind::kLines:
        pending_ = step->text;
        pending_line_ = step->line - 1;
        break;
      case decode::LineReader::Kind::kNothingYet:
        break;
      case decode::LineReader::Kind::kSkippedLine:
        pending_error_ =
            Error{ErrorCode::kResourceExhausted,
                  "line " + std::to_string(step->line) + ": " + std::to_string(step->count) +
                      " bytes, longer than the " + std::to_string(options_.lines.max_line) +
                      "-byte line limit; skipped"};
        break;
      case decode::LineReader::Kind::kEnd:
        done_ = true;
        break;
    }
  }
  Batch batch;
  batch.input = "-";
  batch.part = parts_++;
  if (doc.empty()) {
    if (!pending_error_) {
      --parts_;
      return std::nullopt;  // end of input, or stopped
    }
    batch.error = std::move(*pending_error_);
    pending_error_.reset();
    return batch;
  }
  if (doc.capacity() - doc.size() < kPadding) doc.reserve(doc.size() + kPadding);
  batch.documents.push_back(std::move(doc));
  batch.line_window = true;
  batch.first_line = first_line;
  return batch;
}

}  // namespace tw::sources

#include "sources/stdin/stdin_source.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "decode/input_kind.h"
#include "decode/record_reader.h"

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

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The largest gzip member content decoded whole by libdeflate (a CloudTrail file is a few MB);
// a larger member is streamed by zlib, so that memory stays bounded.
constexpr std::size_t kMaxWholeMember = std::size_t{16} << 20;

// How to read an input that starts with `bytes` (all of it so far); nullopt: not known yet.
// `final`: no more bytes will come before deciding (the input ended, or the window is full).
//   gzip magic                                  -> kGzip
//   '[' or an object spread over lines          -> kDocuments (cut into JSON documents)
//   a CloudTrail file, lookup-events output, CloudWatch Logs payload, digest, Insights file,
//   or two objects on the first line ({..}{..}: `zcat *.json.gz`) -> kDocuments
//   another compact object (a record, an event) -> kStream (NDJSON lines)
//   anything else (text, nothing)               -> kWhole
std::optional<int> SniffMode(std::string_view bytes, bool final) {
  enum { kStream = 1, kWhole = 2, kDocuments = 3, kGzip = 4 };
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    return kGzip;
  }
  if (!final && bytes.size() < 2 &&
      (bytes.empty() || static_cast<unsigned char>(bytes[0]) == 0x1f)) {
    return std::nullopt;
  }
  size_t i = 0;
  if (bytes.substr(0, 3) == kBom) {
    i = 3;
  } else if (kBom.substr(0, bytes.size()) == bytes && !final) {
    return std::nullopt;  // maybe a BOM: wait for more
  }
  while (i < bytes.size() && Blank(bytes[i])) ++i;
  if (i == bytes.size()) return final ? std::optional<int>(kWhole) : std::nullopt;
  if (bytes[i] == '[') return kDocuments;
  if (bytes[i] != '{') return kWhole;  // text, other compression
  if (i + 1 == bytes.size()) return final ? std::optional<int>(kDocuments) : std::nullopt;
  if (Blank(bytes[i + 1])) return kDocuments;  // pretty-printed
  switch (decode::ClassifyInput(bytes.substr(i))) {
    case decode::InputKind::kCloudTrailFile:
    case decode::InputKind::kInsight:
    case decode::InputKind::kDigest:
    case decode::InputKind::kLookupEvents:
    case decode::InputKind::kCwlSubscription:
    case decode::InputKind::kCwlSubscriptionLambda:
    case decode::InputKind::kRecordArray:
      return kDocuments;
    default:
      break;
  }
  const char* const end = bytes.data() + bytes.size();
  const char* e = decode::JsonValueEnd(bytes.data() + i, end);
  if (e == nullptr) return final ? std::optional<int>(kStream) : std::nullopt;
  while (e < end && (*e == ' ' || *e == '\t' || *e == '\r')) ++e;
  if (e == end && !final) return std::nullopt;
  return e < end && (*e == '{' || *e == '[') ? kDocuments : kStream;
}

// A pipe's buffer (64 KiB by default on Linux) bounds what one read(2) returns: ask for 1 MiB
// (the unprivileged limit, /proc/sys/fs/pipe-max-size), so that with a fast producer (`cat`,
// `zcat`) one read fills the 256 KiB line window, where a 64 KiB pipe takes four reads and
// four polls. Not a pipe, or refused (a lower limit, an old kernel): nothing changes.
void GrowPipe(int fd) {
#ifdef F_SETPIPE_SZ
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) (void)::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
  (void)fd;
#endif
}

}  // namespace

Result<std::unique_ptr<StdinSource>> StdinSource::Create(StdinOptions options, const Clock& clock) {
  if (options.max_batch_bytes == 0) {
    return Fail(ErrorCode::kInvalidArgument, "stdin source: max_batch_bytes is 0");
  }
  if (options.max_batch_delay.count() < 0) {
    return Fail(ErrorCode::kInvalidArgument, "stdin source: max_batch_delay is negative");
  }
  if (options.compressed_chunk == 0) {
    return Fail(ErrorCode::kInvalidArgument, "stdin source: compressed_chunk is 0");
  }
  if (auto check = decode::DocumentSplitter::Create(options.documents); !check) {
    return Fail(ErrorCode::kInvalidArgument, "stdin source: " + check.error().message);
  }
  auto reader = decode::LineReader::Create(options.fd, options.lines);
  if (!reader) return tl::unexpected(reader.error());
  GrowPipe(options.fd);
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
    const std::optional<int> mode = SniffMode(bytes, ended);
    if (!mode) continue;
    switch (*mode) {
      case 1:
        return Mode::kStream;
      case 2:
        return Mode::kWhole;
      default:
        break;
    }
    // Documents or gzip: the bytes sniffed so far leave the line reader, which is done with.
    input_ended_ = reader_.ended();
    if (*mode == 3) {
      if (auto started = StartSplitter(decode::DocumentSplitterOptions::Unit::kDocuments);
          !started) {
        return tl::unexpected(started.error());
      }
      if (!splitter_->Append(bytes)) head_.assign(bytes);  // fed as room allows
      ReleaseLineReader();
      return Mode::kDocuments;
    }
    auto gunzip = decode::GunzipStream::Create();
    if (!gunzip) return tl::unexpected(gunzip.error());
    gunzip_.emplace(std::move(*gunzip));
    compressed_.resize(std::max(options_.compressed_chunk, bytes.size()));
    std::memcpy(compressed_.data(), bytes.data(), bytes.size());
    in_begin_ = 0;
    in_end_ = bytes.size();
    ReleaseLineReader();
    return Mode::kGzip;
  }
}

void StdinSource::ReleaseLineReader() {
  // The line reader's window (256 KiB, touched as far as the sniffing read went) is not used
  // again: swap it for a minimal one so that its memory is given back.
  auto tiny = decode::LineReader::Create(options_.fd, decode::LineReaderOptions{1, 1});
  if (tiny) reader_ = std::move(*tiny);
}

Result<void> StdinSource::StartSplitter(decode::DocumentSplitterOptions::Unit unit) {
  decode::DocumentSplitterOptions options = options_.documents;
  options.unit = unit;
  if (unit == decode::DocumentSplitterOptions::Unit::kLines) {
    options.max_document = std::max(options_.lines.max_line, options.window);
  }
  auto splitter = decode::DocumentSplitter::Create(options);
  if (!splitter) return tl::unexpected(splitter.error());
  splitter_.emplace(std::move(*splitter));
  split_lines_ = unit == decode::DocumentSplitterOptions::Unit::kLines;
  return Ok();
}

Result<std::size_t> StdinSource::ReadSome(char* out, std::size_t size) {
  ssize_t n;
  do {
    n = ::read(options_.fd, out, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return Fail(ErrorCode::kIo, std::string("stdin source: read: ") + std::strerror(errno));
  return static_cast<std::size_t>(n);
}

bool StdinSource::Inflate() {
  if (in_begin_ == in_end_) return false;
  std::span<char> out;
  std::size_t head_size = head_.size();
  if (!splitter_) {
    // The content's form is not known yet: inflate into head_, at most a window of it.
    const std::size_t room =
        std::min<std::size_t>(64 * 1024, options_.documents.window - head_.size());
    head_.resize(head_size + room);
    out = std::span<char>(head_.data() + head_size, room);
  } else {
    out = splitter_->Space();
  }
  const decode::GunzipStream::Step step =
      gunzip_->Inflate(std::string_view(compressed_.data() + in_begin_, in_end_ - in_begin_), out);
  in_begin_ += step.consumed;
  if (!splitter_) {
    head_.resize(head_size + step.written);
  } else {
    splitter_->Commit(step.written);
    if (step.broke) splitter_->Break();
  }
  if (step.error) split_errors_.push_back(*step.error);
  return step.consumed > 0 || step.written > 0 || step.error.has_value();
}

Result<void> StdinSource::ReadCompressed() {
  if (in_begin_ > 0) {
    std::memmove(compressed_.data(), compressed_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_end_ == compressed_.size()) compressed_.resize(compressed_.size() * 2);  // < 2 bytes left
  auto n = ReadSome(compressed_.data() + in_end_, compressed_.size() - in_end_);
  if (!n) return tl::unexpected(n.error());
  if (*n == 0) input_ended_ = true;
  in_end_ += *n;
  return Ok();
}

Result<bool> StdinSource::InflateWholeMember() {
  if (!gunzip_->at_boundary() || (!splitter_ && !head_.empty())) return false;
  const std::size_t avail = in_end_ - in_begin_;
  if (avail < 2) return false;
  // More input may complete the member: take what is there already first. A producer that
  // paused (or a full buffer) makes us try with what we hold; a member that does not end in it
  // is streamed by zlib instead, so nothing waits for input that may never come.
  // A pipe pauses often (the producer refills it): after a failed attempt, wait until twice
  // the bytes have arrived before trying again (so a member costs at most ~2 attempts), and
  // give up to zlib only when the producer stays quiet for 20 ms (a slow stream, where
  // latency matters more than speed).
  if (!input_ended_ && avail < compressed_.size()) {
    auto readable = Readable(std::chrono::milliseconds(avail < retry_at_ ? 20 : 0));
    if (!readable) return tl::unexpected(readable.error());
    if (*readable) {
      auto read = ReadCompressed();
      if (!read) return tl::unexpected(read.error());
      return true;
    }
    if (avail < retry_at_) {
      retry_at_ = 0;
      return false;  // quiet: zlib streams this member
    }
  }
  const std::string_view in(compressed_.data() + in_begin_, in_end_ - in_begin_);
  decode::GunzipStream::Step step;
  using Whole = decode::GunzipStream::Whole;
  Whole whole = Whole::kNoRoom;
  // A first guess of the member's content size: the window (a CloudTrail file is a few MB).
  std::size_t room = std::max<std::size_t>(options_.documents.window, 1 << 20);
  if (splitter_) {
    whole = gunzip_->InflateMember(in, splitter_->Space(), step);
    if (whole == Whole::kDone) {
      splitter_->Commit(step.written);
      in_begin_ += step.consumed;
      retry_at_ = 0;
      return true;
    }
    room = std::max(room, splitter_->Space().size() * 2);
  }
  // Larger than the splitter's room (or the first member, before the content's form is
  // known): into head_, doubling up to kMaxWholeMember.
  while (whole == Whole::kNoRoom && room <= kMaxWholeMember) {
    head_.resize(room);
    whole = gunzip_->InflateMember(in, std::span<char>(head_.data(), room), step);
    room *= 2;
  }
  if (whole == Whole::kDone) {
    head_.resize(step.written);
    head_pos_ = 0;
    in_begin_ += step.consumed;
    retry_at_ = 0;
    return true;
  }
  std::string().swap(head_);  // give the attempt's memory back
  head_pos_ = 0;
  if (whole == Whole::kIncomplete && !input_ended_ && avail < compressed_.size()) {
    retry_at_ = avail * 2;  // maybe not all there yet: try again with twice the bytes
    return true;
  }
  retry_at_ = 0;
  return false;  // incomplete, damaged or huge: zlib streams this member
}

Result<bool> StdinSource::Feed(std::chrono::milliseconds timeout) {
  if (splitter_ && head_pos_ < head_.size()) {  // content waiting: sniffed, or a whole member
    const std::span<char> space = splitter_->Space();
    const std::size_t n = std::min(space.size(), head_.size() - head_pos_);
    std::memcpy(space.data(), head_.data() + head_pos_, n);
    splitter_->Commit(n);
    head_pos_ += n;
    if (head_pos_ == head_.size()) {
      std::string().swap(head_);  // rarely needed again: give its memory back
      head_pos_ = 0;
    }
    return true;
  }
  if (mode_ == Mode::kGzip) {
    auto whole = InflateWholeMember();
    if (!whole) return tl::unexpected(whole.error());
    bool progress = *whole || Inflate();
    if (progress && !splitter_ && !head_.empty()) {
      // The content's form, from its first bytes (a whole first member, or what zlib gave).
      const bool full = head_.size() >= options_.documents.window;
      const std::optional<int> mode = SniffMode(head_, full);
      if (mode) {
        auto started =
            StartSplitter(*mode == 1 ? decode::DocumentSplitterOptions::Unit::kLines
                                     : decode::DocumentSplitterOptions::Unit::kDocuments);
        if (!started) return tl::unexpected(started.error());
      }
    }
    if (progress) return true;
    if (input_ended_) {
      if (!gzip_finished_) {
        gzip_finished_ = true;
        auto finished =
            gunzip_->Finish(std::string_view(compressed_.data() + in_begin_, in_end_ - in_begin_));
        if (!finished) split_errors_.push_back(finished.error());
        if (!splitter_) {
          const std::optional<int> mode = SniffMode(head_, true);
          auto started =
              StartSplitter(mode && *mode == 1 ? decode::DocumentSplitterOptions::Unit::kLines
                                               : decode::DocumentSplitterOptions::Unit::kDocuments);
          if (!started) return tl::unexpected(started.error());
        }
        return true;
      }
      if (head_pos_ < head_.size()) return true;  // fed above on the next call
      splitter_->Finish();
      return true;
    }
    auto readable = Readable(timeout);
    if (!readable) return tl::unexpected(readable.error());
    if (!*readable) return false;
    auto read = ReadCompressed();
    if (!read) return tl::unexpected(read.error());
    return true;
  }
  // kDocuments
  if (input_ended_) {
    splitter_->Finish();
    return true;
  }
  auto readable = Readable(timeout);
  if (!readable) return tl::unexpected(readable.error());
  if (!*readable) return false;
  const std::span<char> space = splitter_->Space();
  auto n = ReadSome(space.data(), space.size());
  if (!n) return tl::unexpected(n.error());
  if (*n == 0) {
    input_ended_ = true;
    splitter_->Finish();
  }
  splitter_->Commit(*n);
  return true;
}

Result<std::optional<Batch>> StdinSource::NextSplit(const std::atomic<bool>& stop) {
  using Kind = decode::DocumentSplitter::Kind;
  Batch batch;
  batch.input = "-";
  std::size_t bytes = 0;
  Clock::MonoTime first{};
  bool lines = false;
  auto has_data = [&] { return !batch.documents.empty(); };
  while (split_errors_.empty() && !done_) {
    if (!splitter_) {  // gzip content not yet sniffed
      if (!has_data() && stop.load(std::memory_order_acquire)) return std::nullopt;
      auto fed = Feed(std::chrono::milliseconds(100));
      if (!fed) return tl::unexpected(fed.error());
      continue;
    }
    const decode::DocumentSplitter::Piece piece = splitter_->Next();
    switch (piece.kind) {
      case Kind::kDocument: {
        if (!has_data()) {
          first = clock_.Monotonic();
          batch.split_documents = true;
          batch.first_document = piece.index;
        }
        std::string doc;
        doc.reserve(piece.text.size() + kPadding);
        doc.assign(piece.text);
        batch.documents.push_back(std::move(doc));
        bytes += piece.text.size();
        if (bytes >= options_.max_batch_bytes) goto out;
        continue;
      }
      case Kind::kLines: {
        if (!has_data()) {
          first = clock_.Monotonic();
          batch.line_window = true;
          batch.first_line = piece.index;
          batch.documents.emplace_back();
          lines = true;
        }
        std::string& doc = batch.documents.back();
        doc.append(piece.text);
        if (doc.back() != '\n') doc.push_back('\n');  // a last line, or one cut by damage
        bytes += piece.text.size();
        if (bytes >= options_.max_batch_bytes) goto out;
        continue;
      }
      case Kind::kGarbage: {
        // The first bytes, printable ASCII as is and any other byte as <hex> (printers escape
        // again; this keeps binary garbage readable and short).
        std::string head;
        for (const char c : piece.text) {
          head += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                      ? std::string(1, c)
                      : fmt::format("<{:02x}>", static_cast<unsigned char>(c));
        }
        split_errors_.push_back(Error{
            ErrorCode::kParse,
            fmt::format("byte {}: {} byte{} between JSON documents {} not JSON (\"{}\"{}); skipped",
                        piece.offset, piece.count, piece.count == 1 ? "" : "s",
                        piece.count == 1 ? "is" : "are", head,
                        piece.count > piece.text.size() ? "..." : "")});
        continue;
      }
      case Kind::kOversize:
        split_errors_.push_back(
            split_lines_ ? Error{ErrorCode::kResourceExhausted,
                                 fmt::format("line {}: longer than the {}-byte line limit; skipped",
                                             piece.index + 1, options_.lines.max_line)}
                         : Error{ErrorCode::kResourceExhausted,
                                 fmt::format("document {} (from byte {}): longer than the {}-byte "
                                             "document limit; skipped",
                                             piece.index + 1, piece.offset,
                                             options_.documents.max_document)});
        continue;
      case Kind::kBom:
        split_errors_.push_back(
            Error{ErrorCode::kParse,
                  "the input starts with a UTF-8 byte order mark, which is not JSON (ignored; the "
                  "records after it are read)"});
        continue;
      case Kind::kEnd:
        done_ = true;
        continue;
      case Kind::kNeedMore:
        break;
    }
    std::chrono::milliseconds wait(0);
    if (has_data()) {
      if (clock_.Monotonic() - first >= options_.max_batch_delay) break;
    } else {
      if (stop.load(std::memory_order_acquire)) return std::nullopt;
      wait = std::chrono::milliseconds(100);
    }
    auto fed = Feed(wait);
    if (!fed) return tl::unexpected(fed.error());
    if (!*fed && has_data()) break;  // the input paused: hand out what we have now
  }
out:
  if (!numbering_) numbering_ = std::make_shared<RecordNumbering>();
  batch.numbering = numbering_;
  if (has_data()) {
    if (lines) {
      std::string& doc = batch.documents.back();
      if (doc.capacity() - doc.size() < kPadding) doc.reserve(doc.size() + kPadding);
    }
    batch.part = parts_++;
    return batch;
  }
  if (!split_errors_.empty()) {
    batch.part = parts_++;
    batch.error = std::move(split_errors_.front());
    split_errors_.pop_front();
    return batch;
  }
  return std::nullopt;  // end of input, or stopped
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
  if (mode_ == Mode::kDocuments || mode_ == Mode::kGzip) return NextSplit(stop);
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

// StdinSource: an NDJSON stream (standard input, or any readable descriptor) as it arrives.
//
// Streamed or whole: the first bytes decide (after a UTF-8 BOM and blank space). Input that
// starts with '{' followed by a byte that is not blank (a compact JSON object: NDJSON, or a
// one-line CloudTrail file or event) is streamed as below. Anything else (gzip, pretty-printed
// JSON, text, an empty stream) cannot be cut into lines: it is read whole, up to
// `max_document_bytes` (1 GiB), and handed out as one batch, as `scan -` always did.
//
// The stream is read with decode::LineReader (a reused 8 MiB window, lines up to 64 MiB; a longer
// line is reported and skipped), so memory stays bounded however long the stream runs. Lines are
// grouped into batches, the unit the pipeline evaluates and commits:
//   - a batch is a run of complete lines, one document (Batch::documents has one string),
//     marked Batch::line_window with its first line's number in the stream (first_line), so
//     that errors and alerts count lines from the start of the stream; batches are numbered
//     (Batch::part) from 0;
//   - it is handed out as soon as no more input is immediately available (poll(2) with a zero
//     timeout), so a line that arrives alone is evaluated at once: its alert leaves within the
//     100 ms the daemon promises, whatever the batch settings;
//   - while input keeps arriving, a batch closes when it holds `max_batch_bytes` (cut at a line
//     end; a single longer line makes a batch of its own) or when `max_batch_delay` has passed
//     since its first line was read, whichever comes first. A fast producer thus yields batches
//     of about 1 MiB (one state-store commit each, ~8 ms, not one per line), and a line waits
//     at most max_batch_delay behind the lines before it.
// A line of max_line bytes or more becomes a batch with `error` set (kResourceExhausted, naming
// the line number and length) and no documents; the lines after it go on as usual.
//
// Checkpoints: none. A stream cannot be replayed, so a batch carries no checkpoint, Ack does
// nothing, and Nack (a failed commit) cannot re-read: that batch's alerts are lost to the
// outbox, and the pipeline reports the error. Batch::input is "-".
//
// Next(stop) waits for input in steps of at most 100 ms and returns nullopt once `stop` is set
// (a batch being filled is handed out first) or at end of input.
//
// Ownership and thread-safety: the source borrows the descriptor (never closes it) and the
// clock. Next is serialised by a mutex (the pipeline may call it from several workers; batches
// then leave in stream order, one at a time).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "decode/file_reader.h"
#include "decode/line_reader.h"
#include "sources/source.h"

namespace tw::sources {

struct StdinOptions {
  std::string name = "stdin";       // the source's configured name
  int fd = 0;                       // the descriptor read (0: standard input; tests pass a pipe)
  decode::LineReaderOptions lines;  // window (8 MiB) and max_line (64 MiB)
  std::size_t max_batch_bytes = std::size_t{1} << 20;  // 1 MiB
  std::chrono::milliseconds max_batch_delay{5};
  std::size_t max_document_bytes = decode::kDefaultMaxReadBytes;  // input read whole: 1 GiB
};

class StdinSource final : public Source {
 public:
  // Errors: kInvalidArgument for a negative fd, bad line options, max_batch_bytes 0 or a
  // negative delay.
  [[nodiscard]] static Result<std::unique_ptr<StdinSource>> Create(StdinOptions options,
                                                                   const Clock& clock);

  const std::string& name() const override { return options_.name; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override { (void)batch; }

 private:
  enum class Mode { kUndecided, kStream, kWhole };

  StdinSource(StdinOptions options, const Clock& clock, decode::LineReader reader);
  // Reads the first bytes until the mode is known. nullopt: stopped first.
  Result<std::optional<Mode>> Sniff(const std::atomic<bool>& stop);
  // The whole input as one batch.
  Result<std::optional<Batch>> NextWhole();
  // Waits up to `timeout` for the descriptor to be readable (or at end of file / hung up).
  Result<bool> Readable(std::chrono::milliseconds timeout);
  // Moves lines from pending_ into `doc`, at most up to max_batch_bytes (at least one line when
  // `doc` is empty). Returns false when the batch is full.
  bool TakePending(std::string& doc);

  StdinOptions options_;
  const Clock& clock_;
  std::mutex mu_;
  decode::LineReader reader_;
  std::string_view pending_;            // lines handed out by reader_ but not yet batched
  uint64_t pending_line_ = 0;           // the 0-based input line pending_ starts at
  uint64_t parts_ = 0;                  // batches handed out (Batch::part)
  std::optional<Error> pending_error_;  // an overlong line, reported at the next Next
  Mode mode_ = Mode::kUndecided;
  bool done_ = false;
};

}  // namespace tw::sources

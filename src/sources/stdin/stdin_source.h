// StdinSource: standard input (or any readable descriptor) read as it arrives, in bounded
// memory, whatever it holds.
//
// The first bytes decide how (after a UTF-8 BOM and blank space):
//   - NDJSON (a compact object first, neither a CloudTrail file nor another container, nor two
//     objects on its first line): cut into lines, below ("line N" counts from the start);
//   - gzip (1f 8b): decompressed as it arrives, member after member (decode::GunzipStream: a
//     member that ends within the 4 MiB compressed buffer and holds at most 16 MiB is inflated
//     whole by libdeflate; a larger one, one that arrives slowly or a damaged one is streamed by
//     zlib), and its content decided the same way: NDJSON is cut into lines, anything else into
//     documents;
//   - any other JSON ('[', a pretty-printed object, `zcat *.json.gz`: CloudTrail files back to
//     back with nothing between them, lookup-events output, CloudWatch Logs payloads): cut into
//     top-level documents (decode::DocumentSplitter, a reused 8 MiB window; a document may take
//     up to `documents.max_document`, 256 MiB; a larger one is reported, with its number and
//     byte offset, and skipped). Bytes between documents that are not JSON are reported (one
//     error per run, with its byte offset) and skipped; a document the input ends inside is
//     handed out as it is, so the reader salvages its intact records. Each batch holds whole
//     documents (Batch::split_documents, numbered from first_document; Batch::numbering runs
//     the record numbers on across batches, as in one file), so errors say "document N,
//     record M" with M counted from the start of the stream;
//   - anything else (text, an empty stream, bzip2 ...): read whole, up to `max_document_bytes`
//     (1 GiB), and handed out as one batch, as `scan -` always did.
//
// Lines are read with decode::LineReader (a reused 256 KiB window, lines up to 64 MiB; a longer
// line is reported and skipped), so memory stays bounded however long the stream runs. Lines
// (and documents) are grouped into batches, the unit the pipeline evaluates and commits:
//   - a batch is a run of complete lines, one document (Batch::documents has one string),
//     marked Batch::line_window with its first line's number in the stream (first_line), so
//     that errors and alerts count lines from the start of the stream; or a run of whole
//     documents (split_documents); batches are numbered (Batch::part) from 0;
//   - it is handed out as soon as no more input is immediately available (poll(2) with a zero
//     timeout), so a line that arrives alone is evaluated at once: its alert leaves within the
//     100 ms the daemon promises, whatever the batch settings;
//   - while input keeps arriving, a batch closes when it holds `max_batch_bytes` (cut at a line
//     end; a single longer line makes a batch of its own) or when `max_batch_delay` has passed
//     since its first line was read, whichever comes first. A fast producer thus yields batches
//     of about 1 MiB (one state-store commit each, ~8 ms, not one per line), and a line waits
//     at most max_batch_delay behind the lines before it.
// A line of max_line bytes or more becomes a batch with `error` set (kResourceExhausted, naming
// the line number and length) and no documents; the lines after it go on as usual. So do a
// document over max_document, garbage between documents, a byte order mark before documents
// and gzip damage (the decoder skips to the next member and goes on).
//
// Memory: the line window (256 KiB), and in document mode the document window (8 MiB), the
// largest document held (at most max_document) plus 4 MiB of compressed input and, for a gzip
// member larger than the document window's room, its content (at most 16 MiB); zlib's inflate
// state is ~40 KiB.
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
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "decode/document_splitter.h"
#include "decode/file_reader.h"
#include "decode/gunzip_stream.h"
#include "decode/line_reader.h"
#include "sources/source.h"

namespace tw::sources {

struct StdinOptions {
  std::string name = "stdin";       // the source's configured name
  int fd = 0;                       // the descriptor read (0: standard input; tests pass a pipe)
  decode::LineReaderOptions lines;  // window (256 KiB) and max_line (64 MiB)
  // Input that is not NDJSON: window (8 MiB) and max_document (256 MiB). Gzip'ed NDJSON is cut
  // into lines with this window and lines.max_line.
  decode::DocumentSplitterOptions documents;
  // Gzip input buffered: 4 MiB. A member that ends within it is inflated whole by libdeflate;
  // a larger one (or one that arrives slowly) is streamed by zlib.
  std::size_t compressed_chunk = std::size_t{4} << 20;
  std::size_t max_batch_bytes = std::size_t{1} << 20;  // 1 MiB
  std::chrono::milliseconds max_batch_delay{5};
  // Input read whole (text, an empty stream, compression other than gzip): 1 GiB.
  std::size_t max_document_bytes = decode::kDefaultMaxReadBytes;
};

class StdinSource final : public Source {
 public:
  // Errors: kInvalidArgument for a negative fd, bad line or document options, max_batch_bytes 0,
  // compressed_chunk 0 or a negative delay.
  [[nodiscard]] static Result<std::unique_ptr<StdinSource>> Create(StdinOptions options,
                                                                   const Clock& clock);

  const std::string& name() const override { return options_.name; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override { (void)batch; }

 private:
  enum class Mode { kUndecided, kStream, kWhole, kDocuments, kGzip };

  StdinSource(StdinOptions options, const Clock& clock, decode::LineReader reader);
  // Reads the first bytes until the mode is known. nullopt: stopped first.
  Result<std::optional<Mode>> Sniff(const std::atomic<bool>& stop);
  // The whole input as one batch.
  Result<std::optional<Batch>> NextWhole();
  // kDocuments and kGzip: the next batch of documents (or gzip'ed lines) from splitter_.
  Result<std::optional<Batch>> NextSplit(const std::atomic<bool>& stop);
  // Feeds splitter_ (reading, and inflating): waits up to `timeout` for input. Returns true when
  // something changed (bytes committed, an error queued, the input ended).
  Result<bool> Feed(std::chrono::milliseconds timeout);
  // kGzip: inflates buffered compressed bytes (into the sniff buffer until the content's form
  // is known, then into splitter_). Returns true when it made progress.
  bool Inflate();
  // Creates splitter_ for content whose first bytes are `head` (kGzip) or `sniffed` (plain).
  Result<void> StartSplitter(decode::DocumentSplitterOptions::Unit unit);
  // kGzip fast path: a whole member decoded by libdeflate (into splitter_, or head_ when larger
  // than its room); false when the member must be streamed by zlib (Inflate) instead.
  Result<bool> InflateWholeMember();
  // Compacts compressed_ and reads once into it.
  Result<void> ReadCompressed();
  // Frees the line reader's window once the input is known not to be NDJSON.
  void ReleaseLineReader();
  // Reads once into `buf` (compacting it); n == 0: end of input.
  Result<std::size_t> ReadSome(char* out, std::size_t size);
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
  // kDocuments / kGzip.
  std::optional<decode::DocumentSplitter> splitter_;
  std::optional<decode::GunzipStream> gunzip_;
  std::string compressed_;  // gzip input not yet inflated: [in_begin_, in_end_)
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::string head_;  // content not yet fed to splitter_: sniffed, or a whole member inflated
  std::size_t head_pos_ = 0;  // how much of head_ was fed
  std::size_t retry_at_ = 0;  // a whole-member attempt failed: retry once this much is buffered
  bool input_ended_ = false;  // read(2) returned end of file
  bool gzip_finished_ = false;
  bool split_lines_ = false;                    // splitter_ cuts lines (gzip'ed NDJSON)
  std::shared_ptr<RecordNumbering> numbering_;  // on every NextSplit batch
  std::deque<Error> split_errors_;              // reported as batches of their own, in stream order
};

}  // namespace tw::sources

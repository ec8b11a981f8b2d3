// Source: where documents come from (files, a watched directory, stdin, HTTP, S3, SQS, a Lambda
// invocation), one Batch at a time.
//
// A Batch is the unit of acknowledgement: one file, one S3 object, one SQS message, one HTTP
// body, one Lambda invocation, or a run of stdin lines. The pipeline reads each batch's
// documents with a RecordReader, evaluates the records, runs the alert stages, and then, in this
// order:
//   - with a state store: commits the batch's alerts (outbox rows) together with its checkpoint
//     in one transaction (StateStore::Commit), then calls Ack(batch);
//   - without one (`scan`): hands the alerts to the sinks, then calls Ack(batch).
// Ack is where a source makes progress durable or visible: SQS deletes the message, the dir
// source forgets the file, the HTTP source answers 2xx, the Lambda answers the invocation.
// Nack(batch, error) is called instead when the batch could not be committed: SQS lets the
// visibility timeout lapse, the HTTP source answers 5xx, the Lambda posts /error. A batch whose
// input cannot be read at all is handed over with Batch::error set (it is reported, then acked:
// re-reading a missing file does not help).
//
// Thread-safety: the pipeline calls Next from each of its worker threads at once (a source
// serialises internally as it must), and Ack/Nack from any thread, once per batch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "state/state_store.h"

namespace tw::sources {

// Record numbers running on across the batches of one stream whose record counts only the
// reader knows (standard input cut into documents): the worker reading batch `part` takes the
// number of its first record with Acquire(part), which waits until batch part - 1 has been
// read, and hands on the next number with Release(part, next). Every batch of the stream
// carries the same RecordNumbering and must be acquired and released once, in any thread
// (error batches too, with the number unchanged). Batches are handed out in part order, so
// the wait always ends.
class RecordNumbering {
 public:
  uint64_t Acquire(uint64_t part) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return next_part_ == part; });
    return next_record_;
  }
  void Release(uint64_t part, uint64_t next_record) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (part != next_part_) return;  // not acquired: a caller bug, but never a deadlock
      next_record_ = next_record;
      ++next_part_;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_part_ = 0;
  uint64_t next_record_ = 0;
};

struct Batch {
  // The input's display name: a path, "-" for stdin, s3://bucket/key, "http", "lambda:<id>".
  // Alert::input_file and error messages use it; the record reader classifies by its extension.
  std::string input;
  // The documents, each as stored (gzip or not). Most batches hold one; a stdin batch may hold
  // several NDJSON chunks. Each string should keep simdjson::SIMDJSON_PADDING bytes of spare
  // capacity (decode/file_reader.h does); otherwise the reader copies it once.
  std::vector<std::string> documents;
  // Set: the input could not be read (a missing file); `documents` is empty.
  std::optional<Error> error;
  // Set (with `documents` empty): the batch is the whole regular file named by `input`, not read
  // yet. The pipeline's worker reads it (decode::ReadFileInto, into a buffer it reuses from file
  // to file) and reads it as one document; a file that cannot be read is reported as `error`
  // would be. So files are read by the workers in parallel, outside the source's lock, and no
  // buffer is allocated and zero-filled per file (the files source, for `scan`).
  bool read_input = false;
  // Set when `documents` are runs of complete NDJSON lines cut from a larger input read in
  // windows (decode::LineReader: a window of a large NDJSON file, a stretch of standard input).
  // The pipeline reads them as lines (decode::RecordReader::ReadLines) whatever their first line
  // looks like; `first_line` (0-based) is the input line the first document starts at, so that
  // errors and alerts name the input's own line numbers.
  bool line_window = false;
  uint64_t first_line = 0;
  // Set when each of `documents` is one top-level JSON document cut from a stream by
  // decode::DocumentSplitter (standard input that is not NDJSON: `zcat *.json.gz`, a multi-member
  // gzip, pretty-printed records, a JSON array). The pipeline reads documents[i] with
  // decode::RecordReader::ReadDocument as document `first_document + i` (0-based) of the stream,
  // so that errors name the document ("document 4, record 12"); records are numbered on across
  // the stream (`numbering`), as in a whole input.
  bool split_documents = false;
  uint64_t first_document = 0;
  // Set on every batch of a split stream (documents and errors alike): the first record number
  // of its documents, known once the batches before it have been read.
  std::shared_ptr<RecordNumbering> numbering;
  // Batches of one input are numbered from 0 (an input read in windows gives several; most
  // inputs one): a caller counting inputs counts the batches of part 0.
  uint64_t part = 0;
  // The progress to record when the batch is committed (with a state store). Empty source/key:
  // nothing to record.
  state::Checkpoint checkpoint;
  // The source's own handle for Ack/Nack (an index, a receipt handle's slot ...).
  uint64_t handle = 0;
};

class Source {
 public:
  virtual ~Source() = default;

  // The configured name, unique in a config ("files", "dir", "stdin", "http"). Checkpoints are
  // stored under it.
  virtual const std::string& name() const = 0;

  // The next batch; nullopt when the source is exhausted (files, stdin at end of file) or when
  // `stop` became true while waiting. A long-running source (dir, http, sqs) blocks until a batch
  // arrives or `stop` is set, checking `stop` at least every 100 ms. An error means the source
  // itself failed (not one input: that is Batch::error); the pipeline stops reading from it.
  [[nodiscard]] virtual Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) = 0;

  // The pipeline has read the batch's documents and needs them no more (called before Ack or
  // Nack, from any worker thread). A source that reads into large buffers may keep them for
  // its next batches instead of allocating (and zero-filling) new ones. Default: freed.
  virtual void Recycle(std::vector<std::string>&& documents) { (void)documents; }

  // The batch's alerts and checkpoint are durable (or, without a state store, delivered).
  virtual void Ack(const Batch& batch) = 0;
  // The batch could not be committed; `error` says why. Default: nothing (a re-run re-reads).
  virtual void Nack(const Batch& batch, const Error& error) {
    (void)batch;
    (void)error;
  }
};

}  // namespace tw::sources

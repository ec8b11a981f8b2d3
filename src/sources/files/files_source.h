// FilesSource: the files and directories named on a command line, each file one Batch (`scan`).
//
// Inputs are expanded once, by ExpandInputs: a directory is walked recursively in name order
// (byte-wise, depth first), following symbolic links to files and to directories; each
// directory is walked once, identified by device and inode, so a link loop (or a second link to
// a directory already walked) adds nothing and every file is still scanned exactly once. "-" is
// standard input (read whole), anything else is a file. Nothing is skipped in silence: a path
// that does not exist, a directory that cannot be opened or read, an entry that cannot be
// stat'ed, a broken symbolic link and an entry that is neither a file nor a directory (a socket,
// a device) found in a walk are each returned as an ExpandError (the caller reports them as input
// errors, exit status 1) and contribute no batch; a file that cannot be read becomes a Batch with
// `error` set.
//
// Large NDJSON inputs are read in windows, in bounded memory: a regular file larger than the
// window (256 KiB), or an input that is not a regular file (a FIFO, `<(zcat ...)`), is opened and
// its first window read with decode::LineReader; when that window is NDJSON (ClassifyInput says
// kNdjson: a compact object on the first line and another after it), the file is handed out as
// one batch per window (Batch::line_window, first_line and part set; each batch's document is
// the window's buffer itself, cut at its last newline, and the reader goes on in a buffer the
// pipeline handed back with Recycle), so memory is a few windows
// whatever the file's size. A line longer than the window grows it, up to max_line (64 MiB); a
// longer line becomes a batch with `error` set ("line N: ... skipped", kResourceExhausted) and
// the file goes on. Anything else (gzip, a CloudTrail file, pretty-printed JSON) is read whole
// (up to 1 GiB), as are files of at most one window: not here, but by the pipeline's worker that
// takes the batch (Batch::read_input), in parallel with the other workers and into a buffer it
// reuses, so a batch of a regular file read whole carries its path, not its bytes. Standard
// input ("-") and a FIFO that is not NDJSON are read whole here.
//
// Thread-safety: Next may be called from several worker threads at once; it is serialised by a
// mutex (the windows of one file must leave in order; the pipeline's ordered mode numbers the
// batches as they leave). Ack and Nack do nothing (a scan keeps no progress).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "decode/line_reader.h"
#include "sources/source.h"

namespace tw::sources {

struct ExpandError {
  std::string input;
  Error error;
};

// Expands `inputs` as described above, in the order given. Problems go to `errors`, in the order
// met.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<ExpandError>& errors);

class FilesSource final : public Source {
 public:
  // A source over `files`, already expanded (ExpandInputs), in that order. `lines`: the window
  // and the longest line for NDJSON read in windows (tests pass small ones).
  explicit FilesSource(std::vector<std::string> files, decode::LineReaderOptions lines = {});
  ~FilesSource() override;

  const std::string& name() const override { return name_; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  // Keeps up to two window buffers, which the next windows are read into.
  void Recycle(std::vector<std::string>&& documents) override;
  void Ack(const Batch& batch) override { (void)batch; }

  const std::vector<std::string>& files() const { return files_; }

 private:
  class Windowed;  // an NDJSON file being read in windows

  // The next batch of the file being read in windows; nullopt at its end.
  std::optional<Batch> NextWindow();
  // Opens files_[i]: a batch (the file whole, or its error), or nullopt when it is to be read in
  // windows (windowed_ set).
  std::optional<Batch> Open(size_t i);

  std::string name_ = "files";
  std::vector<std::string> files_;
  decode::LineReaderOptions lines_;
  std::mutex mu_;
  size_t next_ = 0;
  std::unique_ptr<Windowed> windowed_;
  std::vector<std::string> spares_;  // window buffers handed back (Recycle), at most two
};

}  // namespace tw::sources

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
// Thread-safety: Next may be called from several worker threads at once: each call takes the next
// file (an atomic counter) and reads it on the calling thread, so files are read in parallel.
// Ack and Nack do nothing (a scan keeps no progress).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

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
  // A source over `files`, already expanded (ExpandInputs), in that order.
  explicit FilesSource(std::vector<std::string> files);

  const std::string& name() const override { return name_; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override { (void)batch; }

  const std::vector<std::string>& files() const { return files_; }

 private:
  std::string name_ = "files";
  std::vector<std::string> files_;
  std::atomic<size_t> next_{0};
};

}  // namespace tw::sources

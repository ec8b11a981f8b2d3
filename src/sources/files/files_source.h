// FilesSource: the files and directories named on a command line, each file one Batch (`scan`).
//
// Inputs are expanded once, at Create, exactly as `scan` always has: a directory is walked
// recursively (regular files, sorted by path within it), "-" is standard input (read whole),
// anything else is a file. A path that does not exist is returned as an ExpandError and
// contributes no batch; a file that cannot be read becomes a Batch with `error` set.
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

// Expands `inputs` as described above. Missing paths and unreadable directories go to `errors`.
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

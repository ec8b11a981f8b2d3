// DirSource: a directory watched for new input files, each file one Batch (`watch`).
//
// What is taken: every regular file under `path`, recursively, of any kind the record reader
// detects (CloudTrail files .json/.json.gz, NDJSON, CloudWatch Logs subscription payloads,
// EventBridge events). Names are ignored while they look temporary: a path with a component
// that starts with '.' (dotfiles, dot-directories), or a file name ending in ".tmp" or ".part".
// Such a file is taken once it is renamed to a plain name.
//
// When a file is complete:
//   - inotify (the default): on IN_CLOSE_WRITE (a writer closed it) or IN_MOVED_TO (renamed or
//     moved into the tree). A file still open for writing is not taken. New subdirectories are
//     watched as they appear (IN_CREATE/IN_MOVED_TO of a directory), and the files already in
//     them are taken at once. On a queue overflow (IN_Q_OVERFLOW) the whole tree is rescanned.
//   - polling (`poll: true`, or when inotify cannot be set up, e.g. the watch limit): every
//     `poll_interval` the tree is listed; a file is complete when its size and mtime are the
//     same in two consecutive polls. A writer that pauses longer than the interval without
//     changing the file can therefore be read early; prefer writing to a temporary name and
//     renaming, which both modes handle exactly.
//
// Checkpoints (with a state store): per file, key "<path relative to the directory>|<size>|
// <mtime in ns>", value "done", written by the pipeline in the same Commit as the file's alerts
// (Batch::checkpoint). At start every file already in the tree without a checkpoint is taken,
// in path order, so a restart neither re-reads a file nor skips one, including files that arrived
// while trailwatch was down. A file rewritten later (new size or mtime) is a new input and is
// read again; its alerts already in the outbox are not enqueued twice (their ids are stable).
// A file present at start but still being written is read as it is then and read again when its
// writer closes it. Without a state store every file present at start is read.
//
// Limits: a file is read whole (decode::ReadFile), up to `max_file_bytes` (1 GiB); a larger one
// becomes a Batch with `error` set. The source remembers the key of every file committed during
// this run (about 100 bytes each) so that a second event for the same file is ignored.
//
// Batch::input is the file's path (`path` joined with the relative path). A file that vanished
// or cannot be read becomes a Batch with `error` and no checkpoint. Nack puts the file back at
// the end of the queue.
//
// Ownership and thread-safety: the source owns its inotify descriptor; the state store and the
// clock are borrowed and must outlive it. Next, Ack and Nack may be called from any threads
// (one mutex guards the queue; files are read outside it).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.h"
#include "common/error.h"
#include "decode/file_reader.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace tw::sources {

struct DirOptions {
  std::string name = "dir";  // the source's configured name (checkpoints are stored under it)
  std::string path;          // the directory (required; must exist)
  bool poll = false;         // poll instead of inotify
  std::chrono::milliseconds poll_interval{1000};
  std::size_t max_file_bytes = decode::kDefaultMaxReadBytes;  // 1 GiB
};

class DirSource final : public Source {
 public:
  enum class Mode { kInotify, kPoll };

  // Sets up the watches and lists the files present (those without a checkpoint are queued).
  // `store` may be null (no checkpoints). Errors: kInvalidArgument (no path, not a directory,
  // poll_interval not positive), kNotFound (no such directory), and the store's errors.
  // inotify failing is not an error: the source polls instead (mode() says which).
  [[nodiscard]] static Result<std::unique_ptr<DirSource>> Create(DirOptions options,
                                                                 state::StateStore* store,
                                                                 const Clock& clock);
  ~DirSource() override;

  const std::string& name() const override { return options_.name; }
  // The next complete file not yet committed; waits (checking `stop` every 100 ms) until one
  // arrives. Errors: kIo when the inotify descriptor fails, or the state store's errors.
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override;
  void Nack(const Batch& batch, const Error& error) override;

  Mode mode() const { return mode_; }

  // "<relative>|<size>|<mtime_ns>": the checkpoint key of a file.
  static std::string CheckpointKey(std::string_view relative, uint64_t size, int64_t mtime_ns);
  // True for a relative path that is not (yet) an input: a component starting with '.', or a
  // name ending in ".tmp" or ".part".
  static bool Ignored(std::string_view relative);

 private:
  struct FileInfo {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileInfo&) const = default;
  };

  DirSource(DirOptions options, state::StateStore* store, const Clock& clock);
  // Adds inotify watches for `relative_dir` and every directory below it.
  void WatchTree(const std::string& relative_dir);
  // Lists the regular files under `relative_dir` (not ignored), sorted, with size and mtime.
  std::map<std::string, FileInfo> ListFiles(const std::string& relative_dir) const;
  std::string FullPath(const std::string& relative) const;
  // Under mu_: queues `relative` unless it is queued already or ignored.
  void EnqueueLocked(const std::string& relative);
  // Under mu_: reads pending inotify events (waiting up to `timeout`) and queues files.
  Result<void> DrainEventsLocked(std::chrono::milliseconds timeout);
  // Under mu_: one poll of the tree.
  void PollLocked();

  DirOptions options_;
  state::StateStore* store_;
  const Clock& clock_;
  Mode mode_ = Mode::kInotify;
  int inotify_fd_ = -1;

  std::mutex mu_;
  std::unordered_map<int, std::string> watches_;  // wd -> relative directory ("" = root)
  std::deque<std::string> queue_;                 // relative paths, in arrival order
  std::unordered_set<std::string> queued_;
  std::unordered_set<std::string> done_;  // checkpoint keys committed (or found) in this run
  struct InFlight {
    std::string relative;
    std::string key;
  };
  std::unordered_map<uint64_t, InFlight> in_flight_;  // by Batch::handle
  std::unordered_set<std::string> in_flight_keys_;
  uint64_t next_handle_ = 1;
  // Polling: each file's size and mtime at the previous poll, and when the next poll is due.
  std::map<std::string, FileInfo> last_poll_;
  Clock::MonoTime next_poll_{};
};

}  // namespace tw::sources

#include "sources/dir/dir_source.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace tw::sources {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF |
                                IN_MOVE_SELF | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
constexpr std::chrono::milliseconds kStopCheck(100);

std::string Join(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out = dir;
  out += '/';
  out += name;
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

std::string DirSource::CheckpointKey(std::string_view relative, uint64_t size, int64_t mtime_ns) {
  std::string key(relative);
  key += '|';
  key += std::to_string(size);
  key += '|';
  key += std::to_string(mtime_ns);
  return key;
}

bool DirSource::Ignored(std::string_view relative) {
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    std::string_view part = relative.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty() && part.front() == '.') return true;
    if (slash == std::string_view::npos) {
      return EndsWith(part, ".tmp") || EndsWith(part, ".part");
    }
    start = slash + 1;
  }
  return false;
}

Result<std::unique_ptr<DirSource>> DirSource::Create(DirOptions options, state::StateStore* store,
                                                     const Clock& clock) {
  if (options.path.empty()) return Fail(ErrorCode::kInvalidArgument, "dir source: no path");
  if (options.poll_interval.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "dir source: poll_interval must be positive");
  }
  struct stat st;
  if (::stat(options.path.c_str(), &st) != 0) {
    return Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                "dir source: " + options.path + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "dir source: " + options.path + " is not a directory");
  }
  while (options.path.size() > 1 && options.path.back() == '/') options.path.pop_back();

  std::unique_ptr<DirSource> source(new DirSource(std::move(options), store, clock));
  if (!source->options_.poll) {
    source->inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  }
  if (source->inotify_fd_ < 0) {
    source->mode_ = Mode::kPoll;
  } else {
    // Watches first, then the listing: a file completed in between is seen twice, never missed.
    source->WatchTree("");
    if (source->mode_ == Mode::kPoll) {  // a watch failed (limit reached): poll instead
      ::close(source->inotify_fd_);
      source->inotify_fd_ = -1;
    }
  }

  std::lock_guard lock(source->mu_);
  for (const auto& [relative, info] : source->ListFiles("")) {
    const std::string key = CheckpointKey(relative, info.size, info.mtime_ns);
    if (store != nullptr) {
      auto checkpoint = store->LoadCheckpoint(source->options_.name, key);
      if (!checkpoint) return tl::unexpected(checkpoint.error());
      if (*checkpoint && **checkpoint == "done") {
        source->done_.insert(key);
        continue;
      }
    }
    source->EnqueueLocked(relative);
  }
  source->next_poll_ = clock.Monotonic();
  return source;
}

DirSource::DirSource(DirOptions options, state::StateStore* store, const Clock& clock)
    : options_(std::move(options)), store_(store), clock_(clock) {}

DirSource::~DirSource() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

std::string DirSource::FullPath(const std::string& relative) const {
  return relative.empty() ? options_.path : options_.path + "/" + relative;
}

void DirSource::WatchTree(const std::string& relative_dir) {
  if (mode_ != Mode::kInotify) return;
  const std::string full = FullPath(relative_dir);
  const int wd = ::inotify_add_watch(inotify_fd_, full.c_str(), kWatchMask | IN_ONLYDIR);
  if (wd < 0) {
    if (errno == ENOSPC || errno == ENOMEM) mode_ = Mode::kPoll;  // out of watches
    return;
  }
  watches_[wd] = relative_dir;
  std::error_code ec;
  for (fs::directory_iterator it(full, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
      WatchTree(Join(relative_dir, name));
    }
  }
}

std::map<std::string, DirSource::FileInfo> DirSource::ListFiles(
    const std::string& relative_dir) const {
  std::map<std::string, FileInfo> files;
  std::vector<std::string> dirs{relative_dir};
  while (!dirs.empty()) {
    const std::string dir = std::move(dirs.back());
    dirs.pop_back();
    std::error_code ec;
    for (fs::directory_iterator it(FullPath(dir), ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const std::string relative = Join(dir, name);
      if (Ignored(relative)) continue;
      std::error_code type_ec;
      if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
        dirs.push_back(relative);
        continue;
      }
      struct stat st;
      if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      files[relative] = FileInfo{static_cast<uint64_t>(st.st_size), MtimeNs(st)};
    }
  }
  return files;
}

void DirSource::EnqueueLocked(const std::string& relative) {
  if (Ignored(relative)) return;
  if (queued_.insert(relative).second) queue_.push_back(relative);
}

Result<void> DirSource::DrainEventsLocked(std::chrono::milliseconds timeout) {
  pollfd pfd{inotify_fd_, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) {
    return Fail(ErrorCode::kIo, std::string("dir source: poll: ") + std::strerror(errno));
  }
  if (ready <= 0) return Ok();
  alignas(inotify_event) char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return Ok();
      return Fail(ErrorCode::kIo, std::string("dir source: inotify: ") + std::strerror(errno));
    }
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        // Events were lost: look at everything again (committed files are filtered by key).
        for (const auto& entry : ListFiles("")) EnqueueLocked(entry.first);
        continue;
      }
      if (event->mask & IN_IGNORED) {
        watches_.erase(event->wd);
        continue;
      }
      auto dir = watches_.find(event->wd);
      if (dir == watches_.end() || event->len == 0) continue;
      const std::string relative = Join(dir->second, event->name);
      if (Ignored(relative)) continue;
      if (event->mask & IN_ISDIR) {
        if (event->mask & (IN_CREATE | IN_MOVED_TO)) {
          // A new directory: watch it, then take what it already holds (files moved in with
          // it, or written before the watch existed).
          WatchTree(relative);
          for (const auto& entry : ListFiles(relative)) EnqueueLocked(entry.first);
        }
        continue;
      }
      if (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) EnqueueLocked(relative);
    }
  }
}

void DirSource::PollLocked() {
  std::map<std::string, FileInfo> now = ListFiles("");
  for (const auto& [relative, info] : now) {
    auto before = last_poll_.find(relative);
    if (before != last_poll_.end() && before->second == info &&
        !done_.contains(CheckpointKey(relative, info.size, info.mtime_ns))) {
      EnqueueLocked(relative);
    }
  }
  last_poll_ = std::move(now);
}

Result<std::optional<Batch>> DirSource::Next(const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    while (!queue_.empty()) {
      const std::string relative = std::move(queue_.front());
      queue_.pop_front();
      queued_.erase(relative);
      const std::string full = FullPath(relative);
      struct stat st;
      if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // gone since
      const std::string key =
          CheckpointKey(relative, static_cast<uint64_t>(st.st_size), MtimeNs(st));
      if (done_.contains(key) || in_flight_keys_.contains(key)) continue;
      if (store_ != nullptr) {
        auto checkpoint = store_->LoadCheckpoint(options_.name, key);
        if (!checkpoint) return tl::unexpected(checkpoint.error());
        if (*checkpoint && **checkpoint == "done") {
          done_.insert(key);
          continue;
        }
      }
      const uint64_t handle = next_handle_++;
      in_flight_[handle] = InFlight{relative, key};
      in_flight_keys_.insert(key);
      lock.unlock();  // read outside the lock

      Batch batch;
      batch.input = full;
      batch.handle = handle;
      auto bytes = decode::ReadFile(full, options_.max_file_bytes);
      if (bytes) {
        batch.documents.push_back(std::move(*bytes));
        batch.checkpoint = state::Checkpoint{options_.name, key, "done"};
      } else {
        batch.error = std::move(bytes.error());
      }
      return batch;
    }
    if (stop.load(std::memory_order_acquire)) return std::nullopt;
    if (mode_ == Mode::kInotify) {
      auto drained = DrainEventsLocked(kStopCheck);
      if (!drained) return tl::unexpected(drained.error());
      continue;
    }
    const Clock::MonoTime now = clock_.Monotonic();
    if (now >= next_poll_) {
      PollLocked();
      next_poll_ = now + options_.poll_interval;
      continue;
    }
    const auto wait = std::min<Clock::MonoTime::duration>(next_poll_ - now, kStopCheck);
    lock.unlock();
    ::poll(nullptr, 0,
           static_cast<int>(
               std::max<int64_t>(1, std::chrono::ceil<std::chrono::milliseconds>(wait).count())));
    lock.lock();
  }
}

void DirSource::Ack(const Batch& batch) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(batch.handle);
  if (it == in_flight_.end()) return;
  in_flight_keys_.erase(it->second.key);
  done_.insert(it->second.key);
  in_flight_.erase(it);
}

void DirSource::Nack(const Batch& batch, const Error& error) {
  (void)error;
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(batch.handle);
  if (it == in_flight_.end()) return;
  in_flight_keys_.erase(it->second.key);
  EnqueueLocked(it->second.relative);
  in_flight_.erase(it);
}

}  // namespace tw::sources

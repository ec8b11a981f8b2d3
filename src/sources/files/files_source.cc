#include "sources/files/files_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "decode/file_reader.h"
#include "decode/gzip.h"
#include "decode/input_kind.h"

namespace tw::sources {

namespace {

// Walks directories for ExpandInputs: follows symbolic links (to files and to directories),
// walks each directory once (identified by device and inode, so a link loop ends), and reports
// every entry it cannot read.
class Walker {
 public:
  Walker(std::vector<std::string>& files, std::vector<ExpandError>& errors)
      : files_(files), errors_(errors) {}

  void Walk(const std::string& dir, const struct stat& st) {
    if (!seen_.insert({st.st_dev, st.st_ino}).second) return;  // walked already (a link loop)
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      Report(dir, errno, "cannot read directory");
      return;
    }
    std::vector<std::string> names;
    errno = 0;
    while (const struct dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    if (errno != 0) Report(dir, errno, "cannot read directory");
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string path = dir.back() == '/' ? dir + name : dir + "/" + name;
      struct stat entry {};
      if (::stat(path.c_str(), &entry) != 0) {  // follows links: a dangling one fails here
        const int err = errno;
        struct stat link {};
        if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode) &&
            (err == ENOENT || err == ENOTDIR)) {
          errors_.push_back(
              ExpandError{path, Error{ErrorCode::kNotFound, "broken symbolic link (skipped)"}});
        } else {
          Report(path, err, "cannot read");
        }
        continue;
      }
      if (S_ISDIR(entry.st_mode)) {
        Walk(path, entry);
      } else if (S_ISREG(entry.st_mode)) {
        files_.push_back(path);
      } else {
        errors_.push_back(
            ExpandError{path, Error{ErrorCode::kIo, "not a regular file or directory (skipped)"}});
      }
    }
  }

 private:
  void Report(const std::string& path, int err, const char* what) {
    errors_.push_back(
        ExpandError{path, Error{ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(err))}});
  }

  std::vector<std::string>& files_;
  std::vector<ExpandError>& errors_;
  std::set<std::pair<dev_t, ino_t>> seen_;
};

}  // namespace

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<ExpandError>& errors) {
  std::vector<std::string> files;
  Walker walker(files, errors);
  for (const std::string& input : inputs) {
    if (input == "-") {
      files.push_back(input);
      continue;
    }
    struct stat st {};
    if (::stat(input.c_str(), &st) != 0) {
      const int err = errno;
      errors.push_back(ExpandError{
          input, Error{err == ENOENT || err == ENOTDIR ? ErrorCode::kNotFound : ErrorCode::kIo,
                       err == ENOENT ? std::string("no such file or directory")
                                     : std::string(std::strerror(err))}});
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      walker.Walk(input, st);
    } else {
      files.push_back(input);  // a file, or a FIFO / device named on purpose
    }
  }
  return files;
}

class FilesSource::Windowed {
 public:
  Windowed(int fd_in, std::string input_in, size_t handle_in, decode::LineReader reader_in)
      : fd(fd_in), input(std::move(input_in)), handle(handle_in), reader(std::move(reader_in)) {}
  Windowed(const Windowed&) = delete;
  Windowed& operator=(const Windowed&) = delete;
  ~Windowed() { ::close(fd); }

  int fd;
  std::string input;
  size_t handle;
  decode::LineReader reader;
  uint64_t part = 0;
  bool failed = false;
};

FilesSource::FilesSource(std::vector<std::string> files, decode::LineReaderOptions lines)
    : files_(std::move(files)), lines_(lines) {}

FilesSource::~FilesSource() = default;

std::optional<Batch> FilesSource::NextWindow() {
  Windowed& w = *windowed_;
  if (w.failed) return std::nullopt;
  for (;;) {
    auto step = w.reader.Next();
    Batch batch;
    batch.input = w.input;
    batch.handle = w.handle;
    batch.part = w.part;
    if (!step) {
      w.failed = true;
      batch.error =
          Error{step.error().code, fmt::format("read {}: {}", w.input, step.error().message)};
      ++w.part;
      return batch;
    }
    switch (step->kind) {
      case decode::LineReader::Kind::kLines: {
        // The window's buffer itself, not a copy of its lines (256 KiB a window): the reader goes
        // on in a buffer handed back by Recycle, or a new one.
        std::string spare;
        if (!spares_.empty()) {
          spare = std::move(spares_.back());
          spares_.pop_back();
        }
        batch.line_window = true;
        batch.first_line = step->line - 1;
        batch.documents.push_back(w.reader.TakeLines(std::move(spare)));
        ++w.part;
        return batch;
      }
      case decode::LineReader::Kind::kNothingYet:
        continue;
      case decode::LineReader::Kind::kSkippedLine:
        batch.error = Error{ErrorCode::kResourceExhausted,
                            fmt::format("line {}: {} bytes, longer than the {}-byte line limit; "
                                        "skipped",
                                        step->line, step->count, lines_.max_line)};
        ++w.part;
        return batch;
      case decode::LineReader::Kind::kEnd:
        return std::nullopt;
    }
  }
}

void FilesSource::Recycle(std::vector<std::string>&& documents) {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::string& doc : documents) {
    // Only window buffers (window + padding): a file read whole may be far larger, and a
    // buffer a long line grew is let go, as the reader itself shrinks back after one.
    if (spares_.size() < 2 && doc.capacity() >= lines_.window + decode::kJsonPadding &&
        doc.capacity() < 2 * lines_.window + decode::kJsonPadding) {
      spares_.push_back(std::move(doc));
    }
  }
}

std::optional<Batch> FilesSource::Open(size_t i) {
  Batch batch;
  batch.input = files_[i];
  batch.handle = i;
  if (batch.input == "-") {
    auto read = decode::ReadStream(stdin);
    if (read) {
      batch.documents.push_back(std::move(*read));
    } else {
      batch.error = std::move(read.error());
    }
    return batch;
  }
  // Files of at most one window, directories and paths that cannot be stat'ed are left to the
  // worker (Batch::read_input: decode::ReadFileInto reads the first whole and reports the
  // others).
  struct stat st {};
  const bool stated = ::stat(batch.input.c_str(), &st) == 0;
  const bool windowable =
      stated && !S_ISDIR(st.st_mode) &&
      (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > lines_.window);
  int fd = windowable ? ::open(batch.input.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  if (fd >= 0 && S_ISREG(st.st_mode)) {
    // A gzip file (every CloudTrail log file) is inflated whole: reading a window of it to tell
    // NDJSON would only read it twice.
    char magic[2];
    if (::pread(fd, magic, sizeof magic, 0) == sizeof magic &&
        decode::LooksGzip(std::string_view(magic, sizeof magic))) {
      ::close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) {
    auto reader = decode::LineReader::Create(fd, lines_);
    if (reader) {
      // Read until the first line is complete and something follows it (or the window is full,
      // or the input ends): enough for ClassifyInput to tell NDJSON.
      std::string_view seen;
      for (;;) {
        auto filled = reader->Fill();
        if (!filled) break;
        seen = *filled;
        if (reader->ended() || seen.size() >= lines_.window) break;
        const size_t nl = seen.find('\n');
        if (nl != std::string_view::npos &&
            seen.find_first_not_of(" \t\r\n", nl) != std::string_view::npos) {
          break;
        }
      }
      if (decode::ClassifyInput(seen) == decode::InputKind::kNdjson) {
        windowed_ = std::make_unique<Windowed>(fd, batch.input, i, std::move(*reader));
        return std::nullopt;
      }
      if (!S_ISREG(st.st_mode)) {
        // A FIFO cannot be read again: take what was sniffed and the rest, whole.
        std::string doc;
        auto all = reader->ReadAll(doc, decode::kDefaultMaxReadBytes);
        ::close(fd);
        if (!all) {
          batch.error =
              Error{all.error().code, fmt::format("read {}: {}", batch.input, all.error().message)};
          return batch;
        }
        doc.reserve(doc.size() + decode::kJsonPadding);
        batch.documents.push_back(std::move(doc));
        return batch;
      }
    }
    ::close(fd);
  }
  // Read whole by the worker that takes the batch (Batch::read_input), outside this source's
  // lock and into that worker's reused buffer. Also for paths that cannot be stat'ed or are
  // directories: ReadFileInto reports them as ReadFile would.
  batch.read_input = true;
  return batch;
}

Result<std::optional<Batch>> FilesSource::Next(const std::atomic<bool>& stop) {
  std::lock_guard<std::mutex> lock(mu_);
  for (;;) {
    if (stop.load(std::memory_order_relaxed)) return std::nullopt;
    if (windowed_) {
      if (auto batch = NextWindow()) return std::move(*batch);
      windowed_.reset();
    }
    if (next_ >= files_.size()) return std::nullopt;
    if (auto batch = Open(next_++)) return std::move(*batch);
  }
}

}  // namespace tw::sources
